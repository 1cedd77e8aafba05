"""Real knob-server processes for the Python client tests.

The server binary comes from $KNOB_SERVER_BINARY, which ctest sets to the
knob-server of the build under test.
"""

import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest
from pathlib import Path
from typing import Optional

import grpc

import knob_client

REPOSITORY = Path(__file__).resolve().parents[3]
STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 20.0


def server_binary() -> str:
    """The knob-server under test; fails loudly rather than testing nothing
    when the test runs outside ctest without the variable."""
    binary = os.environ.get("KNOB_SERVER_BINARY")
    if not binary:
        raise RuntimeError(
            "KNOB_SERVER_BINARY is not set: run these tests through ctest, "
            "or export it as the path of a built knob-server")
    if not os.access(binary, os.X_OK):
        raise RuntimeError(f"KNOB_SERVER_BINARY={binary} is not executable")
    return binary


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, for a
    server that must come up on a port known in advance."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class KnobServer:
    """One knob-server process on 127.0.0.1.

    `port` 0 lets the server choose (read back from its --port_file);
    a fixed port lets a test start a server where a worker already
    knocks, or restart one in place. Without `database_url` the server
    keeps its studies in memory, so they die with the process.
    """

    def __init__(self, *, port: int = 0,
                 database_url: Optional[str] = None):
        self.port = port
        self.database_url = database_url
        self._directory = tempfile.TemporaryDirectory(prefix="knob-server-")
        self._log_path = Path(self._directory.name) / "server.log"
        self._process: Optional[subprocess.Popen] = None
        self._channel: Optional[grpc.Channel] = None
        self.studies = None
        self.trials = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def log(self) -> str:
        """What the server printed so far, for failure messages."""
        try:
            return self._log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def start(self) -> "KnobServer":
        """Starts the process and returns once it listens."""
        port_file = Path(self._directory.name) / "port"
        port_file.unlink(missing_ok=True)
        if self.database_url:
            storage = ["--storage=postgres",
                       f"--database_url={self.database_url}"]
        else:
            storage = ["--storage=memory"]
        command = [server_binary(), *storage,
                   f"--listen=127.0.0.1:{self.port}",
                   f"--port_file={port_file}", "--shutdown_grace=5s"]
        with open(self._log_path, "ab") as log:
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            text = port_file.read_text() if port_file.exists() else ""
            # The file is complete once its line ends.
            if text.endswith("\n"):
                self.port = int(text)
                break
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"knob-server exited with {self._process.returncode} "
                    f"before listening:\n{self.log()}")
            if time.monotonic() > deadline:
                self._process.kill()
                self._process.wait()
                raise RuntimeError(
                    f"knob-server did not listen within {STARTUP_TIMEOUT} s:"
                    f"\n{self.log()}")
            time.sleep(0.01)
        api = knob_client.load_api()
        self._channel = grpc.insecure_channel(self.address)
        self.studies = api.service_pb2_grpc.StudyServiceStub(self._channel)
        self.trials = api.service_pb2_grpc.TrialServiceStub(self._channel)
        return self

    def stop(self) -> int:
        """Sends SIGTERM, waits for the process and returns its exit code
        (0 after a clean drain). A server that ignores SIGTERM is killed
        and reported as such."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process is None:
            return 0
        process, self._process = self._process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise RuntimeError(
                f"knob-server ignored SIGTERM for {STOP_TIMEOUT} s:\n"
                f"{self.log()}") from None

    def close(self) -> None:
        """Stops the process if it still runs and removes its files."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None
        self._directory.cleanup()


def wait_until(condition, *, timeout: float = 20.0, what: str = "condition"):
    """Polls `condition` until it returns something true, and returns that;
    fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for "
                                 f"{what}")
        time.sleep(0.05)


class ServerTestCase(unittest.TestCase):
    """Gives each test a fresh knob-server on memory storage, in
    `self.server`, and checks at teardown that it stops cleanly on SIGTERM:
    a server that crashed or hung under a test is a failure of that test."""

    def setUp(self):
        self.server = KnobServer()
        self.addCleanup(self.server.close)
        self.server.start()
        self.addCleanup(self._stop_server)

    def _stop_server(self):
        code = self.server.stop()
        self.assertEqual(code, 0, f"knob-server exited with {code}:\n"
                                  f"{self.server.log()}")

"""Processes the chaos suite starts, stops and kills: a private PostgreSQL
cluster, knob-server replicas and worker processes (chaos_worker.py with
the Python worker loop, knob-chaos-worker with the C++ one), all on
127.0.0.1.
"""

import glob
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
sys.path.insert(0, str(REPOSITORY / "client" / "python"))

import grpc  # noqa: E402

import knob_client  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class PostgresCluster:
    """A PostgreSQL cluster of its own in `directory`, which the suite may
    stop in any mode and restart with other settings. PostgreSQL refuses
    to run as root, so as root the cluster belongs to `postgres`."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        self.bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                             key=lambda p: int(Path(p).parent.name))[-1]
        self.max_connections = 100

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def _as_postgres(self, *command: str, check: bool = True) -> None:
        if os.geteuid() == 0:
            command = ("runuser", "-u", "postgres", "--", *command)
        result = subprocess.run(command, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)}: {result.stdout}")

    def start(self, max_connections: Optional[int] = None) -> None:
        if max_connections is not None:
            self.max_connections = max_connections
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            subprocess.run(["chown", "postgres:postgres", str(self.directory)],
                           check=True)
        if not (self.data / "PG_VERSION").exists():
            self._as_postgres(f"{self.bindir}/initdb", "-D", str(self.data),
                              "-A", "trust", "-U", "postgres", "-E", "UTF8",
                              "--locale=C.UTF-8")
        options = (f"-p {self.port} -k {self.directory} "
                   "-c listen_addresses=127.0.0.1 "
                   f"-c max_connections={self.max_connections} "
                   "-c superuser_reserved_connections=3 "
                   "-c shared_buffers=32MB -c fsync=on")
        self._as_postgres(f"{self.bindir}/pg_ctl", "-D", str(self.data), "-w",
                          "-t", "60", "-l", str(self.directory / "log"),
                          "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._as_postgres(f"{self.bindir}/pg_ctl", "-D", str(self.data),
                              "-m", mode, "-w", "stop", check=False)

    def sql(self, statement: str, database: str = "postgres") -> List[list]:
        """Rows of `statement`, each a list of text fields (NULL as "")."""
        result = subprocess.run(
            ["psql", self.database_url(database), "-v", "ON_ERROR_STOP=1",
             "-AtqF", "\t", "-c", statement],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"psql {statement!r}: {result.stderr}")
        return [line.split("\t") for line in result.stdout.splitlines()]

    def create_database(self, name: str) -> str:
        self.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.sql(f"CREATE DATABASE {name}")
        return self.database_url(name)


class KnobServer:
    """One knob-server process on a fixed 127.0.0.1 port, so that workers
    find a restarted server where the killed one was."""

    def __init__(self, binary: str, database_url: str, log_path: Path,
                 extra_flags: List[str]):
        self.binary = binary
        self.database_url = database_url
        self.log_path = log_path
        self.extra_flags = extra_flags
        self.port = free_port()
        self.process: Optional[subprocess.Popen] = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [self.binary, "--storage=postgres",
                   f"--database_url={self.database_url}",
                   f"--listen={self.address}", "--log_format=text",
                   *self.extra_flags]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        with grpc.insecure_channel(self.address) as channel:
            try:
                grpc.channel_ready_future(channel).result(timeout=30)
            except grpc.FutureTimeoutError:
                raise RuntimeError(f"knob-server did not listen; see "
                                   f"{self.log_path}") from None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


# The worker implementations a scenario can start, by the tag their ledger
# files and the suite's figures carry.
LANGUAGES = ("py", "cc")


class WorkerProcess:
    """One worker process running `threads` workers with the worker loop
    of `language`: "py" (chaos_worker.py) or "cc" (knob-chaos-worker, the
    `cc_binary`). Both write the same ledger lines."""

    def __init__(self, server: str, study_id: int, ledger_dir: Path,
                 name: str, language: str, cc_binary: str, threads: int = 1,
                 steps: int = 3, step_seconds: float = 0.05,
                 silent: bool = False):
        options = {"server": server, "study": study_id,
                   "ledger-dir": ledger_dir, "name": name,
                   "threads": threads, "steps": steps,
                   "step-seconds": step_seconds}
        if language == "py":
            command = [sys.executable, str(HERE / "chaos_worker.py")]
            command += [f"--{key}={value}" for key, value in options.items()]
        else:
            # absl flags spell words with underscores.
            command = [cc_binary]
            command += [f"--{key.replace('-', '_')}={value}"
                        for key, value in options.items()]
        if silent:
            command.append("--silent")
        self.name = name
        self.language = language
        # Set once the suite killed the process on purpose.
        self.killed = False
        self.log_path = ledger_dir / f"{name}.{time.monotonic_ns()}.stderr"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=log)

    def running(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.running():
            self.killed = True
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def wait(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise RuntimeError(f"worker {self.name} still ran after "
                               f"{timeout} s; see {self.log_path}") from None


class Api(knob_client.Client):
    """The study calls the scenarios make themselves (creating and stopping
    studies), with the client's retries."""

    def __init__(self, server: str):
        super().__init__(server, retry=knob_client.RetryPolicy(
            initial_backoff=0.05, max_backoff=1.0, max_elapsed=60.0))
        self.api = knob_client.load_api()

    def create_study(self, name: str, config) -> int:
        request = self.api.service_pb2.CreateStudyRequest(name=name,
                                                          config=config)
        return self._call(self._studies.CreateStudy, request).id

    def stop_study(self, study_id: int) -> None:
        request = self.api.service_pb2.UpdateStudyRequest(
            study_id=study_id, state=self.api.study_pb2.STUDY_STATE_STOPPED)
        self._call(self._studies.UpdateStudy, request)

    def study(self, study_id: int):
        return self.get_study(study_id)

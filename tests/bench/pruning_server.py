"""The knob-server of the pruning benchmark's Knob runs.

A pruner that crashes the server must cost only the runs it was in, not
the rest of the benchmark: after a failed run the keeper checks whether
the server still answers and, when it is gone, records how it ended and
starts a fresh one (memory storage: every run has its own study anyway).
A server given with --server is only checked, not restarted.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Optional

import grpc

import knob_client
import knob_side

# Seconds a health check may take before the server counts as hung.
_CHECK_TIMEOUT = 10


def _say(message: str) -> None:
    print(f"pruning: {message}", file=sys.stderr, flush=True)


class ServerKeeper:
    def __init__(self, address: Optional[str] = None):
        """Uses the server at `address`, or starts one
        ($KNOB_SERVER_BINARY) when None."""
        self._external = address
        self._process = None
        self._lock = threading.Lock()
        # Bumped by every restart, so that a run learns that the server
        # it started on is not the one that runs now.
        self.generation = 0
        self.server: knob_side.Server = self._start()
        # Connections to servers that were replaced: runs still under way
        # on them learn of it from a failed call, not from a closed
        # channel; they are closed at the end.
        self._replaced = []

    def _start(self) -> knob_side.Server:
        if self._external:
            return knob_side.Server(self._external)
        import server_process

        self._process = server_process.KnobServer()
        self._process.start()
        _say(f"started {os.environ['KNOB_SERVER_BINARY']} on "
             f"{self._process.address} with memory storage")
        return knob_side.Server(self._process.address)

    def _answers(self) -> bool:
        request = knob_client.api.service_pb2.GetStudyRequest(id=-1)
        try:
            self.server.studies.GetStudy(request, timeout=_CHECK_TIMEOUT)
        except grpc.RpcError as error:
            return error.code() not in (grpc.StatusCode.UNAVAILABLE,
                                        grpc.StatusCode.DEADLINE_EXCEEDED)
        return True

    def recover(self, generation: int) -> Optional[str]:
        """After a run that started on server `generation` failed: None
        when the server answers; else what happened to it, after starting
        a fresh one (unless it was given with --server)."""
        with self._lock:
            if generation != self.generation:
                return "knob-server was restarted during this run"
            if self._answers():
                return None
            if self._external:
                return f"knob-server at {self._external} does not answer"
            self._replaced.append(self.server)
            try:
                code = self._process.stop()
                ended = f"exited with {code}"
            except RuntimeError:
                ended = "hung and was killed"
            log = self._process.log().strip().splitlines()
            self._process.close()
            _say(f"knob-server {ended} during a run; its log ends:\n  " +
                 "\n  ".join(log[-15:]) + "\nstarting a fresh one")
            self.server = self._start()
            self.generation += 1
            return f"knob-server {ended} during this run"

    def close(self) -> None:
        """Stops a server started here; says so when it did not end
        cleanly."""
        for server in [*self._replaced, self.server]:
            server.close()
        if self._process is None:
            return
        try:
            code = self._process.stop()
        except RuntimeError as error:
            code = str(error)
        if code != 0:
            _say(f"knob-server exited with {code}:\n{self._process.log()}")
        self._process.close()

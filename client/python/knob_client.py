"""Calls to a Knob server from Python, with the generated API modules.

`Client` wraps the two gRPC services (StudyService, TrialService) with
what every caller needs and the generated stubs do not do:

* a fresh request id (uuid4) on every mutating call, kept across retries
  of that call: the server answers a repeated request id with its first
  answer, so a retry never records anything twice;
* retries with exponential backoff and full jitter while the server is
  UNAVAILABLE (or shutting down, or a transaction conflicted, or a
  deadline passed), see `RetryPolicy`;
* one exception type, `KnobError`, carrying the gRPC status code.

The generated modules (`knob.v1.*_pb2`) come from `load_api`, which can
generate them from proto/ on first use. knob_worker.py builds the worker
loop on top of this module.

Requires Debian's python3-grpcio and python3-protobuf (run with
/usr/bin/python3 on Debian).
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import platform
import random
import socket
import subprocess
import sys
import time
import types
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

import grpc

__all__ = [
    "Client",
    "KnobError",
    "NO_RETRY",
    "RetryPolicy",
    "default_environment",
    "load_api",
    "python_to_value",
    "value_to_python",
]

log = logging.getLogger("knob_client")

_REPOSITORY = Path(__file__).resolve().parents[2]
_API_MODULES = ("study_pb2", "trial_pb2", "service_pb2", "service_pb2_grpc")

# The generated modules, loaded by `load_api`.
api: Optional[types.SimpleNamespace] = None


class KnobError(Exception):
    """A call to the server failed for good (not retryable, or retries ran
    out). `code` is the gRPC status code, `details` the server's message."""

    def __init__(self, method: str, code: grpc.StatusCode, details: str):
        super().__init__(f"{method}: {code.name}: {details}")
        self.method = method
        self.code = code
        self.details = details


# --------------------------------------------------------------------------
# Generated code


def _stubs_are_current(directory: Path) -> bool:
    protos = list((_REPOSITORY / "proto" / "knob" / "v1").glob("*.proto"))
    generated = [directory / "knob" / "v1" / f"{m}.py" for m in _API_MODULES]
    if not all(path.is_file() for path in generated):
        return False
    if not protos:  # Installed without the sources: take what is there.
        return True
    oldest = min(path.stat().st_mtime for path in generated)
    return all(proto.stat().st_mtime <= oldest for proto in protos)


def load_api(stubs_dir: Optional[Union[str, Path]] = None
             ) -> types.SimpleNamespace:
    """Imports the generated API modules and returns them as a namespace
    with the attributes study_pb2, trial_pb2, service_pb2, service_pb2_grpc.

    Looks in `stubs_dir`, else in $KNOB_PYTHON_STUBS, else in
    $KNOB_BUILD_DIR/python or `<repository>/build/python`; (re)generates
    the modules there with client/python/generate.sh when they are missing
    or older than the .proto files. Without a repository around, falls
    back to whatever `knob.v1` is importable. Raises RuntimeError when
    nothing works.
    """
    global api
    if api is not None:
        return api
    directory = stubs_dir or os.environ.get("KNOB_PYTHON_STUBS")
    if directory:
        directory = Path(directory)
    else:
        build = os.environ.get("KNOB_BUILD_DIR") or _REPOSITORY / "build"
        directory = Path(build) / "python"
    generator = _REPOSITORY / "client" / "python" / "generate.sh"
    if not _stubs_are_current(directory) and generator.is_file():
        log.info("generating the API modules into %s", directory)
        result = subprocess.run(
            ["bash", str(generator), str(directory)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise RuntimeError(
                f"generating the API modules failed:\n{result.stdout}")
    if directory.is_dir() and str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    try:
        modules = {name: importlib.import_module(f"knob.v1.{name}")
                   for name in _API_MODULES}
    except ImportError as error:
        raise RuntimeError(
            f"cannot import the Knob API modules ({error}); generate them "
            "with client/python/generate.sh OUTDIR and pass OUTDIR as "
            "stubs_dir or KNOB_PYTHON_STUBS") from error
    api = types.SimpleNamespace(**modules)
    return api


# --------------------------------------------------------------------------
# Values


ParamValue = Union[float, int, str, bool]


def value_to_python(value: Any) -> Optional[ParamValue]:
    """A knob.v1.Value as a Python float, int, str or bool (None if unset)."""
    kind = value.WhichOneof("kind")
    return getattr(value, kind) if kind else None


def python_to_value(value: ParamValue) -> Any:
    """A Python float, int, str or bool as a knob.v1.Value."""
    message = api.study_pb2.Value()
    if isinstance(value, bool):  # Before int: bool is a subclass of int.
        message.bool_value = value
    elif isinstance(value, int):
        message.int_value = value
    elif isinstance(value, float):
        message.double_value = value
    elif isinstance(value, str):
        message.string_value = value
    else:
        raise TypeError(f"unsupported parameter value {value!r}")
    return message


def default_environment() -> dict:
    """What every worker reports about itself with the trials it asks for:
    host, process, Python and gRPC versions, platform."""
    return {
        "hostname": socket.gethostname(),
        "pid": str(os.getpid()),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "grpcio": grpc.__version__,
    }


# --------------------------------------------------------------------------
# Calls with retries


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How calls are retried while the server is unreachable.

    The n-th retry waits a random time in [0, min(max_backoff,
    initial_backoff * multiplier**n)] ("full jitter", so that many workers
    that lost the server at the same moment do not come back in lockstep).
    Retrying stops once `max_elapsed` seconds have passed since the first
    attempt; the last error is raised then.
    """

    initial_backoff: float = 0.2  # Default: 0.2 s.
    multiplier: float = 2.0  # Default: doubles per retry.
    max_backoff: float = 10.0  # Default: 10 s.
    max_elapsed: float = 300.0  # Default: 5 minutes.
    # UNAVAILABLE: the server or its database is unreachable; ABORTED: a
    # transaction conflict on the server; CANCELLED: the client never
    # cancels its own calls, so this comes from a server that shuts down
    # (gRPC cancels the calls that reach it then). DEADLINE_EXCEEDED is
    # safe to retry too because mutating calls carry a request id: the
    # retry returns the first call's answer if that one landed after all.
    retryable: frozenset = frozenset({grpc.StatusCode.UNAVAILABLE,
                                      grpc.StatusCode.ABORTED,
                                      grpc.StatusCode.CANCELLED,
                                      grpc.StatusCode.DEADLINE_EXCEEDED})

    def delays(self) -> Iterable[float]:
        """The successive waits, forever."""
        ceiling = self.initial_backoff
        while True:
            yield random.uniform(0.0, min(self.max_backoff, ceiling))
            ceiling *= self.multiplier


NO_RETRY = RetryPolicy(max_elapsed=0.0)


def _reconnect_options(retry: RetryPolicy) -> list:
    """Channel options that make gRPC reconnect at the retry policy's
    pace. gRPC's own reconnect backoff grows to two minutes, and until the
    channel reconnects every call fails at once with the last connection
    error: the retries would go on failing long after the server is back.
    """
    max_backoff_ms = min(60_000, max(100, int(retry.max_backoff * 1000)))
    return [("grpc.min_reconnect_backoff_ms", 100),
            ("grpc.initial_reconnect_backoff_ms", 100),
            ("grpc.max_reconnect_backoff_ms", max_backoff_ms)]


class Client:
    """The calls a worker makes, over one gRPC channel. Thread-safe (the
    heartbeat thread shares it with the training thread).

    Every method raises `KnobError` when the call fails for good.
    """

    def __init__(self, server: str, *, retry: RetryPolicy = RetryPolicy(),
                 timeout: float = 30.0, stubs_dir=None):
        load_api(stubs_dir)
        self.server = server
        self.retry = retry
        self.timeout = timeout  # Per attempt, in seconds.
        self._channel = grpc.insecure_channel(
            server, options=_reconnect_options(retry))
        self._studies = api.service_pb2_grpc.StudyServiceStub(self._channel)
        self._trials = api.service_pb2_grpc.TrialServiceStub(self._channel)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _call(self, method: Callable, request: Any,
              retry: Optional[RetryPolicy] = None,
              timeout: Optional[float] = None) -> Any:
        retry = retry or self.retry
        name = type(request).__name__.removesuffix("Request")
        start = time.monotonic()
        delays = retry.delays()
        while True:
            try:
                return method(request, timeout=timeout or self.timeout)
            except grpc.RpcError as error:
                code, details = error.code(), error.details()
                delay = next(delays)
                if (code not in retry.retryable or
                        time.monotonic() - start + delay > retry.max_elapsed):
                    raise KnobError(name, code, details) from None
                log.warning("%s: %s (%s); retrying in %.1f s", name,
                            code.name, details, delay)
                self._wait_reconnecting(delay)

    def _wait_reconnecting(self, seconds: float) -> None:
        """Sleeps while the channel reconnects. gRPC reconnects a channel
        only while someone watches its state, and calls that fail at once
        do not count: without the watch a server that came back is found
        seconds late, whatever the reconnect options say. The watch does
        not ask to connect (the next call does), because gRPC's watcher
        thread would then touch the channel even after `close`."""
        def watch(connectivity):
            """Nothing to do: being subscribed is what counts."""

        self._channel.subscribe(watch)
        try:
            time.sleep(seconds)
        finally:
            self._channel.unsubscribe(watch)

    def get_study(self, study: Union[str, int]) -> Any:
        """The study of that name, or of that id when `study` is an int or
        a string of digits that names no study."""
        if isinstance(study, int):
            return self._call(self._studies.GetStudy,
                              api.service_pb2.GetStudyRequest(id=study))
        try:
            return self._call(self._studies.GetStudy,
                              api.service_pb2.GetStudyRequest(name=study))
        except KnobError as error:
            if error.code != grpc.StatusCode.NOT_FOUND or not study.isdigit():
                raise
        return self._call(self._studies.GetStudy,
                          api.service_pb2.GetStudyRequest(id=int(study)))

    def suggest(self, study_id: int, worker_id: str,
                environment: Mapping[str, str], count: int = 1) -> Any:
        """A SuggestTrialsResponse: up to `count` trials, or study_done."""
        request = api.service_pb2.SuggestTrialsRequest(
            study_id=study_id, count=count, worker_id=worker_id,
            environment=dict(environment), request_id=str(uuid.uuid4()))
        return self._call(self._trials.SuggestTrials, request)

    def heartbeat(self, trial_ids: Sequence[int], worker_id: str,
                  retry: Optional[RetryPolicy] = None,
                  timeout: Optional[float] = None) -> Any:
        """A HeartbeatResponse with one directive per trial."""
        request = api.service_pb2.HeartbeatRequest(
            trial_ids=list(trial_ids), worker_id=worker_id)
        return self._call(self._trials.Heartbeat, request, retry=retry,
                          timeout=timeout)

    def report(self, trial_id: int, step: int, value: float,
               metric: str = "") -> Any:
        """A ReportIntermediateResponse (should_prune, reason)."""
        request = api.service_pb2.ReportIntermediateRequest(
            trial_id=trial_id, step=step, value=value, metric=metric,
            request_id=str(uuid.uuid4()))
        return self._call(self._trials.ReportIntermediate, request)

    def complete(self, trial_id: int, state: str,
                 values: Sequence[float] = (),
                 metrics: Optional[Mapping[str, float]] = None,
                 reason: str = "", retry: Optional[RetryPolicy] = None,
                 timeout: Optional[float] = None) -> Any:
        """Ends a trial; `state` is "COMPLETED", "FAILED" or "PRUNED"."""
        request = api.service_pb2.CompleteTrialRequest(
            trial_id=trial_id,
            state=api.trial_pb2.TrialState.Value(f"TRIAL_STATE_{state}"),
            values=list(values), metrics=dict(metrics or {}),
            fail_reason=reason, request_id=str(uuid.uuid4()))
        return self._call(self._trials.CompleteTrial, request, retry=retry,
                          timeout=timeout)

    def best_trials(self, study_id: int) -> list:
        request = api.service_pb2.GetBestTrialsRequest(study_id=study_id)
        return list(self._call(self._trials.GetBestTrials, request).trials)

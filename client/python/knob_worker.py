"""A small helper for Python workers of a Knob study.

A worker asks the Knob server for a trial, trains a model with the trial's
parameters, reports intermediate values (and learns whether to stop early),
and reports the outcome; then it asks for the next trial, until the server
says the study is done. `Worker` does the bookkeeping around the user's
training function:

* resolves the study by name (or id) once;
* keeps the leases of running trials alive from a background heartbeat
  thread, and passes on the server's "stop this trial" directives;
* retries calls while the server is UNAVAILABLE, each with its own request
  id, so that nothing is recorded twice (see knob_client.py);
* ends each trial as COMPLETED (with the returned value or values), PRUNED
  (the function raised `TrialPruned`) or FAILED (any other exception, whose
  text becomes the failure reason).

Example::

    import knob_worker

    def train(trial):
        model = make_model(**trial.params)
        for epoch in range(10):
            score = fit_one_epoch(model)
            if trial.report(epoch, score):
                raise knob_worker.TrialPruned()
        return score

    knob_worker.Worker("127.0.0.1:50051", "my-study").run(train)

The generated API modules are found as `knob_client.load_api` describes:
in `stubs_dir`, $KNOB_PYTHON_STUBS or `<repository>/build/python`,
generated there from proto/ when missing.

Requires Debian's python3-grpcio and python3-protobuf (run with
/usr/bin/python3 on Debian).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import numbers
import os
import signal
import socket
import threading
import time
from typing import Any, Callable, Mapping, Optional, Sequence, Union

import grpc

from knob_client import (NO_RETRY, Client, KnobError, RetryPolicy,
                         default_environment, value_to_python)

__all__ = [
    "Client",
    "KnobError",
    "RetryPolicy",
    "Trial",
    "TrialOutcome",
    "TrialPruned",
    "Worker",
    "WorkerSummary",
    "default_environment",
]

log = logging.getLogger("knob_worker")


class TrialPruned(Exception):
    """Raised by a training function to end its trial as PRUNED, typically
    after `Trial.report` returned True."""


# --------------------------------------------------------------------------
# Trials


class Trial:
    """One trial handed to this worker, as the training function sees it.

    `params` is a plain dict of the active parameters (float, int, str or
    bool values); inactive conditional parameters are absent. The training
    function may put extra metrics (declared by the study) into `metrics`;
    they are sent with the completion.
    """

    def __init__(self, message: Any, client: Client):
        self.id: int = message.id
        self.number: int = message.number
        self.params: dict = {
            name: value_to_python(value)
            for name, value in sorted(message.parameters.items())}
        self.metrics: dict = {}
        # The step of the latest `report`, None before the first.
        self.last_step: Optional[int] = None
        self._client = client
        self._stop_reason: Optional[str] = None

    def report(self, step: int, value: float, metric: str = "") -> bool:
        """Records an intermediate value (the first objective's metric
        unless `metric` names another) and returns True when the trial
        should stop: the pruner says so, or the server told the heartbeat
        to stop this trial. A non-finite value is not sent (the server
        rejects it) and only logged."""
        if self._stop_reason is not None:
            return True
        self.last_step = step
        if not math.isfinite(value):
            log.warning("trial %d: not reporting non-finite value %r at "
                        "step %d", self.number, value, step)
            return False
        try:
            response = self._client.report(self.id, step, float(value), metric)
        except KnobError as error:
            # The trial is over on the server (STALE, or its study was
            # stopped): nothing more to learn by training on.
            if error.code != grpc.StatusCode.FAILED_PRECONDITION:
                raise
            self._stop_reason = error.details
            return True
        if response.should_prune:
            self._stop_reason = response.reason or "pruned"
        return self._stop_reason is not None

    @property
    def should_stop(self) -> bool:
        """Whether the server asked for this trial to stop."""
        return self._stop_reason is not None

    @property
    def stop_reason(self) -> Optional[str]:
        return self._stop_reason

    def _request_stop(self, reason: str) -> None:
        if self._stop_reason is None:
            self._stop_reason = reason or "stopped by the server"


class _Heartbeat(threading.Thread):
    """Extends the leases of the worker's running trials every `interval`
    seconds and forwards stop directives to them. A failed heartbeat is
    logged, not fatal: the next one may get through before the lease runs
    out."""

    def __init__(self, client: Client, worker_id: str, interval: float):
        super().__init__(name="knob-heartbeat", daemon=True)
        self._client = client
        self._worker_id = worker_id
        self._interval = interval
        self._trials: dict = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        # A heartbeat that keeps failing must give way to the next one.
        self._retry = dataclasses.replace(client.retry,
                                          max_elapsed=interval / 2)

    def add(self, trial: Trial) -> None:
        with self._lock:
            self._trials[trial.id] = trial

    def remove(self, trial: Trial) -> None:
        with self._lock:
            self._trials.pop(trial.id, None)

    def stop(self) -> None:
        self._stopped.set()

    def run(self) -> None:
        while not self._stopped.wait(self._interval):
            with self._lock:
                trials = dict(self._trials)
            if not trials:
                continue
            try:
                response = self._client.heartbeat(
                    list(trials), self._worker_id, retry=self._retry,
                    timeout=self._interval)
            except KnobError as error:
                log.warning("heartbeat failed: %s", error)
                continue
            for directive in response.directives:
                trial = trials.get(directive.trial_id)
                if directive.stop and trial is not None:
                    log.info("trial %d: server says stop (%s)", trial.number,
                             directive.reason)
                    trial._request_stop(directive.reason)


# --------------------------------------------------------------------------
# The worker loop


@dataclasses.dataclass
class TrialOutcome:
    """How one trial ended, as passed to `Worker.run`'s `on_trial_end`."""

    trial: Trial
    state: str  # "COMPLETED", "PRUNED" or "FAILED".
    values: list
    seconds: float
    reason: str = ""
    # False when the server did not accept the outcome (e.g. the trial had
    # already gone STALE); `reason` then says why.
    recorded: bool = True


@dataclasses.dataclass
class WorkerSummary:
    """What one `Worker.run` did."""

    completed: int = 0
    pruned: int = 0
    failed: int = 0
    stop_reason: str = ""
    # True when the worker stopped because too many trials failed in a row.
    gave_up: bool = False

    @property
    def trials(self) -> int:
        return self.completed + self.pruned + self.failed


Objective = Callable[[Trial], Union[float, Sequence[float]]]


class _Terminated(BaseException):
    """SIGTERM arrived; handled like Ctrl-C."""


def _raise_terminated(signum, frame):
    raise _Terminated()


class Worker:
    """Runs trials of one study until the study is done.

    Args:
      server: HOST:PORT of a Knob server.
      study: the study's name (or id).
      worker_id: recorded with each trial; default "HOSTNAME:PID".
      environment: recorded with each trial, on top of
        `default_environment()`.
      stubs_dir: where the generated API modules are; see `load_api`.
      retry: how calls are retried while the server is unreachable.
      max_consecutive_failures: stop (with an error) after this many trials
        in a row raised, which usually means a bug in the training function
        rather than a bad region of the search space.
      idle_timeout: how long to wait, in seconds, while the study is
        paused (the server hands out no trial but does not say the study
        is done); None waits until the study is resumed or stopped.
    """

    def __init__(self, server: str, study: Union[str, int], *,
                 worker_id: Optional[str] = None,
                 environment: Optional[Mapping[str, str]] = None,
                 stubs_dir=None, retry: RetryPolicy = RetryPolicy(),
                 max_consecutive_failures: int = 5,
                 idle_timeout: Optional[float] = None):
        self.client = Client(server, retry=retry, stubs_dir=stubs_dir)
        try:
            self.study = self.client.get_study(study)
        except BaseException:
            # The caller gets no worker whose client it could close.
            self.client.close()
            raise
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.environment = {**default_environment(), **(environment or {})}
        self.max_consecutive_failures = max_consecutive_failures
        self.idle_timeout = idle_timeout

    @property
    def heartbeat_interval(self) -> float:
        """A third of the study's lease, so that two heartbeats in a row may
        fail before the lease runs out; between 1 s and 30 s."""
        lease = self.study.config.lease_duration
        seconds = lease.seconds + lease.nanos / 1e9
        return min(30.0, max(1.0, seconds / 3)) if seconds > 0 else 10.0

    def run(self, objective: Objective, *, max_trials: Optional[int] = None,
            on_trial_end: Optional[Callable[[TrialOutcome], None]] = None
            ) -> WorkerSummary:
        """Runs `objective` on trial after trial until the study is done,
        `max_trials` trials ran, or too many trials failed in a row.

        `objective(trial)` returns the objective value (a float, or a
        sequence with one float per objective), raises `TrialPruned` to end
        the trial as PRUNED, or raises anything else to end it as FAILED.
        Ctrl-C or SIGTERM end the running trial as FAILED ("worker
        interrupted") and are then raised on as KeyboardInterrupt.
        """
        summary = WorkerSummary()
        heartbeat = _Heartbeat(self.client, self.worker_id,
                               self.heartbeat_interval)
        heartbeat.start()
        previous_handler = None
        if threading.current_thread() is threading.main_thread():
            previous_handler = signal.signal(signal.SIGTERM, _raise_terminated)
        try:
            self._loop(objective, heartbeat, summary, max_trials, on_trial_end)
        except _Terminated:
            raise KeyboardInterrupt() from None
        finally:
            heartbeat.stop()
            if previous_handler is not None:
                signal.signal(signal.SIGTERM, previous_handler)
        return summary

    def _loop(self, objective, heartbeat, summary, max_trials, on_trial_end):
        consecutive_failures = 0
        while max_trials is None or summary.trials < max_trials:
            trial = self._next_trial(summary)
            if trial is None:
                return
            outcome = self._run_trial(objective, trial, heartbeat)
            if outcome.state == "COMPLETED":
                summary.completed += 1
            elif outcome.state == "PRUNED":
                summary.pruned += 1
            else:
                summary.failed += 1
            if on_trial_end is not None:
                on_trial_end(outcome)
            consecutive_failures = (consecutive_failures + 1
                                    if outcome.state == "FAILED" else 0)
            if consecutive_failures >= self.max_consecutive_failures:
                summary.stop_reason = (
                    f"{consecutive_failures} trials in a row failed; last: "
                    f"{outcome.reason}")
                summary.gave_up = True
                return
        summary.stop_reason = f"ran max_trials={max_trials}"

    def _next_trial(self, summary: WorkerSummary) -> Optional[Trial]:
        """The next trial, or None (with summary.stop_reason set) when the
        study is done, or was paused for longer than `idle_timeout`."""
        paused_since = None
        # A paused study is asked again at a slowly growing interval, up to
        # half a minute: resuming it should not wait long for the workers.
        delays = RetryPolicy(initial_backoff=1.0, max_backoff=30.0).delays()
        while True:
            response = self.client.suggest(self.study.id, self.worker_id,
                                           self.environment)
            if response.trials:
                if paused_since is not None:
                    log.warning("study %s resumed", self.study.name)
                return Trial(response.trials[0], self.client)
            reason = response.done_reason or "no reason given"
            if response.study_done:
                summary.stop_reason = f"study is done: {reason}"
                return None
            if paused_since is None:
                paused_since = time.monotonic()
                log.warning("study %s hands out no trial (%s); waiting",
                            self.study.name, reason)
            if (self.idle_timeout is not None and
                    time.monotonic() - paused_since > self.idle_timeout):
                summary.stop_reason = (
                    f"no trial handed out for {self.idle_timeout:.0f} s: "
                    f"{reason}")
                return None
            time.sleep(next(delays))

    def _run_trial(self, objective: Objective, trial: Trial,
                   heartbeat: _Heartbeat) -> TrialOutcome:
        heartbeat.add(trial)
        start = time.monotonic()
        try:
            try:
                result = objective(trial)
            except TrialPruned as pruned:
                reason = trial.stop_reason or str(pruned) or "pruned"
                return self._finish(trial, "PRUNED", [], reason, start)
            except (KeyboardInterrupt, _Terminated):
                self._abandon(trial)
                raise KeyboardInterrupt() from None
            except Exception as error:  # The user's code may raise anything.
                log.debug("trial %d failed", trial.number, exc_info=True)
                reason = f"{type(error).__name__}: {error}"
                return self._finish(trial, "FAILED", [], reason, start)
            try:
                values = _as_values(result)
            except ValueError as error:
                return self._finish(trial, "FAILED", [], str(error), start)
            return self._finish(trial, "COMPLETED", values, "", start)
        finally:
            heartbeat.remove(trial)

    def _finish(self, trial: Trial, state: str, values: list, reason: str,
                start: float) -> TrialOutcome:
        outcome = TrialOutcome(trial, state, values,
                               time.monotonic() - start, reason)
        metrics = {name: float(value) for name, value in trial.metrics.items()}
        try:
            self.client.complete(trial.id, state, values, metrics, reason)
        except KnobError as error:
            # The trial went STALE or the study was stopped under us: the
            # server's record stands, this worker carries on.
            if error.code != grpc.StatusCode.FAILED_PRECONDITION:
                raise
            outcome.recorded = False
            outcome.reason = error.details
        return outcome

    def _abandon(self, trial: Trial) -> None:
        """Marks a trial FAILED on the way out after Ctrl-C or SIGTERM: one
        quick attempt, because the server may be going down too."""
        try:
            self.client.complete(trial.id, "FAILED",
                                 reason="worker interrupted",
                                 retry=NO_RETRY, timeout=3.0)
        except KnobError as error:
            log.warning("trial %d left RUNNING: %s", trial.number, error)


def _as_values(result: Any) -> list:
    """The objective's return value as a list of finite floats."""
    if isinstance(result, numbers.Real) and not isinstance(result, bool):
        values = [float(result)]
    elif isinstance(result, Sequence) and not isinstance(result, str):
        values = [float(value) for value in result]
    else:
        raise ValueError(f"objective returned {result!r}; expected a number "
                         "or a sequence of numbers")
    if not values or not all(math.isfinite(value) for value in values):
        raise ValueError(
            f"objective returned {values!r}; expected finite values")
    return values

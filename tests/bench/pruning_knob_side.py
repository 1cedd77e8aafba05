"""Knob's side of the pruning benchmark: one study per (task, pruner,
seed) on a running knob-server, its trials enqueued in the curve table's
order, evaluated by a group of worker processes through the Python
worker helper (client/python/knob_worker.py), as a user's workers would.

A worker replays its trial's curve: it reports the loss after each step
and stops when `Trial.report` says so, so the server's pruner decides on
exactly the values a training job would report, with several trials
running at once.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import queue
import re
import time
import uuid
from typing import List, Optional

import grpc

import knob_client
import knob_side
import pruning_pruners
import pruning_results
from pruning_tasks import TASKS, CurveTable

# Seconds a worker process may take to start.
_STARTUP_TIMEOUT = 120

# The server runs next to the workers: one that does not answer for a
# while has crashed, and the run should end rather than wait minutes.
_RETRY = knob_client.RetryPolicy(max_elapsed=15.0)

# A pruner name no registry will hold, to learn the ones it does hold.
_PROBE_PRUNER = "(list known pruners)"


def study_config(table: CurveTable, pruner: str):
    """The StudyConfig of one run: the task's space, one minimized
    objective, the pruner with the benchmark's options, max_trials = the
    table's trials (all of them enqueued, so the sampler never runs)."""
    task = TASKS[table.task]
    # knob_side.study_config reads only the space of what it is given (and
    # loads the API modules that python_to_value needs).
    config = knob_side.study_config(task, "random", table.seed,
                                    len(table.params))
    config.pruner.name = pruner
    options = pruning_pruners.knob_options(pruner, task, table.steps)
    for name, value in options.items():
        config.pruner.options[name].CopyFrom(
            knob_client.python_to_value(value))
    return config


def known_pruners(server: knob_side.Server) -> List[str]:
    """The pruner names the server accepts, read from its answer to a
    study that names an unknown one."""
    config = knob_side.study_config(TASKS["synthetic"], "random", 0, 1)
    config.pruner.name = _PROBE_PRUNER
    request = knob_client.api.service_pb2.CreateStudyRequest(
        name=f"bench-probe-{uuid.uuid4().hex[:12]}", config=config)
    try:
        server.studies.CreateStudy(request, timeout=30)
    except grpc.RpcError as error:
        found = re.search(r"known: (.*)$", error.details() or "")
        if error.code() == grpc.StatusCode.INVALID_ARGUMENT and found:
            return [name.strip() for name in found.group(1).split(",")]
        raise
    raise RuntimeError(
        f"knob-server accepted the pruner name {_PROBE_PRUNER!r}")


# --------------------------------------------------------------------------
# Worker processes


@dataclasses.dataclass
class _Assignment:
    address: str
    study: str
    params: List[dict]
    curves: List[List[float]]


def _worker_main(worker_id: str, inbox, outbox) -> None:
    """One worker process: runs the studies it is given until told to end
    (None). Answers each with (worker_id, error or None). Ctrl-C ends it
    quietly: the benchmark's own process reports the interruption."""
    try:
        _serve(worker_id, inbox, outbox)
    except KeyboardInterrupt:
        pass


def _replay(assignment: _Assignment):
    """The training function of a study: the trial's curve, step by step,
    stopping when told to."""
    import knob_worker

    def objective(trial):
        expected = assignment.params[trial.number]
        if trial.params != expected:
            raise ValueError(f"trial {trial.number} has parameters "
                             f"{trial.params}, enqueued were {expected}")
        curve = assignment.curves[trial.number]
        for step, value in enumerate(curve, start=1):
            if trial.report(step, value):
                raise knob_worker.TrialPruned()
        return curve[-1]

    return objective


def _serve(worker_id: str, inbox, outbox) -> None:
    import knob_worker

    logging.basicConfig(level=logging.ERROR)
    knob_client.load_api()
    outbox.put((worker_id, "ready"))
    while True:
        assignment: Optional[_Assignment] = inbox.get()
        if assignment is None:
            return
        error = None
        try:
            worker = knob_worker.Worker(assignment.address, assignment.study,
                                        worker_id=worker_id, retry=_RETRY)
            try:
                summary = worker.run(_replay(assignment))
                if summary.gave_up:
                    error = summary.stop_reason
            finally:
                worker.client.close()
        except Exception as caught:  # Reported, not fatal to the process.
            error = f"{type(caught).__name__}: {caught}"
        outbox.put((worker_id, error))


class WorkerGroup:
    """`size` worker processes that work on one study at a time."""

    def __init__(self, name: str, size: int):
        context = multiprocessing.get_context("spawn")
        self._outbox = context.Queue()
        self._inboxes = []
        self._processes = []
        for i in range(size):
            inbox = context.Queue()
            process = context.Process(
                target=_worker_main, args=(f"{name}-{i}", inbox, self._outbox),
                daemon=True)
            process.start()
            self._inboxes.append(inbox)
            self._processes.append(process)
        # Started before the first study, so that a study's time is its
        # own.
        for _ in self._processes:
            try:
                self._outbox.get(timeout=_STARTUP_TIMEOUT)
            except queue.Empty:
                self.close()
                raise RuntimeError(
                    f"a worker process did not start within "
                    f"{_STARTUP_TIMEOUT} s") from None

    def run(self, assignment: _Assignment) -> List[str]:
        """Runs the study to its end on every worker; returns the workers'
        errors (empty when all went well)."""
        for inbox in self._inboxes:
            inbox.put(assignment)
        errors = []
        for _ in self._inboxes:
            worker_id, error = self._answer()
            if error:
                errors.append(f"{worker_id}: {error}")
        return errors

    def _answer(self):
        """The next answer of a worker; raises RuntimeError when a worker
        process is gone rather than waiting for it forever."""
        while True:
            try:
                return self._outbox.get(timeout=1.0)
            except queue.Empty:
                dead = [p for p in self._processes if not p.is_alive()]
                if dead:
                    raise RuntimeError(
                        f"a worker process exited with {dead[0].exitcode}")

    def close(self) -> None:
        for inbox in self._inboxes:
            inbox.put(None)
        for process in self._processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()


# --------------------------------------------------------------------------
# One run


def _enqueue(server: knob_side.Server, study_id: int, params: dict) -> None:
    api = knob_client.api
    request = api.service_pb2.EnqueueTrialRequest(
        study_id=study_id, request_id=str(uuid.uuid4()),
        parameters={name: knob_client.python_to_value(value)
                    for name, value in params.items()})
    server.trials.EnqueueTrial(request, timeout=30)


def _outcome(trial) -> pruning_results.TrialOutcome:
    api = knob_client.api
    state = api.trial_pb2.TrialState.Name(trial.state).removeprefix(
        "TRIAL_STATE_")
    value = trial.values[0] if state == "COMPLETED" and trial.values else None
    steps = len({v.step for v in trial.intermediate_values})
    return pruning_results.TrialOutcome(trial.number, state, steps, value)


def run_study(server: knob_side.Server, group: WorkerGroup, run_name: str,
              table: CurveTable, pruner: str) -> dict:
    """Runs one study to its end with the group's workers and returns the
    run's record (pruning_results.record); a pruner the server refuses
    makes a record marked unavailable."""
    start = time.monotonic()
    outcomes: List[pruning_results.TrialOutcome] = []
    error = None
    try:
        try:
            study_id = server.create_study(run_name,
                                           study_config(table, pruner))
        except grpc.RpcError as refused:
            if refused.code() != grpc.StatusCode.INVALID_ARGUMENT:
                raise
            return pruning_results.record("knob", pruner, table, [],
                                          time.monotonic() - start,
                                          unavailable=refused.details())
        for params in table.params:
            _enqueue(server, study_id, params)
        errors = group.run(_Assignment(server.address, run_name,
                                       table.params, table.curves))
        error = "; ".join(errors) or None
        outcomes = [_outcome(t) for t in server.list_trials(study_id)]
    except grpc.RpcError as failed:
        error = f"{failed.code().name}: {failed.details()}"
    return pruning_results.record("knob", pruner, table, outcomes,
                                  time.monotonic() - start, error)

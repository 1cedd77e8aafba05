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

import time
import uuid
from typing import List

import grpc

import knob_client
import knob_side
import pruning_pruners
import pruning_results
from pruning_tasks import TASKS, CurveTable
from worker_group import WorkerGroup

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
    """The pruner names the server accepts."""
    config = knob_side.study_config(TASKS["synthetic"], "random", 0, 1)
    config.pruner.name = _PROBE_PRUNER
    return server.known_names(config, "pruner")


# --------------------------------------------------------------------------
# Worker processes


def _replay(payload):
    """The training function of a study: the trial's curve, step by step,
    stopping when told to. `payload` is (enqueued parameters, curves), in
    trial order."""
    import knob_worker

    params, curves = payload

    def objective(trial):
        expected = params[trial.number]
        if trial.params != expected:
            raise ValueError(f"trial {trial.number} has parameters "
                             f"{trial.params}, enqueued were {expected}")
        curve = curves[trial.number]
        for step, value in enumerate(curve, start=1):
            if trial.report(step, value):
                raise knob_worker.TrialPruned()
        return curve[-1]

    return objective


def worker_group(name: str, size: int) -> WorkerGroup:
    """`size` worker processes that replay the curves of pruning studies."""
    return WorkerGroup(name, size, knob_client.load_api, _replay,
                       retry=_RETRY)


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
        errors = group.run(server.address, run_name,
                           (table.params, table.curves))
        error = "; ".join(errors) or None
        outcomes = [_outcome(t) for t in server.list_trials(study_id)]
    except grpc.RpcError as failed:
        error = f"{failed.code().name}: {failed.details()}"
    return pruning_results.record("knob", pruner, table, outcomes,
                                  time.monotonic() - start, error)

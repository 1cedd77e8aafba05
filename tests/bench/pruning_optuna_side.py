"""Optuna's side of the pruning benchmark: the same trials (enqueued in
the curve table's order) and curves with Optuna's pruners. This module
runs a study in one process, one trial at a time, with in-memory storage
(the benchmark's --workers=1); pruning_optuna_workers.py runs it with
several worker processes on a shared storage. Written against Debian's
python3-optuna (3.1).

The study is named after the run because Optuna's HyperbandPruner
assigns trials to brackets by a hash of the study name and trial number:
a fixed name makes its runs repeatable.
"""

from __future__ import annotations

import importlib
import signal
import time
import warnings

import pruning_pruners
import pruning_results
from optuna_side import suggest
from pruning_tasks import TASKS, CurveTable


def prepare() -> None:
    """Imports Optuna once per process, so that the first study's time is
    not spent on it. The process ignores Ctrl-C: the benchmark's own
    process ends the study under way and then the process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    importlib.import_module("optuna")


# Optuna's trial states under the names Knob gives them.
_STATES = {"COMPLETE": "COMPLETED", "PRUNED": "PRUNED", "FAIL": "FAILED",
           "RUNNING": "RUNNING", "WAITING": "WAITING"}


def study_name(table: CurveTable, pruner: str) -> str:
    return f"pruning-{table.task}-{pruner}-s{table.seed}"


def make_pruner(table: CurveTable, pruner: str):
    """The run's Optuna pruner, a new one for each process that uses it."""
    return pruning_pruners.make_optuna_pruner(pruner, TASKS[table.task],
                                              table.steps)


def make_sampler(table: CurveTable):
    """Never consulted for the table's trials, which are all enqueued."""
    import optuna

    return optuna.samplers.RandomSampler(seed=table.seed)


def create_study(table: CurveTable, pruner: str, storage=None):
    """The run's study on `storage` (in memory when None), with every
    trial of the table enqueued in order."""
    import optuna

    study = optuna.create_study(
        study_name=study_name(table, pruner), storage=storage,
        direction="minimize", sampler=make_sampler(table),
        pruner=make_pruner(table, pruner))
    for params in table.params:
        study.enqueue_trial(params)
    return study


def objective(table: CurveTable):
    """The training function of the run's trials: replays the trial's
    curve step by step and stops when the pruner says so.

    A trial numbered beyond the table is not one of the enqueued ones:
    with several workers, one that saw a queued trial left may find the
    queue empty by the time it asks for it, and Optuna then starts a
    trial of its own. Such a trial is not evaluated; it stops the worker
    and ends pruned, with no intermediate value (so no pruner counts it),
    and the run's outcomes leave it out."""
    import optuna

    task = TASKS[table.task]

    def replay(trial):
        if trial.number >= len(table.curves):
            trial.study.stop()
            raise optuna.TrialPruned()
        params = {param.name: suggest(trial, param) for param in task.space}
        expected = table.params[trial.number]
        if params != expected:
            raise ValueError(f"trial {trial.number} has parameters {params}, "
                             f"enqueued were {expected}")
        curve = table.curves[trial.number]
        for step, value in enumerate(curve, start=1):
            trial.report(value, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return curve[-1]

    return replay


def outcomes(table: CurveTable, study):
    """The outcomes of the table's trials as the study recorded them."""
    import optuna

    return [
        pruning_results.TrialOutcome(
            t.number, _STATES[t.state.name], len(t.intermediate_values),
            t.value if t.state == optuna.trial.TrialState.COMPLETE else None)
        for t in study.get_trials(deepcopy=False)
        if t.number < len(table.curves)]


def run_study(table: CurveTable, pruner: str) -> dict:
    """Runs one study in this process, one trial at a time, and returns
    the run's record (pruning_results.record)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    start = time.monotonic()
    error = None
    with warnings.catch_warnings():
        # Experimental-feature notices, once per study.
        warnings.simplefilter("ignore")
        study = create_study(table, pruner)
        try:
            study.optimize(objective(table), n_trials=len(table.params))
        except Exception as caught:  # Recorded with the run.
            error = f"{type(caught).__name__}: {caught}"
    return pruning_results.record("optuna", pruner, table,
                                  outcomes(table, study),
                                  time.monotonic() - start, error)

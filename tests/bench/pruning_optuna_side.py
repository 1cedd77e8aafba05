"""Optuna's side of the pruning benchmark: the same trials (enqueued in
the curve table's order) and curves with Optuna's pruners, one process,
one trial at a time, in-memory storage. Written against Debian's
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


def run_study(table: CurveTable, pruner: str) -> dict:
    """Runs one study and returns the run's record
    (pruning_results.record)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    task = TASKS[table.task]
    start = time.monotonic()

    def objective(trial):
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

    error = None
    with warnings.catch_warnings():
        # Experimental-feature notices, once per study.
        warnings.simplefilter("ignore")
        study = optuna.create_study(
            study_name=f"pruning-{table.task}-{pruner}-s{table.seed}",
            direction="minimize",
            sampler=optuna.samplers.RandomSampler(seed=table.seed),
            pruner=pruning_pruners.make_optuna_pruner(pruner, task,
                                                      table.steps))
        for params in table.params:
            study.enqueue_trial(params)
        try:
            study.optimize(objective, n_trials=len(table.params))
        except Exception as caught:  # Recorded with the run.
            error = f"{type(caught).__name__}: {caught}"
    outcomes = [
        pruning_results.TrialOutcome(
            t.number, _STATES[t.state.name], len(t.intermediate_values),
            t.value if t.state == optuna.trial.TrialState.COMPLETE else None)
        for t in study.trials]
    return pruning_results.record("optuna", pruner, table, outcomes,
                                  time.monotonic() - start, error)

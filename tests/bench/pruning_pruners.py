"""The pruners the benchmark compares, each set up alike on both sides:
Knob's by name and options in the study's config, Optuna's (3.1) by
constructor.

  name                Knob options                 Optuna
  none                -                            NopPruner()
  median              defaults                     MedianPruner()
  percentile          percentile 25                PercentilePruner(25)
  successive_halving  min_resource 1,              SuccessiveHalvingPruner(
                      reduction_factor 3,            1, 3, 0)
                      min_early_stopping_rate 0
  hyperband           min_resource 1,              HyperbandPruner(1, T, 3)
                      max_resource T (the steps),
                      reduction_factor 3
  threshold           upper U                      ThresholdPruner(upper=U)
  patience            patience 5, min_delta 0,     PatientPruner(
                      wrapped median                 MedianPruner(), 5, 0)

U is the task's `diverged_above` (twice an untrained model's loss). The
options every Knob pruner shares (n_startup_trials 5, n_warmup_steps 0,
interval_steps 1, n_min_trials 1) stay at their defaults, which are
Optuna's for the median and percentile pruners; Optuna's other pruners
have no startup phase. Optuna's successive halving would otherwise pick
its own min_resource and reduction factor 4: both are set to Knob's
defaults here so that the pair runs the same algorithm.
"""

from __future__ import annotations

from typing import Dict

from pruning_tasks import Task

PRUNERS = ("none", "median", "percentile", "successive_halving", "hyperband",
           "threshold", "patience")

PATIENCE = 5


def knob_options(name: str, task: Task, steps: int) -> Dict[str, object]:
    """The options of Knob's pruner `name` on `task` with `steps` steps."""
    if name == "percentile":
        return {"percentile": 25}
    if name == "successive_halving":
        return {"min_resource": 1, "reduction_factor": 3,
                "min_early_stopping_rate": 0}
    if name == "hyperband":
        return {"min_resource": 1, "max_resource": steps,
                "reduction_factor": 3}
    if name == "threshold":
        return {"upper": task.diverged_above}
    if name == "patience":
        return {"patience": PATIENCE, "min_delta": 0.0, "wrapped": "median"}
    if name in PRUNERS:
        return {}
    raise ValueError(f"unknown pruner {name!r}; known: {', '.join(PRUNERS)}")


def make_optuna_pruner(name: str, task: Task, steps: int):
    """Optuna's counterpart of Knob's pruner `name`."""
    from optuna import pruners

    if name == "none":
        return pruners.NopPruner()
    if name == "median":
        return pruners.MedianPruner()
    if name == "percentile":
        return pruners.PercentilePruner(25.0)
    if name == "successive_halving":
        return pruners.SuccessiveHalvingPruner(
            min_resource=1, reduction_factor=3, min_early_stopping_rate=0)
    if name == "hyperband":
        return pruners.HyperbandPruner(min_resource=1, max_resource=steps,
                                       reduction_factor=3)
    if name == "threshold":
        return pruners.ThresholdPruner(upper=task.diverged_above)
    if name == "patience":
        return pruners.PatientPruner(pruners.MedianPruner(), PATIENCE,
                                     min_delta=0.0)
    raise ValueError(f"unknown pruner {name!r}; known: {', '.join(PRUNERS)}")

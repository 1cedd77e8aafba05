"""The record of one pruning-benchmark run: one side, pruner, task and
seed. Both sides fill it from what their study recorded, not from what
the workers believe they did: a trial's steps are the intermediate values
the study holds for it.

Records are kept as JSON Lines with results.Writer (a settings header,
then one record per run as runs finish).
"""

from __future__ import annotations

import dataclasses
from typing import List, Optional

from pruning_tasks import CurveTable


@dataclasses.dataclass
class TrialOutcome:
    number: int
    state: str  # "COMPLETED", "PRUNED", "FAILED", …
    steps: int  # Intermediate values reported.
    value: Optional[float]  # The final value, when COMPLETED.


def record(side: str, pruner: str, table: CurveTable,
           outcomes: List[TrialOutcome], seconds: float,
           error: Optional[str] = None,
           unavailable: Optional[str] = None) -> dict:
    """The run's record. `best` is the lowest final value of its completed
    trials; `reference_steps` and `reference_best` are those of the same
    trials without pruning (every trial trained to the end)."""
    outcomes = sorted(outcomes, key=lambda o: o.number)
    values = [o.value for o in outcomes
              if o.state == "COMPLETED" and o.value is not None]
    states = [o.state for o in outcomes]
    trials = len(table.curves)
    finished = states.count("COMPLETED") + states.count("PRUNED")
    if error is None and unavailable is None and finished < trials:
        error = f"only {finished} of {trials} trials finished"
    return {
        "side": side,
        "pruner": pruner,
        "task": table.task,
        "seed": table.seed,
        "trials": trials,
        "steps_per_trial": table.steps,
        "total_steps": sum(o.steps for o in outcomes),
        "completed": states.count("COMPLETED"),
        "pruned": states.count("PRUNED"),
        "best": min(values) if values else None,
        "reference_steps": table.reference_steps,
        "reference_best": table.reference_best,
        "seconds": round(seconds, 3),
        "error": error,
        "unavailable": unavailable,
        "trial_steps": [o.steps for o in outcomes],
        "trial_states": states,
    }


def label(run: dict) -> str:
    """"knob:median", "optuna:hyperband", …"""
    return f"{run['side']}:{run['pruner']}"

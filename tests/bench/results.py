"""The records of benchmark runs, and the files they are kept in.

A results file is JSON Lines: first a header ({"settings": …}), then one
record per run, appended as runs finish so that an interrupted benchmark
keeps what it measured. Next to it a CSV holds the same runs without the
per-trial values, for spreadsheets.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from pathlib import Path
from typing import Iterable, List, Optional, Tuple

from problems import Problem

CSV_COLUMNS = ("side", "sampler", "problem", "seed", "trials", "completed",
               "best_observed", "score", "seconds", "error", "unsupported")


@dataclasses.dataclass
class Outcome:
    """What one side measured in one run."""

    # Observed objective value by trial number; None for a trial that did
    # not complete.
    observed: List[Optional[float]] = dataclasses.field(default_factory=list)
    # Parameters of the trial with the lowest observed value (the earliest
    # one among equals), and that value.
    best_params: Optional[dict] = None
    best_observed: Optional[float] = None
    seconds: float = 0.0
    error: Optional[str] = None
    # Why the sampler refused the study (e.g. the grid sampler and a
    # continuous space); the run then has no trials, and is no failure.
    unsupported: Optional[str] = None

    def add(self, number: int, value: Optional[float], params: dict) -> None:
        while len(self.observed) <= number:
            self.observed.append(None)
        self.observed[number] = value
        if value is not None and (self.best_observed is None or
                                  value < self.best_observed):
            self.best_observed = value
            self.best_params = params


def record(side: str, sampler: str, problem: Problem, seed: int,
           trials: int, outcome: Outcome) -> dict:
    """The run's record. Its `score` is the noiseless value of the trial
    with the best observed value: what a user who picks the best trial of
    a noisy study actually gets."""
    best = outcome.best_observed
    score = best
    if best is not None and problem.noise:
        score = problem.evaluate(outcome.best_params)
    return {
        "side": side,
        "sampler": sampler,
        "problem": problem.name,
        "seed": seed,
        "trials": trials,
        "completed": sum(v is not None for v in outcome.observed),
        "best_observed": best,
        "score": score,
        "seconds": round(outcome.seconds, 3),
        "error": outcome.error,
        "unsupported": outcome.unsupported,
        "observed": outcome.observed,
    }


def label(run: dict) -> str:
    """"knob:tpe", "optuna:cmaes", …"""
    return f"{run['side']}:{run['sampler']}"


class Writer:
    """Appends runs to `path` (JSON Lines) as they finish."""

    def __init__(self, path: Path, settings: dict):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w") as out:
            out.write(json.dumps({"settings": settings}) + "\n")

    def add(self, run: dict) -> None:
        with open(self.path, "a") as out:
            out.write(json.dumps(run) + "\n")


def load(path: Path) -> Tuple[dict, List[dict]]:
    """(settings, runs) of a results file."""
    settings, runs = {}, []
    with open(path) as lines:
        for line in lines:
            entry = json.loads(line)
            if "settings" in entry:
                settings = entry["settings"]
            else:
                runs.append(entry)
    return settings, runs


def write_csv(path: Path, runs: Iterable[dict]) -> None:
    with open(path, "w", newline="") as out:
        writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for run in runs:
            writer.writerow({k: ("" if run[k] is None else run[k])
                             for k in CSV_COLUMNS})


def is_finite(value: Optional[float]) -> bool:
    return value is not None and math.isfinite(value)

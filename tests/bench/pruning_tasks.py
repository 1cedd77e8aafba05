"""The tasks of the pruning benchmark and their curve tables.

A task is a search space and a learning-curve function: given a trial's
parameters, the number of steps, the run's seed and the trial's number,
it returns the validation loss after each step (epoch), the value a
worker reports as intermediate value; the last one is the trial's final
value. Every task is minimized.

The benchmark compares pruners, not training noise, so it fixes the
trials up front: for a (task, seed) the curve table holds the parameters
of every trial (drawn uniformly at random, seeded) and their full
curves. Both sides enqueue the same parameters in the same order and
replay the same curves, so a run's outcome depends only on which steps
its pruner let through. Tables are computed once and cached on disk,
keyed by the task, seed, size and a digest of the code that makes them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import zlib
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import numpy as np

import pruning_synthetic
import pruning_training
from search_space import Param, check_space

CurveFunction = Callable[[dict, int, int, int], List[float]]


@dataclasses.dataclass(frozen=True)
class Task:
    name: str
    description: str
    space: Tuple[Param, ...]
    curve: CurveFunction
    # Steps per trial unless --steps says otherwise.
    default_steps: int
    # The threshold pruner's `upper`: twice the loss of an untrained
    # model, so that it stops diverged trials only.
    diverged_above: float


TASKS: Dict[str, Task] = {
    task.name: task for task in [
        Task("synthetic",
             "exponential decay to a parameter-dependent asymptote, with "
             "overfitting, divergence and 2% noise (pruning_synthetic.py)",
             pruning_synthetic.SPACE, pruning_synthetic.curve, 50,
             2 * pruning_synthetic.INITIAL_LOSS),
        Task("sgd-digits",
             "SGD logistic regression on digits, validation log-loss per "
             "epoch", pruning_training.SGD_CLASSIFIER_SPACE,
             pruning_training.sgd_digits, 40, 2 * math.log(10)),
        Task("sgd-diabetes",
             "SGD linear regression on diabetes, validation MSE of the "
             "standardized target per epoch",
             pruning_training.SGD_REGRESSOR_SPACE,
             pruning_training.sgd_diabetes, 40, 2.0),
        Task("mlp-digits",
             "one-hidden-layer MLP (Adam) on digits, validation log-loss "
             "per epoch", pruning_training.MLP_SPACE,
             pruning_training.mlp_digits, 30, 2 * math.log(10)),
    ]
}

for _task in TASKS.values():
    check_space(_task.space)

QUICK_TASKS = ("synthetic", "sgd-diabetes")


@dataclasses.dataclass(frozen=True)
class CurveTable:
    """The trials of one (task, seed): parameters and curves by trial
    number, every curve `steps` long."""

    task: str
    seed: int
    steps: int
    params: List[dict]
    curves: List[List[float]]

    @property
    def reference_steps(self) -> int:
        """The steps a run without pruning trains: every trial to the end."""
        return len(self.curves) * self.steps

    @property
    def reference_best(self) -> float:
        """The best final value without pruning."""
        return min(curve[-1] for curve in self.curves)


def draw_params(space, rng: np.random.Generator) -> dict:
    """One point drawn uniformly (in log space for log-scale parameters).
    The spaces here have no conditional parameters."""
    params = {}
    for param in space:
        if param.kind == "categorical":
            params[param.name] = param.choices[int(rng.integers(
                len(param.choices)))]
        elif param.kind == "float":
            low, high = param.low, param.high
            if param.log:
                params[param.name] = float(math.exp(
                    rng.uniform(math.log(low), math.log(high))))
            else:
                params[param.name] = float(rng.uniform(low, high))
        else:
            # Half a step beyond each end, so that the end values are as
            # likely as the others.
            low, high = param.low - 0.5, param.high + 0.5
            if param.log:
                drawn = math.exp(rng.uniform(math.log(low), math.log(high)))
            else:
                drawn = rng.uniform(low, high)
            params[param.name] = int(min(param.high,
                                         max(param.low, round(drawn))))
    return params


def compute_table(task_name: str, seed: int, trials: int,
                  steps: int) -> CurveTable:
    """Draws the trials' parameters and trains every trial to the end."""
    task = TASKS[task_name]
    rng = np.random.default_rng([seed, zlib.crc32(task_name.encode())])
    params = [draw_params(task.space, rng) for _ in range(trials)]
    curves = [task.curve(p, steps, seed, number)
              for number, p in enumerate(params)]
    return CurveTable(task_name, seed, steps, params, curves)


def _code_digest() -> str:
    """What a cached table depends on besides its key: the code that
    makes it and the versions of the libraries that train."""
    import sklearn

    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in ("pruning_tasks.py", "pruning_training.py",
                 "pruning_synthetic.py", "search_space.py"):
        digest.update((here / name).read_bytes())
    digest.update(f"{sklearn.__version__} {np.__version__}".encode())
    return digest.hexdigest()[:12]


def load_or_compute_table(cache: Path, task_name: str, seed: int,
                          trials: int, steps: int) -> Tuple[CurveTable, bool]:
    """(table, whether it came from the cache); computes and stores it when
    the cache has none."""
    path = cache / (f"{task_name}-s{seed}-n{trials}-t{steps}-"
                    f"{_code_digest()}.json")
    if path.is_file():
        data = json.loads(path.read_text())
        return CurveTable(task_name, seed, steps, data["params"],
                          data["curves"]), True
    table = compute_table(task_name, seed, trials, steps)
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"params": table.params,
                                   "curves": table.curves}))
    partial.replace(path)
    return table, False

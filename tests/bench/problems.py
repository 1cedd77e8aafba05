"""The problems of the sampler benchmark, defined once for both sides.

Every problem is minimized. `observe` is what a trial reports (with noise
for noisy problems); `evaluate` is the noiseless value a run is scored by.
The noise of trial `number` in a run with `seed` is the same on both sides,
so both see the same noise sequence.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Dict, Optional, Tuple

import numpy as np

import benchmark_functions as bf
import tuning_tasks
from search_space import (Param, check_space, choice, floats, ints, vector,
                          when)


@dataclasses.dataclass(frozen=True)
class Problem:
    name: str
    description: str
    space: Tuple[Param, ...]
    evaluate: Callable[[dict], float]
    # The known minimum; None when unknown (the real tuning tasks).
    optimum: Optional[float] = None
    # Standard deviation of the Gaussian noise on observed values.
    noise: float = 0.0
    # Loads what `evaluate` needs (datasets, modules) ahead of the first
    # evaluation.
    prepare: Callable[[], None] = lambda: None

    def observe(self, params: dict, seed: int, number: int) -> float:
        value = self.evaluate(params)
        if self.noise == 0.0:
            return value
        rng = np.random.default_rng([seed, number])
        return value + self.noise * float(rng.standard_normal())


def _xs(params: dict, prefix: str, dimension: int) -> np.ndarray:
    return np.array([params[f"{prefix}{i}"] for i in range(dimension)])


def _on_vector(function: Callable[[np.ndarray], float],
               dimension: int) -> Callable[[dict], float]:
    return lambda params: function(_xs(params, "x", dimension))


# Mixed problem: the best float offset depends on a categorical parameter,
# ints and a log-scale float have interior optima, another categorical
# only adds an offset.
_MIXED_SIGN = {"negative": -1.0, "zero": 0.0, "positive": 1.0}
_MIXED_KERNEL_OFFSET = {"a": 0.6, "b": 0.0, "c": 1.2, "d": 0.3}


def _mixed(params: dict) -> float:
    target = 0.5 * _MIXED_SIGN[params["sign"]]
    return float(
        np.sum((_xs(params, "x", 3) - target)**2) +
        np.sum(((_xs(params, "n", 3) - 7) / 4)**2) +
        (np.log10(params["lr"]) + 2)**2 +
        _MIXED_KERNEL_OFFSET[params["kernel"]])


# Conditional problem: three branches with their own parameters and
# different attainable minima (sphere 0.5, rosenbrock 0.25, ackley 0 but
# hard to reach), plus a log-scale parameter shared by all branches.
def _conditional(params: dict) -> float:
    shared = np.log10(params["scale"])**2
    family = params["family"]
    if family == "sphere":
        return 0.5 + float(np.sum((_xs(params, "s", 3) - 1)**2)) + shared
    if family == "rosenbrock":
        return (0.25 + bf.rosenbrock(_xs(params, "r", 2)) / 10 +
                0.2 * (params["r_steps"] - 3)**2 + shared)
    return bf.ackley(_xs(params, "a", 2)) + shared


_ELLIPSOID_CENTER = np.linspace(-2.0, 3.0, 20)

_SVC_SPACE = (
    choice("kernel", ["rbf", "poly", "sigmoid"]),
    floats("C", 1e-2, 1e3, log=True),
    floats("gamma", 1e-4, 1.0, log=True),
    when(ints("degree", 2, 5), "kernel", "poly"),
    when(floats("coef0", -1.0, 1.0), "kernel", "poly", "sigmoid"),
)

_KERNEL_RIDGE_SPACE = (
    choice("kernel", ["rbf", "laplacian", "poly"]),
    floats("alpha", 1e-4, 10.0, log=True),
    floats("gamma", 1e-4, 1.0, log=True),
    when(ints("degree", 2, 4), "kernel", "poly"),
)

PROBLEMS: Dict[str, Problem] = {
    problem.name: problem for problem in [
        Problem("branin", "Branin, 2-D",
                (floats("x0", -5.0, 10.0), floats("x1", 0.0, 15.0)),
                _on_vector(bf.branin, 2), bf.BRANIN_MINIMUM),
        Problem("hartmann6", "Hartmann, 6-D", vector("x", 6, 0.0, 1.0),
                _on_vector(bf.hartmann6, 6), bf.HARTMANN6_MINIMUM),
        Problem("rosenbrock10", "Rosenbrock, 10-D",
                vector("x", 10, -5.0, 10.0), _on_vector(bf.rosenbrock, 10),
                0.0),
        Problem("ackley10", "Ackley, 10-D",
                vector("x", 10, -32.768, 32.768), _on_vector(bf.ackley, 10),
                0.0),
        Problem("levy5", "Levy, 5-D", vector("x", 5, -10.0, 10.0),
                _on_vector(bf.levy, 5), 0.0),
        Problem("styblinski-tang8", "Styblinski-Tang, 8-D",
                vector("x", 8, -5.0, 5.0), _on_vector(bf.styblinski_tang, 8),
                8 * bf.STYBLINSKI_TANG_MINIMUM_PER_DIMENSION),
        Problem("noisy-hartmann6",
                "Hartmann, 6-D, Gaussian noise sd 0.2 on observations",
                vector("x", 6, 0.0, 1.0), _on_vector(bf.hartmann6, 6),
                bf.HARTMANN6_MINIMUM, noise=0.2),
        Problem("ellipsoid20", "shifted ellipsoid, 20-D, condition 1e3",
                vector("x", 20, -5.0, 5.0),
                _on_vector(lambda x: bf.ellipsoid(x, _ELLIPSOID_CENTER, 1e3),
                           20), 0.0),
        Problem("mixed",
                "3 floats, 3 ints, a log float and 2 categoricals, 9-D",
                vector("x", 3, -3.0, 3.0) +
                tuple(ints(f"n{i}", 0, 20) for i in range(3)) +
                (floats("lr", 1e-4, 1.0, log=True),
                 choice("sign", list(_MIXED_SIGN)),
                 choice("kernel", list(_MIXED_KERNEL_OFFSET))),
                _mixed, 0.0),
        Problem("conditional",
                "3 branches (sphere 3-D, rosenbrock 2-D + int, ackley 2-D) "
                "under a categorical, plus a shared log float",
                (choice("family", ["sphere", "rosenbrock", "ackley"]),
                 floats("scale", 0.1, 10.0, log=True)) +
                tuple(when(p, "family", "sphere")
                      for p in vector("s", 3, -5.0, 5.0)) +
                tuple(when(p, "family", "rosenbrock")
                      for p in vector("r", 2, -2.0, 2.0)) +
                (when(ints("r_steps", 1, 6), "family", "rosenbrock"),) +
                tuple(when(p, "family", "ackley")
                      for p in vector("a", 2, -5.0, 5.0)),
                _conditional, 0.0),
        Problem("svc-breast-cancer",
                "SVC on breast_cancer, 3-fold CV error; kernel choice with "
                "conditional degree and coef0",
                _SVC_SPACE, tuning_tasks.svc_breast_cancer_error,
                prepare=tuning_tasks.prepare_svc_breast_cancer),
        Problem("kernel-ridge-diabetes",
                "kernel ridge on diabetes, 3-fold CV MSE; kernel choice "
                "with conditional degree",
                _KERNEL_RIDGE_SPACE, tuning_tasks.kernel_ridge_diabetes_mse,
                prepare=tuning_tasks.prepare_kernel_ridge_diabetes),
    ]
}

for _problem in PROBLEMS.values():
    check_space(_problem.space)



def prepare_problems(names) -> None:
    """Prepares the named problems in this process."""
    for name in names:
        PROBLEMS[name].prepare()


QUICK_PROBLEMS = ("branin", "hartmann6", "mixed", "conditional",
                  "svc-breast-cancer")

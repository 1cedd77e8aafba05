"""The studies of the importance benchmark: synthetic objectives whose
relevant parameters are known, over numeric, log-scale, stepped-int and
categorical parameters, each evaluated on trials drawn uniformly at random
(log-uniformly for log-scale parameters) from a fixed seed, with a little
seeded Gaussian noise on the objective.

Most functions give every parameter a graded effect: the rank correlation
of two importance vectors says little about parameters that both score
near zero, whose order is noise. One study (few-relevant) has three
irrelevant parameters anyway, as real studies do, to show what that noise
costs the correlation.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Callable, Dict, List, Sequence, Tuple, Union

import numpy

import search_space

ParamValue = Union[float, int, str]


class Param(search_space.Param):
    """A parameter of the sampler benchmark's kind (none is conditional
    here), so that knob_side.study_config translates the space, that also
    draws its own values."""

    def sample(self, rng: numpy.random.Generator) -> ParamValue:
        if self.kind == "categorical":
            return self.choices[int(rng.integers(len(self.choices)))]
        if self.kind == "float":
            if self.log:
                return float(math.exp(rng.uniform(math.log(self.low),
                                                  math.log(self.high))))
            return float(rng.uniform(self.low, self.high))
        if self.log:
            value = math.exp(rng.uniform(math.log(self.low - 0.5),
                                         math.log(self.high + 0.5)))
            return int(min(max(round(value), self.low), self.high))
        step = self.step or 1
        points = (int(self.high) - int(self.low)) // step + 1
        return int(self.low) + step * int(rng.integers(points))


@dataclasses.dataclass(frozen=True)
class Problem:
    name: str
    space: Sequence[Param]
    objective: Callable[[Dict[str, ParamValue]], float]
    # Standard deviation of the Gaussian noise added to the objective.
    noise: float
    # What drives the objective, for people reading the table.
    about: str


def _branin(x1: float, x2: float) -> float:
    b = 5.1 / (4 * math.pi ** 2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(
        x1) + 10


PROBLEMS: Dict[str, Problem] = {p.name: p for p in [
    Problem(
        "linear-graded",
        [Param(n, "float") for n in "abcde"],
        lambda p: 5 * p["a"] + 3 * p["b"] + 2 * p["c"] + p["d"] + 0.5 * p["e"],
        0.05, "weights 5, 3, 2, 1, 0.5"),
    Problem(
        "quadratic-bowl",
        [Param(f"x{i}", "float", -1, 1) for i in range(5)],
        lambda p: sum((5 - i) ** 1.5 * p[f"x{i}"] ** 2 for i in range(5)),
        0.05, "x0 strongest, x4 weakest, each squared"),
    Problem(
        "mixed-training",
        [Param("lr", "float", 1e-5, 1e-1, log=True),
         Param("optimizer", "categorical", choices=("sgd", "adam", "rmsprop")),
         Param("layers", "int", 1, 8),
         Param("dropout", "float", 0.0, 0.5)],
        lambda p: ((math.log10(p["lr"]) + 3) ** 2
                   + {"sgd": 2.0, "adam": 0.0, "rmsprop": 0.7}[p["optimizer"]]
                   + 0.15 * abs(p["layers"] - 4) + 1.0 * p["dropout"]),
        0.1, "lr (log) >> optimizer > layers > dropout"),
    Problem(
        "log-scales",
        [Param("lr", "float", 1e-5, 1.0, log=True),
         Param("weight_decay", "float", 1e-6, 1e-2, log=True),
         Param("batch", "int", 16, 512, log=True),
         Param("momentum", "float", 0.0, 0.99)],
        lambda p: (abs(math.log10(p["lr"]) + 2.5)
                   + 0.5 * abs(math.log10(p["weight_decay"]) + 4)
                   + 0.2 * abs(math.log2(p["batch"]) - 6)
                   + 0.3 * p["momentum"]),
        0.05, "lr > weight_decay > batch > momentum, all but momentum in log"),
    Problem(
        "categorical-heavy",
        [Param("model", "categorical",
               choices=("linear", "tree", "forest", "boosting", "knn", "svm")),
         Param("scaler", "categorical", choices=("none", "standard",
                                                 "minmax", "robust")),
         Param("balanced", "categorical", choices=("yes", "no")),
         Param("alpha", "float", 0.0, 1.0)],
        lambda p: ({"linear": 3.0, "tree": 2.0, "forest": 0.5, "boosting": 0.0,
                    "knn": 2.5, "svm": 1.0}[p["model"]]
                   + {"none": 1.2, "standard": 0.0, "minmax": 0.3,
                      "robust": 0.2}[p["scaler"]]
                   + (0.25 if p["balanced"] == "no" else 0.0)
                   + 0.4 * p["alpha"]),
        0.1, "model > scaler > alpha > balanced"),
    Problem(
        "stepped-ints",
        [Param("n_estimators", "int", 50, 500, step=50),
         Param("max_depth", "int", 2, 12),
         Param("min_samples", "int", 1, 20),
         Param("subsample", "float", 0.5, 1.0)],
        lambda p: (4 / math.sqrt(p["n_estimators"] / 50)
                   + 0.3 * abs(p["max_depth"] - 7)
                   + 0.02 * p["min_samples"] + 0.5 * (1 - p["subsample"])),
        0.05, "n_estimators > max_depth > min_samples > subsample"),
    Problem(
        "branin-plus",
        [Param("x1", "float", -5, 10), Param("x2", "float", 0, 15),
         Param("shift", "float", 0, 1)],
        lambda p: _branin(p["x1"], p["x2"]) + 5 * p["shift"],
        0.5, "Branin's x1 and x2 (which interact) > shift"),
    Problem(
        "interaction",
        [Param("x", "float"), Param("y", "float"), Param("z", "float"),
         Param("w", "float")],
        lambda p: 4 * p["x"] * p["y"] + 1.5 * p["z"] + 0.5 * p["w"] ** 2,
        0.05, "x*y product (main effects and an interaction) > z > w"),
    Problem(
        "few-relevant",
        [Param("lr", "float", 1e-4, 1e-1, log=True),
         Param("units", "int", 16, 256, step=16),
         Param("activation", "categorical", choices=("relu", "tanh", "gelu")),
         Param("seed_a", "float"), Param("seed_b", "int", 0, 9),
         Param("tag", "categorical", choices=("x", "y"))],
        lambda p: (2 * (math.log10(p["lr"]) + 2.5) ** 2
                   + 0.004 * abs(p["units"] - 128)
                   + {"relu": 0.0, "tanh": 0.2, "gelu": 0.05}[
                       p["activation"]]),
        0.05, "lr > units > activation; seed_a, seed_b and tag irrelevant"),
]}


def draw_trials(problem: Problem, trials: int,
                seed: int) -> List[Tuple[Dict[str, ParamValue], float]]:
    """`trials` (parameters, value) pairs, the same for the same seed."""
    rng = numpy.random.default_rng(seed)
    drawn = []
    for _ in range(trials):
        params = {param.name: param.sample(rng) for param in problem.space}
        value = problem.objective(params) + problem.noise * rng.normal()
        drawn.append((params, float(value)))
    return drawn

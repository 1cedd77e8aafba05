"""Optuna's side of the importance benchmark: the same trials, with the
same distributions, added to an in-memory study and assessed by
FanovaImportanceEvaluator (Debian's python3-optuna).
"""

from __future__ import annotations

import time
from typing import Dict, List, Tuple

import optuna

from importance_problems import Param, ParamValue, Problem


def _distribution(param: Param) -> optuna.distributions.BaseDistribution:
    if param.kind == "float":
        return optuna.distributions.FloatDistribution(
            param.low, param.high, log=param.log)
    if param.kind == "int":
        return optuna.distributions.IntDistribution(
            int(param.low), int(param.high), log=param.log,
            step=param.step or 1)
    return optuna.distributions.CategoricalDistribution(param.choices)


def importances(problem: Problem, seed: int,
                drawn: List[Tuple[Dict[str, ParamValue], float]]
                ) -> Tuple[Dict[str, float], float]:
    """Optuna's importances of the drawn trials, and the seconds
    FanovaImportanceEvaluator.evaluate took."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    distributions = {p.name: _distribution(p) for p in problem.space}
    study = optuna.create_study(direction="minimize")
    study.add_trials([
        optuna.trial.create_trial(params=params, distributions=distributions,
                                  value=value)
        for params, value in drawn])
    evaluator = optuna.importance.FanovaImportanceEvaluator(seed=seed)
    start = time.perf_counter()
    result = evaluator.evaluate(study)
    seconds = time.perf_counter() - start
    return dict(result), seconds

"""Optuna's side of the sampler benchmark: the same problems and seeds
with Optuna's samplers, one process, one trial at a time, in-memory
storage. Written against Debian's python3-optuna (3.1).

Samplers (name → construction):
  tpe      TPESampler(seed)                                 (Optuna's default)
  tpe-mv   TPESampler(multivariate=True, group=True, seed)
  cmaes    CmaEsSampler(seed); categorical and conditional parameters
           fall back to independent random sampling, as Optuna does
  qmc      QMCSampler(qmc_type="sobol", scramble=True, seed)
  random   RandomSampler(seed)
"""

from __future__ import annotations

import importlib
import signal
import time
import warnings

import results
from problems import PROBLEMS, prepare_problems
from search_space import Param, is_active

SAMPLERS = ("tpe", "tpe-mv", "cmaes", "qmc", "random")


def prepare(problems) -> None:
    """Imports Optuna and prepares the named problems, once per process, so
    that the first study's time is not spent on it. The process ignores
    Ctrl-C: the benchmark's own process ends the study under way and then
    the process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    importlib.import_module("optuna")
    prepare_problems(problems)


def make_sampler(name: str, seed: int):
    import optuna

    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "tpe-mv":
        return optuna.samplers.TPESampler(multivariate=True, group=True,
                                          seed=seed)
    if name == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    if name == "qmc":
        return optuna.samplers.QMCSampler(qmc_type="sobol", scramble=True,
                                          seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise ValueError(f"unknown Optuna sampler {name!r}; known: "
                     f"{', '.join(SAMPLERS)}")


def suggest(trial, param: Param):
    if param.kind == "float":
        return trial.suggest_float(param.name, param.low, param.high,
                                   log=param.log)
    if param.kind == "int":
        return trial.suggest_int(param.name, int(param.low), int(param.high),
                                 step=param.step or 1, log=param.log)
    return trial.suggest_categorical(param.name, list(param.choices))


def run_study(problem_name: str, sampler: str, seed: int,
              trials: int) -> dict:
    """Runs one study and returns the run's record (results.record)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    problem = PROBLEMS[problem_name]
    outcome = results.Outcome()
    start = time.monotonic()

    def objective(trial):
        params = {}
        for param in problem.space:
            if is_active(param, params):
                params[param.name] = suggest(trial, param)
        value = problem.observe(params, seed, trial.number)
        outcome.add(trial.number, value, params)
        return value

    with warnings.catch_warnings():
        # Experimental-feature and fallback notices, once per study.
        warnings.simplefilter("ignore")
        study = optuna.create_study(sampler=make_sampler(sampler, seed))
        try:
            study.optimize(objective, n_trials=trials)
        except Exception as error:  # Recorded with the run.
            outcome.error = f"{type(error).__name__}: {error}"
    outcome.seconds = time.monotonic() - start
    return results.record("optuna", sampler, problem, seed, trials, outcome)

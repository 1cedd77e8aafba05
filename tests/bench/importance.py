"""The importance benchmark's driver (run it through importance.sh): the
same trials of each problem to Knob's GetParamImportances and to Optuna's
FanovaImportanceEvaluator, both importance vectors side by side, their
Spearman rank correlation, and last the line

  importance: studies=<n> mean_spearman=<r> min_spearman=<r>
"""

from __future__ import annotations

import argparse
import sys

import bench_paths

bench_paths.add_client()

import numpy  # noqa: E402 (after the path set-up)
from scipy import stats  # noqa: E402

import importance_optuna_side  # noqa: E402
from importance_knob_side import KnobSide  # noqa: E402
from importance_problems import PROBLEMS, draw_trials  # noqa: E402


def _say(message: str) -> None:
    print(f"importance: {message}", file=sys.stderr, flush=True)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="importance.sh",
        description="Knob's parameter importances against Optuna's fANOVA, "
        "on the same trials.")
    parser.add_argument("--problems", default=",".join(PROBLEMS),
                        help="comma-separated, default all: %(default)s")
    parser.add_argument("--trials", type=int, default=200,
                        help="trials per study (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1,
                        help="problem i draws its trials, and both sides "
                        "seed their forests, with seed + i (default "
                        "%(default)s)")
    parser.add_argument("--server", help="HOST:PORT of a running "
                        "knob-server; default: start one with memory "
                        "storage ($KNOB_SERVER_BINARY)")
    arguments = parser.parse_args(argv)
    arguments.problems = arguments.problems.split(",")
    unknown = [name for name in arguments.problems if name not in PROBLEMS]
    if unknown:
        parser.error(f"unknown problems {unknown}; known: {list(PROBLEMS)}")
    if arguments.trials < 2:
        parser.error("--trials must be at least 2")
    return arguments


def spearman(knob: list, optuna: list) -> float:
    """Rank correlation of two importance vectors; 0 when either is
    constant (no ranking to agree with)."""
    if len(set(knob)) < 2 or len(set(optuna)) < 2:
        return 0.0
    return float(stats.spearmanr(knob, optuna).correlation)


def report_problem(problem, trials: int, knob: dict, optuna: dict,
                   knob_seconds: float, optuna_seconds: float) -> float:
    names = [param.name for param in problem.space]
    knob_vector = [knob.get(name, 0.0) for name in names]
    optuna_vector = [optuna.get(name, 0.0) for name in names]
    rho = spearman(knob_vector, optuna_vector)
    print(f"== {problem.name}: {problem.about} "
          f"({len(names)} parameters, {trials} trials)")
    width = max(len(name) for name in names + ["parameter"])
    print(f"   {'parameter':<{width}}  {'knob':>7}  {'optuna':>7}")
    order = sorted(names, key=lambda name: -knob.get(name, 0.0))
    for name in order:
        print(f"   {name:<{width}}  {knob.get(name, 0.0):7.4f}  "
              f"{optuna.get(name, 0.0):7.4f}")
    print(f"   spearman={rho:.3f}  knob {knob_seconds * 1000:.0f} ms "
          f"(GetParamImportances)  optuna {optuna_seconds * 1000:.0f} ms "
          f"(evaluate)", flush=True)
    return rho


def main(argv) -> int:
    arguments = parse_arguments(argv)
    process = None
    address = arguments.server
    if address is None:
        import server_process

        process = server_process.KnobServer().start()
        address = process.address
        _say(f"started knob-server on {address} with memory storage")
    knob_side = KnobSide(address)
    correlations = []
    try:
        for index, name in enumerate(arguments.problems):
            problem = PROBLEMS[name]
            seed = arguments.seed + index
            drawn = draw_trials(problem, arguments.trials, seed)
            _say(f"{name}: {arguments.trials} trials to Knob and Optuna")
            knob, knob_seconds = knob_side.importances(problem, seed, drawn)
            optuna, optuna_seconds = importance_optuna_side.importances(
                problem, seed, drawn)
            correlations.append(report_problem(
                problem, arguments.trials, knob, optuna, knob_seconds,
                optuna_seconds))
    finally:
        knob_side.close()
        if process is not None:
            process.stop()
    print(f"importance: studies={len(correlations)} "
          f"mean_spearman={numpy.mean(correlations):.3f} "
          f"min_spearman={numpy.min(correlations):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

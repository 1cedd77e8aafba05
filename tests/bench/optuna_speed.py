"""Optuna 3.1's cost per suggestion on the space of sampler_speed.cc, and
the table that puts it next to Knob's. Run by sampler_speed.sh.

For each Optuna sampler and history size n: an in-memory study gets n
COMPLETED trials at random points (optuna.trial.create_trial +
study.add_trials), valued by the same shifted sphere; then `study.ask()`
plus the ten `suggest_*` calls are timed, again and again, each trial told
its value afterwards (not timed) so that the history grows as in a run.
Median and mean of the calls after the first, in wall time and in CPU
time (time.process_time: what the suggestion cost, without the waits for
a core that other programs on the machine cause); repeats stop as
sampler_speed's do.

Counterparts: Knob's tpe ↔ tpe and tpe-mv (multivariate, group), cmaes ↔
CmaEsSampler, sobol ↔ QMCSampler (scrambled Sobol), random ↔
RandomSampler, nsga2 ↔ NSGAIISampler, auto ↔ tpe (Optuna's default);
gp has none: Optuna 3.1 has no GPSampler (it came with Optuna 3.6).

CmaEsSampler finds no CMA-ES state of its own in a synthetic history, so
it times a fresh start; its figure is a lower bound of a long run's.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

MIN_REPEATS = 3
SEED = 7

COUNTERPARTS = {
    "tpe": ("tpe", "tpe-mv"),
    "cmaes": ("cmaes",),
    "sobol": ("qmc",),
    "random": ("random",),
    "nsga2": ("nsga2",),
    "auto": ("tpe",),
}
NO_COUNTERPART = {"gp": "no GPSampler in Optuna 3.1 (added in 3.6)"}

# (sampler, n, limit in seconds, text).
TARGETS = (("tpe", 1000, 1e-3, "tpe <= 1 ms at n=1000"),
           ("gp", 500, 0.150, "gp <= 150 ms at n=500"),
           ("cmaes", None, 100e-6, "cmaes <= 100 us at every n"))


def distributions():
    from optuna.distributions import FloatDistribution, IntDistribution

    return {
        "x0": FloatDistribution(-5, 5),
        "x1": FloatDistribution(-5, 5),
        "x2": FloatDistribution(0, 1),
        "x3": FloatDistribution(-1, 3),
        "lr0": FloatDistribution(1e-5, 1, log=True),
        "lr1": FloatDistribution(1e-3, 10, log=True),
        "lr2": FloatDistribution(1e-8, 1e-2, log=True),
        "n0": IntDistribution(1, 100),
        "n1": IntDistribution(0, 50),
        "n2": IntDistribution(1, 1000, log=True),
    }


def _is_int(distribution) -> bool:
    from optuna.distributions import IntDistribution

    return isinstance(distribution, IntDistribution)


def test_function(params: dict, space: dict) -> float:
    """sampler_speed.cc's shifted sphere in unit-cube coordinates."""
    total = 0.0
    for i, (name, distribution) in enumerate(space.items()):
        low, high, x = distribution.low, distribution.high, params[name]
        if distribution.log:
            u = (np.log(x) - np.log(low)) / (np.log(high) - np.log(low))
        else:
            u = (x - low) / (high - low)
        total += (u - (0.2 + 0.06 * i))**2
    return float(total)


def make_sampler(name: str):
    import optuna

    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=SEED)
    import optuna_side

    return optuna_side.make_sampler(name, SEED)


def random_params(rng: np.random.Generator, space: dict) -> dict:
    params = {}
    for name, distribution in space.items():
        low, high = distribution.low, distribution.high
        if distribution.log:
            x = float(np.exp(rng.uniform(np.log(low), np.log(high))))
        else:
            x = float(rng.uniform(low, high))
        params[name] = int(round(x)) if _is_int(distribution) else x
    return params


def measure(sampler: str, size: int, budget: float, max_repeats: int,
            cap: float) -> tuple:
    """Seconds per suggestion, wall and CPU, one entry per timed trial."""
    import optuna

    space = distributions()
    rng = np.random.default_rng(SEED)
    study = optuna.create_study(sampler=make_sampler(sampler))
    history = []
    for _ in range(size):
        params = random_params(rng, space)
        history.append(optuna.trial.create_trial(
            params=params, distributions=space,
            value=test_function(params, space)))
    study.add_trials(history)
    seconds = []
    cpu_seconds = []
    total = 0.0
    for repeat in range(max_repeats):
        start = time.perf_counter()
        cpu_start = time.process_time()
        trial = study.ask()
        params = {}
        for name, distribution in space.items():
            if _is_int(distribution):
                params[name] = trial.suggest_int(
                    name, distribution.low, distribution.high,
                    log=distribution.log)
            else:
                params[name] = trial.suggest_float(
                    name, distribution.low, distribution.high,
                    log=distribution.log)
        elapsed = time.perf_counter() - start
        cpu_seconds.append(time.process_time() - cpu_start)
        study.tell(trial, test_function(params, space))
        seconds.append(elapsed)
        total += elapsed
        if repeat + 1 >= MIN_REPEATS and (total >= budget or total >= cap):
            break
    return seconds, cpu_seconds


def duration(seconds) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def both(median: float, mean: float) -> str:
    return f"{duration(median)} ({duration(mean)})"


def read_knob(path: Path) -> list:
    with open(path, newline="") as rows:
        knob = list(csv.DictReader(rows, delimiter="\t"))
    for row in knob:
        row["n"] = int(row["n"])
        for key in ("median", "mean", "median_cpu", "mean_cpu"):
            text = row[f"{key}_seconds"]
            row[key] = float(text) if text else None
    return knob


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--knob", type=Path, required=True,
                        help="sampler_speed's --tsv output")
    parser.add_argument("--budget", type=float, default=2.0)
    parser.add_argument("--max-repeats", type=int, default=25)
    parser.add_argument("--cap", type=float, default=60.0)
    parser.add_argument("--skip-optuna", action="store_true",
                        help="print Knob's figures and the targets only")
    args = parser.parse_args(argv)

    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.simplefilter("ignore")
    knob = read_knob(args.knob)
    sizes = sorted({row["n"] for row in knob})
    wanted = sorted({o for row in knob
                     for o in COUNTERPARTS.get(row["sampler"], ())})
    optuna_times = {}
    if not args.skip_optuna:
        for sampler in wanted:
            for size in sizes:
                print(f"optuna_speed: timing Optuna {sampler} at n={size}",
                      file=sys.stderr, flush=True)
                seconds, cpu_seconds = measure(sampler, size, args.budget,
                                               args.max_repeats, args.cap)
                # As sampler_speed does: the calls after the first.
                warm = seconds[1:] or seconds
                warm_cpu = cpu_seconds[1:] or cpu_seconds
                optuna_times[sampler, size] = (statistics.median(warm),
                                               statistics.fmean(warm),
                                               statistics.median(warm_cpu))

    print("\nmedian (mean) wall time of one suggestion and median CPU time, "
          "first call excluded; ratios of the medians; load average "
          + " ".join(f"{load:.2f}" for load in os.getloadavg()))
    print(f"{'sampler':<8} {'n':>6} {'knob':>22} {'cpu':>9}   {'optuna':<8} "
          f"{'optuna time':>22} {'cpu':>9} {'wall ratio':>10} "
          f"{'cpu ratio':>9}")
    for row in knob:
        name, size = row["sampler"], row["n"]
        timed = row["median"] is not None
        knob_text = both(row["median"], row["mean"]) if timed else row["status"]
        knob_cpu = duration(row["median_cpu"]) if timed else "-"
        opponents = COUNTERPARTS.get(name, ())
        if not opponents:
            note = NO_COUNTERPART.get(name, "no Optuna counterpart")
            print(f"{name:<8} {size:>6} {knob_text:>22} {knob_cpu:>9}   {note}")
        for opponent in opponents:
            theirs = optuna_times.get((opponent, size))
            compared = theirs is not None and timed
            ratio = f"{row['median'] / theirs[0]:.3g}" if compared else "-"
            cpu_ratio = (f"{row['median_cpu'] / theirs[2]:.3g}" if compared
                         else "-")
            their_text = both(*theirs[:2]) if theirs else "-"
            their_cpu = duration(theirs[2]) if theirs else "-"
            print(f"{name:<8} {size:>6} {knob_text:>22} {knob_cpu:>9}   "
                  f"{opponent:<8} {their_text:>22} {their_cpu:>9} "
                  f"{ratio:>10} {cpu_ratio:>9}")
        if row["status"] != "ok" and row["message"]:
            print(f"{'':<8} {'':>6} ({row['message']})")

    print("\ntargets (the mean: what a suggestion costs in the long run, "
          "batch updates such as a CMA-ES generation included):")
    for sampler, size, limit, text in TARGETS:
        rows = [r for r in knob if r["sampler"] == sampler and
                (size is None or r["n"] == size)]
        if not rows:
            print(f"  {text}: not measured (no '{sampler}' at that n)")
            continue
        verdicts = []
        for clock, key in (("wall", "mean"), ("cpu", "mean_cpu")):
            worst = None if any(r[key] is None for r in rows) else max(
                r[key] for r in rows)
            verdict = "MISSED" if worst is None or worst > limit else "met"
            verdicts.append(f"{clock} {verdict} (mean {duration(worst)})")
        print(f"  {text}: {', '.join(verdicts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

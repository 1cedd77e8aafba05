"""The tables of the sampler benchmark, from its run records.

Per problem and sampler: the median over seeds of the run's final score
(the noiseless value of its best trial), the interquartile range, the
normalized regret and the share of requested trials that completed.

Normalized regret = (median - f*) / (reference - f*), where f* is the
problem's known minimum or, where none is known (real tuning tasks), the
best score any run reached; the reference is the median of Optuna's random
sampler (else Knob's, else the worst median). 1 is as good as random
search, 0 is the optimum. Its geometric mean over problems is floored at
1e-3 per problem so that one exact hit does not make it zero.
"""

from __future__ import annotations

import math
import statistics
from typing import Dict, List, Optional, Sequence, TextIO

import numpy as np

from problems import PROBLEMS
from results import is_finite, label

REGRET_FLOOR = 1e-3
# Optuna's samplers named in the headline, in its order.
HEADLINE_OPPONENTS = ("tpe", "cmaes", "qmc", "random")


class Cell:
    """One sampler on one problem."""

    def __init__(self, runs: Sequence[dict]):
        self.unsupported = next(
            (r["unsupported"] for r in runs if r.get("unsupported")), None)
        runs = [r for r in runs if not r.get("unsupported")]
        self.scores = [r["score"] for r in runs if is_finite(r["score"])]
        self.requested = sum(r["trials"] for r in runs)
        self.completed = sum(r["completed"] for r in runs)
        self.errors = [r["error"] for r in runs if r["error"]]
        # Seeds that ran (not refused as unsupported).
        self.seeds = len(runs)
        self.normalized_regret: Optional[float] = None

    @property
    def median(self) -> Optional[float]:
        return statistics.median(self.scores) if self.scores else None

    def quartiles(self):
        return tuple(np.percentile(self.scores, [25, 75]))

    @property
    def complete(self) -> bool:
        return self.completed == self.requested and not self.errors


def _fmt(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.6g}"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def _fmt_regret(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.3f}"


class Report:
    """`runs` are run records (results.record); `order` lists the samplers
    of each side in the order to show them, e.g. {"knob": ["auto", "tpe"],
    "optuna": ["tpe", "random"]}; others follow by name."""

    def __init__(self, runs: Sequence[dict], headline: str,
                 order: Dict[str, Sequence[str]]):
        self.headline = headline
        self.problems = [p for p in PROBLEMS
                         if any(r["problem"] == p for r in runs)]

        def position(name: str):
            side, sampler = name.split(":", 1)
            known = list(order.get(side, ()))
            rank = known.index(sampler) if sampler in known else len(known)
            return (side != "optuna", rank, sampler)

        self.labels = sorted({label(r) for r in runs}, key=position)
        self.cells: Dict[str, Dict[str, Cell]] = {}
        self.optimum: Dict[str, float] = {}
        # The sampler whose median normalizes the regret, per problem.
        self.reference: Dict[str, str] = {}
        for problem in self.problems:
            row = {}
            for name in self.labels:
                chosen = [r for r in runs
                          if r["problem"] == problem and label(r) == name]
                if chosen:
                    row[name] = Cell(chosen)
            self.cells[problem] = row
            self._normalize(problem)

    def _normalize(self, problem: str) -> None:
        row = self.cells[problem]
        known = PROBLEMS[problem].optimum
        scores = [s for cell in row.values() for s in cell.scores]
        if not scores:
            return
        optimum = known if known is not None else min(scores)
        self.optimum[problem] = optimum
        medians = {name: c.median for name, c in row.items()
                   if c.median is not None}
        reference_name = next(
            (n for n in ("optuna:random", "knob:random") if n in medians),
            max(medians, key=medians.get, default=None))
        if reference_name is None:
            return
        self.reference[problem] = reference_name
        reference = medians[reference_name]
        if reference - optimum <= 0:
            return
        for name, median in medians.items():
            row[name].normalized_regret = max(
                0.0, (median - optimum) / (reference - optimum))

    def wins(self, ours: str, theirs: str):
        """(problems where `ours` has the strictly lower median, problems
        where both have one)."""
        won = total = 0
        for problem in self.problems:
            a = self.cells[problem].get(ours)
            b = self.cells[problem].get(theirs)
            if a is None or b is None or a.median is None or b.median is None:
                continue
            total += 1
            won += a.median < b.median
        return won, total

    def geometric_mean_regret(self, name: str) -> Optional[float]:
        regrets = [self.cells[p][name].normalized_regret
                   for p in self.problems if name in self.cells[p] and
                   self.cells[p][name].normalized_regret is not None]
        if not regrets:
            return None
        return math.exp(statistics.fmean(
            math.log(max(r, REGRET_FLOOR)) for r in regrets))

    def incomplete(self) -> List[str]:
        """One line per (problem, sampler) whose runs did not all complete
        every requested trial."""
        lines = []
        for problem in self.problems:
            for name, cell in self.cells[problem].items():
                if not cell.complete and cell.seeds:
                    first = cell.errors[0] if cell.errors else ""
                    lines.append(
                        f"{problem} {name}: {cell.completed}/"
                        f"{cell.requested} trials completed"
                        f"{'; ' + first if first else ''}")
        return lines

    def print(self, out: TextIO) -> None:
        for problem in self.problems:
            self._print_problem(problem, out)
        self._print_summary(out)

    def _print_problem(self, problem: str, out: TextIO) -> None:
        definition = PROBLEMS[problem]
        row = self.cells[problem]
        seeds = max(c.seeds for c in row.values())
        trials = max(c.requested // max(c.seeds, 1) for c in row.values())
        optimum = self.optimum.get(problem)
        kind = "known f*" if definition.optimum is not None else "best seen"
        print(f"\n== {problem}: {definition.description}", file=out)
        reference = self.reference.get(problem, "-")
        print(f"   {seeds} seeds x {trials} trials; {kind} = "
              f"{_fmt(optimum)}; regret normalized by {reference}",
              file=out)
        print(f"   {'sampler':<18} {'median best':>13}  "
              f"{'[q25, q75]':<27} {'norm.regret':>11} {'trials':>7}",
              file=out)
        for name in self.labels:
            cell = row.get(name)
            if cell is None:
                continue
            if cell.unsupported and not cell.seeds:
                print(f"   {name:<18} {'unsupported':>13}  "
                      f"{_shorten(cell.unsupported, 60)}", file=out)
                continue
            if cell.scores:
                q25, q75 = cell.quartiles()
                spread = f"[{_fmt(q25)}, {_fmt(q75)}]"
            else:
                spread = ""
            regret = _fmt_regret(cell.normalized_regret)
            share = 100 * cell.completed / max(cell.requested, 1)
            print(f"   {name:<18} {_fmt(cell.median):>13}  {spread:<27} "
                  f"{regret:>11} {share:>6.0f}%", file=out)

    def _print_summary(self, out: TextIO) -> None:
        opponents = [l for l in self.labels if l.startswith("optuna:")]
        ours = [l for l in self.labels if l.startswith("knob:")]
        print(f"\n== summary over {len(self.problems)} problems: problems "
              "won (strictly lower median best) against each Optuna "
              "sampler; geometric mean of the normalized regret", file=out)
        for name in opponents:
            print(f"   {name:<18} geo-mean regret "
                  f"{_fmt_regret(self.geometric_mean_regret(name))}",
                  file=out)
        for name in ours:
            versus = " ".join(
                f"{o.split(':', 1)[1]} {'%d/%d' % self.wins(name, o)}"
                for o in opponents)
            print(f"   {name:<18} geo-mean regret "
                  f"{_fmt_regret(self.geometric_mean_regret(name))}  "
                  f"won vs {versus}", file=out)
        headline = f"knob:{self.headline}"
        if self.headline != "auto":
            print(f"   (knob sampler '{self.headline}' plays the part of "
                  "'auto' in the line below)", file=out)
        print("auto-vs-optuna: " + " ".join(
            f"{o} {'%d/%d' % self.wins(headline, 'optuna:' + o)}"
            for o in HEADLINE_OPPONENTS), file=out)

"""The tables of the pruning benchmark, from its run records
(pruning_results.record), and its last line.

For one run (side, pruner, task, seed):
  steps    training steps consumed: the intermediate values reported,
           summed over the run's trials;
  saved    reference steps / steps, where the reference trains every
           trial to the end (trials x steps): 2.00x means half the
           training;
  best     the lowest final value among the run's completed trials;
  gap      100 * (best - reference best) / |reference best|, in %: how
           much worse the run's best is than the best trial without
           pruning (0 when the pruner let that trial finish; never
           negative, as both come from the same trials).

Per task, each row shows the median over seeds of steps, saved, best and
gap, the worst gap over seeds and the median count of pruned trials.

vs_optuna_steps, for a Knob pruner and its Optuna counterpart of the same
name: per (task, seed), Knob's steps / Optuna's steps, counted only where
Knob's best is the same or better than Optuna's (at most
QUALITY_TOLERANCE % worse), so that it compares costs at equal quality;
the median of those ratios, with how many (task, seed) pairs counted.
Below 1 Knob trained less.

The summary pools every task and seed: a pruner's steps_saved is the
median of its runs' `saved`, its best_gap the median of their `gap`. The
last line names the Knob pruner (other than none) with the largest
steps_saved among those whose best_gap is at most QUALITY_TOLERANCE % and
whose runs all finished (ties: smaller best_gap, then name), with its
pooled steps_saved, best_gap and vs_optuna_steps; `none` (1.00x, 0.00%,
n/a) when no pruner qualifies:

  pruning: best=<pruner> steps_saved=<x>x best_gap=<pct>% \
vs_optuna_steps=<ratio or n/a>
"""

from __future__ import annotations

import math
import statistics
from typing import List, Optional, Sequence, TextIO, Tuple

from pruning_pruners import PRUNERS
from pruning_results import label
from pruning_tasks import TASKS

QUALITY_TOLERANCE = 1.0  # Percent.


def saved(run: dict) -> float:
    return run["reference_steps"] / max(1, run["total_steps"])


def gap(run: dict) -> float:
    if run["best"] is None:
        return math.inf
    reference = run["reference_best"]
    return 100 * (run["best"] - reference) / max(abs(reference), 1e-12)


def _same_or_better(knob: dict, optuna: dict) -> bool:
    if knob["best"] is None or optuna["best"] is None:
        return optuna["best"] is None
    margin = QUALITY_TOLERANCE / 100 * abs(optuna["best"])
    return knob["best"] <= optuna["best"] + margin


def _median(values: Sequence[float]) -> Optional[float]:
    return statistics.median(values) if values else None


def _fmt(value: Optional[float], spec: str, suffix: str = "") -> str:
    if value is None:
        return "n/a"
    if math.isinf(value):
        return "inf"
    return f"{value:{spec}}{suffix}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


class Cell:
    """One side's pruner on some (task, seed) runs."""

    def __init__(self, runs: Sequence[dict]):
        self.unavailable = next(
            (r["unavailable"] for r in runs if r.get("unavailable")), None)
        ran = [r for r in runs if not r.get("unavailable")]
        # The numbers come from the runs that finished; the others are
        # counted and their first error shown.
        self.runs = [r for r in ran if not r["error"]]
        self.errors = [r["error"] for r in ran if r["error"]]

    @property
    def ok(self) -> bool:
        return bool(self.runs) and not self.errors

    @property
    def steps_saved(self) -> Optional[float]:
        return _median([saved(r) for r in self.runs])

    @property
    def best_gap(self) -> Optional[float]:
        return _median([gap(r) for r in self.runs])

    @property
    def worst_gap(self) -> Optional[float]:
        return max((gap(r) for r in self.runs), default=None)


class Report:
    def __init__(self, runs: Sequence[dict], settings: dict):
        self.runs = list(runs)
        self.settings = settings
        self.tasks = [t for t in TASKS if any(r["task"] == t for r in runs)]
        present = {r["pruner"] for r in runs}
        self.pruners = [p for p in PRUNERS if p in present]

    def _runs(self, side: str, pruner: str,
              task: Optional[str] = None) -> List[dict]:
        return [r for r in self.runs
                if r["side"] == side and r["pruner"] == pruner and
                (task is None or r["task"] == task)]

    def vs_optuna(self, pruner: str,
                  task: Optional[str] = None) -> Tuple[Optional[float], int,
                                                       int]:
        """(median ratio, pairs counted, pairs run) of Knob's steps over
        Optuna's at the same or better quality."""
        optuna = {(r["task"], r["seed"]): r
                  for r in self._runs("optuna", pruner, task)
                  if not r["error"]}
        ratios, pairs = [], 0
        for knob in self._runs("knob", pruner, task):
            other = optuna.get((knob["task"], knob["seed"]))
            if knob["unavailable"] or knob["error"] or other is None:
                continue
            pairs += 1
            if _same_or_better(knob, other):
                ratios.append(knob["total_steps"] /
                              max(1, other["total_steps"]))
        return _median(ratios), len(ratios), pairs

    def qualifies(self, pruner: str, cell: Cell) -> bool:
        """Whether a Knob pruner may be named on the last line."""
        return (pruner != "none" and cell.ok and
                cell.best_gap <= QUALITY_TOLERANCE)

    def headline(self) -> Tuple[str, Cell]:
        """The Knob pruner of the last line and its pooled cell."""
        candidates = []
        for pruner in self.pruners:
            cell = Cell(self._runs("knob", pruner))
            if self.qualifies(pruner, cell):
                candidates.append((-cell.steps_saved, cell.best_gap, pruner,
                                   cell))
        if not candidates:
            return "none", Cell(self._runs("knob", "none"))
        _, _, pruner, cell = min(candidates, key=lambda c: c[:3])
        return pruner, cell

    # ----------------------------------------------------------------------
    # Printing

    def workers(self) -> Tuple[int, int]:
        """Worker processes per study: (Knob's, Optuna's). Results from
        before Optuna ran with several have no optuna_workers: it ran one
        trial at a time."""
        return (self.settings.get("workers", 1),
                self.settings.get("optuna_workers", 1))

    def print(self, out: TextIO) -> None:
        settings = self.settings
        knob, optuna = self.workers()
        if knob == optuna == 1:
            how = ("both sides run one trial at a time (Optuna in process, "
                   "Knob with one worker)")
        elif optuna == 1:
            how = (f"not like for like: Knob with {knob} concurrent workers "
                   "per study (its pruner judges trials while others still "
                   "run), Optuna in process, one trial at a time")
        else:
            how = (f"{'like for like: ' if knob == optuna else ''}"
                   f"{_count(knob, 'worker')} per study on Knob's side and "
                   f"{optuna} on Optuna's (on a shared journal storage), so "
                   "both pruners judge trials while others still run")
        print(f"pruning benchmark: {settings.get('trials')} trials per "
              f"study, {_count(settings.get('seeds', 0), 'seed')}; Knob "
              f"through knob-server; {how}; both replay the same trials and "
              "curves.", file=out)
        for task in self.tasks:
            self._print_task(task, out)
        self._print_summary(out)
        print(self.last_line(), file=out)

    def _print_rows(self, task: Optional[str], columns, out: TextIO) -> None:
        """A row per side and pruner that ran, Knob's above its Optuna
        namesake; `columns(side, pruner, cell)` fills a row whose cell has
        finished runs."""
        for pruner in self.pruners:
            for side in ("knob", "optuna"):
                cell = Cell(self._runs(side, pruner, task))
                if cell.unavailable:
                    text = f"unavailable: {_shorten(cell.unavailable, 70)}"
                elif cell.runs:
                    text = columns(side, pruner, cell)
                elif cell.errors:
                    text = "no run finished"
                else:
                    continue
                if cell.errors:
                    text += (f"  ERROR in {len(cell.errors)} runs: "
                             f"{_shorten(cell.errors[0], 70)}")
                print(f"   {side + ':' + pruner:<26} {text}".rstrip(),
                      file=out)

    def _vs_text(self, pruner: str, task: Optional[str] = None) -> str:
        ratio, counted, pairs = self.vs_optuna(pruner, task)
        if pairs == 0:
            return ""
        return f"{_fmt(ratio, '.2f')} ({counted}/{pairs})"

    def _print_task(self, task: str, out: TextIO) -> None:
        runs = [r for r in self.runs if r["task"] == task]
        seeds = len({r["seed"] for r in runs})
        print(f"\n== {task}: {TASKS[task].description}; {runs[0]['trials']} "
              f"trials x {runs[0]['steps_per_trial']} steps, "
              f"{_count(seeds, 'seed')}; medians over seeds ==", file=out)
        print(f"   {'pruner':<26} {'steps':>7} {'saved':>7} {'best':>9} "
              f"{'gap%':>7} {'worst%':>7} {'pruned':>6}  vs_optuna_steps",
              file=out)

        def columns(side: str, pruner: str, cell: Cell) -> str:
            steps = _median([r["total_steps"] for r in cell.runs])
            best = _median([r["best"] for r in cell.runs
                            if r["best"] is not None])
            pruned = _median([r["pruned"] for r in cell.runs])
            vs = self._vs_text(pruner, task) if side == "knob" else ""
            return (f"{steps:>7.0f} {_fmt(cell.steps_saved, '.2f', 'x'):>7} "
                    f"{_fmt(best, '.4g'):>9} {_fmt(cell.best_gap, '.2f'):>7} "
                    f"{_fmt(cell.worst_gap, '.2f'):>7} {pruned:>6.0f}  {vs}")

        self._print_rows(task, columns, out)

    def _print_summary(self, out: TextIO) -> None:
        knob, optuna = self.workers()
        print(f"\n== summary: every task and seed pooled, medians over runs; "
              f"workers per study: knob {knob}, optuna {optuna}; a Knob "
              f"pruner qualifies with best_gap <= {QUALITY_TOLERANCE:g}% ==",
              file=out)
        print(f"   {'pruner':<26} {'runs':>5} {'steps_saved':>11} "
              f"{'best_gap%':>9} {'worst%':>7}  vs_optuna_steps", file=out)

        def columns(side: str, pruner: str, cell: Cell) -> str:
            vs = mark = ""
            if side == "knob":
                vs = self._vs_text(pruner)
                mark = "qualifies" if self.qualifies(pruner, cell) else ""
            runs = f"{len(cell.runs)}/{len(cell.runs) + len(cell.errors)}"
            return (f"{runs:>5} {_fmt(cell.steps_saved, '.2f', 'x'):>11} "
                    f"{_fmt(cell.best_gap, '.2f'):>9} "
                    f"{_fmt(cell.worst_gap, '.2f'):>7}  {vs:<15} {mark}")

        self._print_rows(None, columns, out)

    def last_line(self) -> str:
        pruner, cell = self.headline()
        if pruner == "none":
            steps_saved, best_gap, ratio = 1.0, 0.0, None
        else:
            steps_saved, best_gap = cell.steps_saved, cell.best_gap
            ratio = self.vs_optuna(pruner)[0]
        return (f"pruning: best={pruner} steps_saved={steps_saved:.2f}x "
                f"best_gap={best_gap:.2f}% "
                f"vs_optuna_steps={_fmt(ratio, '.2f')}")

    def incomplete(self) -> List[str]:
        """One line per run that failed (not counting unavailable
        pruners)."""
        return [f"{label(r)} {r['task']} seed {r['seed']}: {r['error']}"
                for r in self.runs if r["error"] and not r.get("unavailable")]


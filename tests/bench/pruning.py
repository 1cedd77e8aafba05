"""Runs the pruning benchmark: Knob's pruners through a knob-server
against Optuna's pruners, both with the same number of parallel worker
processes per study (Optuna's on a shared journal storage; with one
worker, in process, one trial at a time), on the same trials and learning
curves; prints the tables of pruning_report.py.
See pruning.sh for how to run it and for what the numbers mean.

The exit status is 0 when every run finished all its trials (runs of a
pruner the server refuses do not count), 1 when some did not (listed on
stderr), 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import io
import multiprocessing
import os
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Optional

import bench_paths

bench_paths.add_client()

import pruning_knob_side  # noqa: E402 (after the path set-up)
import pruning_optuna_side  # noqa: E402
import pruning_optuna_workers  # noqa: E402
import pruning_tasks  # noqa: E402
import results  # noqa: E402
from study_scheduler import StudyScheduler  # noqa: E402
from pruning_pruners import PRUNERS  # noqa: E402
from pruning_report import Report  # noqa: E402
from pruning_results import label  # noqa: E402
from pruning_server import ServerKeeper  # noqa: E402
from pruning_tasks import QUICK_TASKS, TASKS  # noqa: E402

SIDES = ("knob", "optuna")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="pruning.sh",
        description="Knob's pruners against Optuna's, side by side.")
    parser.add_argument("--tasks", help="comma-separated, default all: "
                        + ",".join(TASKS))
    parser.add_argument("--pruners", default=",".join(PRUNERS),
                        help="comma-separated, run on both sides; default "
                        "%(default)s")
    parser.add_argument("--sides", default=",".join(SIDES),
                        help="comma-separated, default %(default)s")
    parser.add_argument("--seeds", type=int, help="seeds per task and "
                        "pruner, 1 … N (default 5; --quick 2)")
    parser.add_argument("--trials", type=int, help="trials per study "
                        "(default 80; --quick 30)")
    parser.add_argument("--steps", type=int, help="steps (epochs) per "
                        "trial; default per task (" + ", ".join(
                            f"{t.name} {t.default_steps}"
                            for t in TASKS.values()) + "; --quick 20)")
    parser.add_argument("--workers", type=int, default=4,
                        help="worker processes per study, on both sides "
                        "(default %(default)s); with 1, Optuna's studies "
                        "run in process, one trial at a time")
    parser.add_argument("--jobs", type=int, default=2,
                        help="studies (and curve tables) computed at once "
                        "(default %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run: tasks {','.join(QUICK_TASKS)}, "
                        "2 seeds, 30 trials, 20 steps")
    parser.add_argument("--server", help="HOST:PORT of a running "
                        "knob-server to use instead of starting one")
    parser.add_argument("--server-binary", help="the knob-server to start")
    parser.add_argument("--output", type=Path, required=True,
                        help="directory of the results files and the "
                        "cached curves")
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="print the tables of an earlier results file "
                        "(.jsonl) and exit")
    args = parser.parse_args(argv)
    if args.seeds is None:
        args.seeds = 2 if args.quick else 5
    if args.trials is None:
        args.trials = 30 if args.quick else 80
    if args.steps is None and args.quick:
        args.steps = 20
    if args.tasks is None:
        args.tasks = ",".join(QUICK_TASKS if args.quick else TASKS)
    args.tasks = _names(args.tasks)
    args.pruners = _names(args.pruners)
    args.sides = _names(args.sides)
    for names, known, what in ((args.tasks, TASKS, "task"),
                               (args.pruners, PRUNERS, "pruner"),
                               (args.sides, SIDES, "side")):
        for name in names:
            if name not in known:
                parser.error(f"unknown {what} {name}; known: "
                             f"{', '.join(known)}")
    if min(args.seeds, args.trials, args.workers, args.jobs,
           args.steps or 1) < 1:
        parser.error("--seeds, --trials, --steps, --workers and --jobs "
                     "must be >= 1")
    return args


def _names(text: str):
    return [name.strip() for name in text.split(",") if name.strip()]


def say(message: str) -> None:
    print(f"pruning: {message}", file=sys.stderr, flush=True)


def _ignore_interrupts() -> None:
    """Pool processes leave Ctrl-C to the benchmark's own process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def prepare_tables(args) -> dict:
    """The curve table of every (task, seed), from the cache or trained
    now, `jobs` at a time."""
    cache = args.output / "pruning-curves"
    keys = [(task, seed) for task in args.tasks
            for seed in range(1, args.seeds + 1)]
    context = multiprocessing.get_context("spawn")
    tables = {}
    with concurrent.futures.ProcessPoolExecutor(
            args.jobs, mp_context=context,
            initializer=_ignore_interrupts) as pool:
        futures = {
            pool.submit(pruning_tasks.load_or_compute_table, cache, task,
                        seed, args.trials,
                        args.steps or TASKS[task].default_steps): (task, seed)
            for task, seed in keys}
        started = time.monotonic()
        for future in concurrent.futures.as_completed(futures):
            table, cached = future.result()
            tables[futures[future]] = table
            how = ("cached" if cached else
                   f"trained, {time.monotonic() - started:.0f} s so far")
            say(f"curves of {table.task} seed {table.seed}: "
                f"{len(table.curves)} trials x {table.steps} steps ({how})")
    return tables


class Scheduler(StudyScheduler):
    """The pruning benchmark's studies: (side, task, pruner, seed)."""

    def __init__(self, args, keeper: Optional[ServerKeeper], tables: dict,
                 writer, stamp: str):
        super().__init__(args.jobs, writer)
        self.args = args
        self.keeper = keeper
        self.tables = tables
        self.stamp = stamp

    def run(self, runs):
        if self.args.workers == 1:
            prepare, arguments = pruning_optuna_side.prepare, ()
        else:
            prepare = pruning_optuna_workers.prepare
            arguments = (self.args.workers,)
        return super().run(
            runs,
            lambda i: pruning_knob_side.worker_group(f"pruning-{i}",
                                                     self.args.workers),
            prepare, arguments)

    def run_knob(self, group, run) -> dict:
        _, task, pruner, seed = run
        name = f"pruning-{self.stamp}-{task}-{pruner}-s{seed}"
        generation = self.keeper.generation
        record = pruning_knob_side.run_study(self.keeper.server, group, name,
                                             self.tables[(task, seed)], pruner)
        if record["error"]:
            crash = self.keeper.recover(generation)
            if crash:
                record["error"] = f"{crash}; {record['error']}"
        return record

    def optuna_call(self, run):
        _, task, pruner, seed = run
        side = (pruning_optuna_side if self.args.workers == 1 else
                pruning_optuna_workers)
        return (side.run_study, self.tables[(task, seed)], pruner)

    def progress(self, record, minutes_left: float) -> None:
        head = (f"[{self.done}/{self.total}] {label(record)} "
                f"{record['task']} seed {record['seed']}: ")
        if record["unavailable"]:
            say(head + f"unavailable ({record['unavailable']})")
            return
        best = record["best"]
        error = f"  ERROR {record['error']}" if record["error"] else ""
        say(head + f"{record['total_steps']}/{record['reference_steps']} "
            f"steps, {record['pruned']} pruned, best "
            f"{'n/a' if best is None else f'{best:.5g}'}, "
            f"{record['seconds']:.1f} s; ~{minutes_left:.0f} min left"
            f"{error}")


def build_runs(args):
    """Every (side, task, pruner, seed), Knob's first: they are the slow
    ones, and the last minutes should not wait on one of them."""
    runs = [(side, task, pruner, seed)
            for side in args.sides for task in args.tasks
            for seed in range(1, args.seeds + 1) for pruner in args.pruners]
    runs.sort(key=lambda r: r[0] != "knob")
    return runs


def report(settings: dict, runs, latest: Optional[Path] = None) -> int:
    """Prints the tables (and writes them to `latest`); 1 when a run
    failed."""
    tables = Report(runs, settings)
    tables.print(sys.stdout)
    if latest is not None:
        text = io.StringIO()
        tables.print(text)
        latest.write_text(text.getvalue())
    incomplete = tables.incomplete()
    for line in incomplete:
        say(f"INCOMPLETE: {line}")
    return 1 if incomplete else 0


def run_benchmark(args, keeper: Optional[ServerKeeper], stamp: str):
    """(settings, records)."""
    if keeper is not None:
        known = pruning_knob_side.known_pruners(keeper.server)
        say(f"knob-server accepts the pruners: {', '.join(known)}; others "
            "show as unavailable")
    tables = prepare_tables(args)
    settings = {
        "started": stamp, "seeds": args.seeds, "trials": args.trials,
        "steps": {task: tables[(task, 1)].steps for task in args.tasks},
        "tasks": args.tasks, "pruners": args.pruners, "sides": args.sides,
        "workers": args.workers, "optuna_workers": args.workers,
        "jobs": args.jobs,
        "knob_server": (f"running at {args.server}" if args.server else
                        "started, memory storage"),
    }
    path = args.output / f"pruning-{stamp}.jsonl"
    writer = results.Writer(path, settings)
    runs = build_runs(args)
    say(f"{len(runs)} studies: {len(args.tasks)} tasks x {args.seeds} seeds "
        f"x {len(args.pruners)} pruners x {len(args.sides)} sides, "
        f"{args.trials} trials each on {args.workers} workers, "
        f"{args.jobs} at a time; results in "
        f"{path}")
    records = Scheduler(args, keeper, tables, writer, stamp).run(runs)
    shutil.copyfile(path, args.output / "pruning-latest.jsonl")
    say(f"results: {path}; reprint with tests/bench/pruning.sh "
        f"--report={path}")
    return settings, records


def main(argv) -> int:
    args = parse_arguments(argv)
    if args.report:
        settings, records = results.load(args.report)
        return report(settings, records)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    if args.server_binary:
        os.environ["KNOB_SERVER_BINARY"] = args.server_binary
    keeper = ServerKeeper(args.server) if "knob" in args.sides else None
    try:
        settings, records = run_benchmark(args, keeper, stamp)
    finally:
        if keeper is not None:
            keeper.close()
    return report(settings, records, args.output / "pruning-latest.txt")


if __name__ == "__main__":
    bench_paths.run_main(main, say)

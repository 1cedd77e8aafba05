"""Runs the sampler benchmark: Knob's samplers through a knob-server with
parallel worker processes against Optuna's samplers in-process, on the
same problems and seeds; prints the tables of report.py. See samplers.sh
for how to run it and for what the numbers mean.

The exit status is 0 when every run completed all its trials, 1 when
some did not (listed on stderr), 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import sys
from pathlib import Path

import bench_paths

bench_paths.add_client()

import knob_side  # noqa: E402 (after the path set-up)
import optuna_side  # noqa: E402
import results  # noqa: E402
from study_scheduler import StudyScheduler  # noqa: E402
from problems import PROBLEMS, QUICK_PROBLEMS  # noqa: E402
from report import Report  # noqa: E402

# Knob samplers that cannot run these problems: the grid needs a finite
# space.
NOT_FOR_CONTINUOUS_SPACES = {"grid"}


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="samplers.sh",
        description="Knob's samplers against Optuna's, side by side.")
    parser.add_argument("--seeds", type=int, help="seeds per problem and "
                        "sampler, 1 … N (default 10; --quick 3)")
    parser.add_argument("--trials", type=int, help="trials per study "
                        "(default 100; --quick 30)")
    parser.add_argument("--problems", help="comma-separated, default all: "
                        + ",".join(PROBLEMS))
    parser.add_argument("--knob-samplers", help="comma-separated; default "
                        "every sampler the server accepts, except grid")
    parser.add_argument("--optuna-samplers",
                        default=",".join(optuna_side.SAMPLERS),
                        help="comma-separated, default %(default)s; empty "
                        "for none")
    parser.add_argument("--headline", default="auto",
                        help="the Knob sampler of the last line "
                        "(default %(default)s)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="studies run at once (default %(default)s)")
    parser.add_argument("--workers", type=int, default=4,
                        help="worker processes per Knob study "
                        "(default %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: problems "
                        f"{','.join(QUICK_PROBLEMS)}, 3 seeds, 30 trials")
    parser.add_argument("--server", help="HOST:PORT of a running "
                        "knob-server to use instead of starting one")
    parser.add_argument("--server-binary", help="the knob-server to start")
    parser.add_argument("--database-url", help="start knob-server on this "
                        "PostgreSQL instead of memory storage")
    parser.add_argument("--output", type=Path, required=True,
                        help="directory of the results files")
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="print the tables of an earlier results file "
                        "(.jsonl) and exit")
    args = parser.parse_args(argv)
    if args.seeds is None:
        args.seeds = 3 if args.quick else 10
    if args.trials is None:
        args.trials = 30 if args.quick else 100
    if args.problems is None:
        args.problems = ",".join(QUICK_PROBLEMS if args.quick else PROBLEMS)
    args.problems = _names(args.problems)
    args.optuna_samplers = _names(args.optuna_samplers)
    for name in args.problems:
        if name not in PROBLEMS:
            parser.error(f"unknown problem {name}; known: "
                         f"{', '.join(PROBLEMS)}")
    for name in args.optuna_samplers:
        if name not in optuna_side.SAMPLERS:
            parser.error(f"unknown Optuna sampler {name}; known: "
                         f"{', '.join(optuna_side.SAMPLERS)}")
    if min(args.seeds, args.trials, args.jobs, args.workers) < 1:
        parser.error("--seeds, --trials, --jobs and --workers must be >= 1")
    return args


def _names(text: str):
    return [name.strip() for name in text.split(",") if name.strip()]


def say(message: str) -> None:
    print(f"samplers: {message}", file=sys.stderr, flush=True)


def choose_knob_samplers(args, server: knob_side.Server):
    """The Knob samplers to run, checked against what the server accepts;
    exits with status 2 when one is unknown."""
    known = server.known_samplers()
    say(f"knob-server accepts the samplers: {', '.join(known)}")
    if args.knob_samplers is None:
        chosen = [s for s in known if s not in NOT_FOR_CONTINUOUS_SPACES]
    else:
        chosen = _names(args.knob_samplers)
    if args.headline not in chosen:
        chosen.append(args.headline)
    unknown = [s for s in chosen if s not in known]
    if unknown:
        hint = (" (pass --headline=NAME to let a registered sampler play "
                "its part)" if args.headline in unknown else "")
        say(f"knob-server does not know the sampler(s) {', '.join(unknown)}"
            f"{hint}; it knows: {', '.join(known)}")
        sys.exit(2)
    return chosen


class Scheduler(StudyScheduler):
    """The sampler benchmark's studies: (side, problem, sampler, seed)."""

    def __init__(self, args, server: knob_side.Server, writer, stamp: str):
        super().__init__(args.jobs, writer)
        self.args = args
        self.server = server
        self.stamp = stamp

    def run(self, tasks):
        return super().run(
            tasks,
            lambda i: knob_side.worker_group(f"bench-{i}", self.args.workers,
                                             self.args.problems),
            optuna_side.prepare, (self.args.problems,))

    def run_knob(self, group, task) -> dict:
        _, problem, sampler, seed = task
        name = f"bench-{self.stamp}-{problem}-{sampler}-s{seed}"
        return knob_side.run_study(self.server, group, name,
                                   PROBLEMS[problem], sampler, seed,
                                   self.args.trials)

    def optuna_call(self, task):
        _, problem, sampler, seed = task
        return (optuna_side.run_study, problem, sampler, seed,
                self.args.trials)

    def progress(self, run, minutes_left: float) -> None:
        score = run["score"]
        shown = "n/a" if score is None else f"{score:.6g}"
        error = f"  ERROR {run['error']}" if run["error"] else ""
        say(f"[{self.done}/{self.total}] {results.label(run)} "
            f"{run['problem']} seed {run['seed']}: best {shown}, "
            f"{run['completed']}/{run['trials']} trials, "
            f"{run['seconds']:.1f} s; ~{minutes_left:.0f} min left{error}")


def build_tasks(args, knob_samplers):
    """Every (side, problem, sampler, seed), the slowest kinds first so
    that the last minutes are not spent waiting on one long study."""
    tasks = []
    for problem in args.problems:
        # Seeds start at 1: Optuna 3.1's QMCSampler takes seed 0 for "no
        # seed" and scrambles at random.
        for seed in range(1, args.seeds + 1):
            for sampler in knob_samplers:
                tasks.append(("knob", problem, sampler, seed))
            for sampler in args.optuna_samplers:
                tasks.append(("optuna", problem, sampler, seed))
    expensive = {"svc-breast-cancer", "kernel-ridge-diabetes"}
    tasks.sort(key=lambda t: (t[1] not in expensive, t[0] != "knob"))
    return tasks


def start_server(args):
    """(address, server process or None)."""
    if args.server:
        return args.server, None
    import server_process

    if args.server_binary:
        os.environ["KNOB_SERVER_BINARY"] = args.server_binary
    process = server_process.KnobServer(database_url=args.database_url)
    process.start()
    storage = "PostgreSQL" if args.database_url else "memory storage"
    say(f"started {os.environ['KNOB_SERVER_BINARY']} on {process.address} "
        f"with {storage}")
    return process.address, process


def print_report(settings: dict, runs, out=sys.stdout) -> int:
    order = {"knob": settings.get("knob_samplers", ()),
             "optuna": optuna_side.SAMPLERS}
    report = Report(runs, settings.get("headline", "auto"), order)
    report.print(out)
    incomplete = report.incomplete()
    for line in incomplete:
        say(f"INCOMPLETE: {line}")
    return 1 if incomplete else 0


def main(argv) -> int:
    args = parse_arguments(argv)
    if args.report:
        settings, runs = results.load(args.report)
        return print_report(settings, runs)

    address, process = start_server(args)
    server = knob_side.Server(address)
    try:
        knob_samplers = choose_knob_samplers(args, server)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        settings = {
            "started": stamp, "seeds": args.seeds, "trials": args.trials,
            "problems": args.problems, "knob_samplers": knob_samplers,
            "optuna_samplers": args.optuna_samplers,
            "headline": args.headline, "workers": args.workers,
            "jobs": args.jobs,
            "knob_server": (
                f"running at {args.server}" if args.server else
                "started, PostgreSQL storage" if args.database_url else
                "started, memory storage"),
        }
        path = args.output / f"samplers-{stamp}.jsonl"
        writer = results.Writer(path, settings)
        tasks = build_tasks(args, knob_samplers)
        say(f"{len(tasks)} studies: {len(args.problems)} problems x "
            f"{args.seeds} seeds x ({len(knob_samplers)} Knob + "
            f"{len(args.optuna_samplers)} Optuna samplers), "
            f"{args.trials} trials each, {args.jobs} at a time; "
            f"results in {path}")
        runs = Scheduler(args, server, writer, stamp).run(tasks)
    finally:
        server.close()
        if process is not None:
            code = process.stop()
            if code != 0:
                say(f"knob-server exited with {code}:\n{process.log()}")
            process.close()
    results.write_csv(path.with_suffix(".csv"), runs)
    shutil.copyfile(path, args.output / "samplers-latest.jsonl")
    say(f"results: {path} and {path.with_suffix('.csv')}; reprint with "
        f"tests/bench/samplers.sh --report={path}")
    return print_report(settings, runs)


if __name__ == "__main__":
    bench_paths.run_main(main, say)

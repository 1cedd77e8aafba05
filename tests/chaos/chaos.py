"""Runs the chaos scenarios (scenarios.py) against a PostgreSQL cluster of
its own and prints, per run and in total, how many acknowledged writes were
lost or duplicated and how many trials were stuck RUNNING, and how many
writes the Python ("py") and the C++ ("cc") worker loops saw acknowledged.

  chaos.py --server-binary PATH --cc-worker-binary PATH [--full]
           [--work-dir DIR] [--only NAME...]

Exits 0 only when nothing was lost, duplicated or stuck and every
scenario's own checks held.
"""

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

import ledger
import scenarios
from harness import PostgresCluster


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-binary", required=True)
    parser.add_argument("--cc-worker-binary", required=True,
                        help="knob-chaos-worker, the C++ worker process")
    parser.add_argument("--full", action="store_true",
                        help="run every scenario 3 times instead of once")
    parser.add_argument("--work-dir",
                        help="keep logs and ledgers here (default: a "
                             "temporary directory, removed on success)")
    parser.add_argument("--only", nargs="*", choices=list(scenarios.SCENARIOS),
                        help="run only these scenarios")
    args = parser.parse_args()
    # The suite's own calls retry through outages it caused on purpose.
    logging.getLogger("knob_client").setLevel(logging.ERROR)

    work = Path(args.work_dir or tempfile.mkdtemp(prefix="knob-chaos-"))
    work.mkdir(parents=True, exist_ok=True)
    # The cluster's directory inside must be reachable for the postgres
    # user when the suite runs as root.
    work.chmod(0o755)
    cluster = PostgresCluster(work / "postgres")
    cluster.start()
    names = args.only or list(scenarios.SCENARIOS)
    repeats = 3 if args.full else 1
    total = ledger.Verdict()
    runs = 0
    try:
        for name in names:
            for repeat in range(repeats):
                started = time.monotonic()
                ctx = scenarios.Context(
                    cluster, args.server_binary, args.cc_worker_binary,
                    work / f"{name}-{repeat}", f"chaos_{name}_{repeat}",
                    seed=repeat)
                try:
                    verdict = scenarios.SCENARIOS[name](ctx, args.full)
                except Exception as error:  # A scenario that broke fails.
                    verdict = ledger.Verdict()
                    verdict.problem(f"{type(error).__name__}: {error}")
                finally:
                    ctx.check_servers(verdict)
                    ctx.check_refusals(verdict)
                    ctx.close()
                runs += 1
                total.add(verdict)
                print(f"chaos: {name} run {repeat + 1}: "
                      f"acknowledged={verdict.acknowledged} "
                      f"{by_language(verdict)} "
                      f"found={verdict.found} lost={verdict.lost} "
                      f"duplicated={verdict.duplicated} "
                      f"stuck={verdict.stuck} "
                      f"checks={'ok' if not verdict.problems else 'FAILED'} "
                      f"({time.monotonic() - started:.1f} s)", flush=True)
                for problem in verdict.problems[:20]:
                    print(f"  problem: {problem}", flush=True)
    finally:
        cluster.stop("immediate")
    ok = not total.problems and total.lost == total.duplicated == \
        total.stuck == 0
    if ok and not args.work_dir:
        shutil.rmtree(work, ignore_errors=True)
    elif not ok:
        print(f"chaos: logs and ledgers kept in {work}")
    print(f"chaos: scenarios={len(names)} runs={runs} "
          f"acknowledged={total.acknowledged} lost={total.lost} "
          f"duplicated={total.duplicated} stuck={total.stuck} "
          f"{by_language(total)}")
    return 0 if ok else 1


def by_language(verdict: ledger.Verdict) -> str:
    """The acknowledged writes per worker loop: "py=N cc=M"."""
    return " ".join(f"{language}={verdict.by_language[language]}"
                    for language in scenarios.LANGUAGES)


if __name__ == "__main__":
    sys.exit(main())

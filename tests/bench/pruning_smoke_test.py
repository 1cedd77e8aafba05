"""The pruning benchmark's whole pipeline at a small scale (2 tasks, 2
seeds, 20 trials of 10 steps, every pruner on both sides): it must
succeed, print a table per task and the summary, end with the `pruning:`
line, and its records must add up: without pruning both sides train
every trial to the end and find the best trial, and every run that its
pruner allowed finishes all its trials within the reference budget.

    pruning_smoke_test.py BUILD_DIR     (registered in ctest, label bench)
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TASKS = ("synthetic", "sgd-diabetes")
SEEDS, TRIALS, STEPS = 2, 20, 10
LAST_LINE = re.compile(
    r"^pruning: best=[a-z_]+ steps_saved=\d+\.\d\dx best_gap=\d+\.\d\d% "
    r"vs_optuna_steps=(\d+\.\d\d|n/a)$")


class Failure(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def run_benchmark(build: Path) -> str:
    command = ["bash", str(ROOT / "tests" / "bench" / "pruning.sh"),
               "--quick", f"--tasks={','.join(TASKS)}", f"--seeds={SEEDS}",
               f"--trials={TRIALS}", f"--steps={STEPS}"]
    result = subprocess.run(command, env={**os.environ,
                                          "KNOB_BUILD_DIR": str(build)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise Failure(f"pruning.sh exited with {result.returncode} (it "
                      "fails when a run does not finish its trials)")
    return result.stdout


def check_output(output: str) -> str:
    for task in TASKS:
        check(f"\n== {task}: " in output, f"no table for {task}")
    check("\n== summary: " in output, "no summary")
    last = output.rstrip("\n").split("\n")[-1]
    check(LAST_LINE.match(last) is not None,
          f"last line is not the pruning summary: {last}")
    return last


def check_records(path: Path) -> None:
    with open(path) as lines:
        entries = [json.loads(line) for line in lines]
    runs = [e for e in entries if "settings" not in e]
    pruners = entries[0]["settings"]["pruners"]
    expected = len(TASKS) * SEEDS * len(pruners) * 2
    check(len(runs) == expected, f"{len(runs)} runs, expected {expected}")
    for run in runs:
        name = f"{run['side']}:{run['pruner']} {run['task']} s{run['seed']}"
        if run["unavailable"]:
            check(run["side"] == "knob" and run["pruner"] != "none",
                  f"{name} is unavailable: {run['unavailable']}")
            continue
        check(run["error"] is None, f"{name}: {run['error']}")
        check(run["reference_steps"] == TRIALS * STEPS,
              f"{name}: reference of {run['reference_steps']} steps")
        check(run["completed"] + run["pruned"] == TRIALS,
              f"{name}: {run['completed']} completed + {run['pruned']} "
              f"pruned of {TRIALS}")
        check(0 < run["total_steps"] <= run["reference_steps"],
              f"{name}: {run['total_steps']} steps")
        if run["pruner"] == "none":
            check(run["total_steps"] == run["reference_steps"] and
                  run["pruned"] == 0, f"{name} stopped trials early")
            check(run["best"] == run["reference_best"],
                  f"{name}: best {run['best']}, every trial's best is "
                  f"{run['reference_best']}")


def main(argv) -> int:
    if len(argv) != 2:
        print("usage: pruning_smoke_test.py BUILD_DIR", file=sys.stderr)
        return 2
    build = Path(argv[1]).resolve()
    try:
        output = run_benchmark(build)
        try:
            last = check_output(output)
            check_records(build / "bench" / "pruning-latest.jsonl")
        except Failure:
            sys.stderr.write(output)
            raise
    except Failure as failure:
        print(f"pruning_smoke_test: FAIL: {failure}", file=sys.stderr)
        return 1
    print(f"pruning_smoke_test: ok: {last}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

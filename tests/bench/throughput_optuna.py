"""Optuna 3.1's throughput on PostgreSQL, the counterpart of knob-loadgen:
worker processes sharing one study in RDBStorage (SQLAlchemy + psycopg2),
RandomSampler, an objective that costs nothing, over the same space as the
loadgen's studies (a float, a log-scale float, an int). Run by
throughput.sh.

The study is created before the processes start; each process opens its
own storage and loads the study, and once all are ready they start
together and run study.optimize until --duration has passed. A trial counts when its
objective returned and Optuna's tell committed it. Prints one line:
  optuna: workers=8 trials=<n> seconds=<s> trials_per_s=<r> errors=<n>
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import sys
import time

STUDY_NAME = "throughput"


def objective(trial) -> float:
    x = trial.suggest_float("x", -5, 5)
    rate = trial.suggest_float("rate", 1e-4, 1, log=True)
    layers = trial.suggest_int("layers", 1, 8)
    return x * x + rate * rate + layers * layers


def run_worker(url: str, seed: int, duration: float, ready, go, start_at,
               results) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    storage = optuna.storages.RDBStorage(url)
    study = optuna.load_study(study_name=STUDY_NAME, storage=storage,
                              sampler=optuna.samplers.RandomSampler(seed=seed))
    completed = 0
    errors = 0

    def count(study, frozen) -> None:
        nonlocal completed
        if frozen.state == optuna.trial.TrialState.COMPLETE:
            completed += 1

    ready.put(seed)
    go.wait()
    deadline = start_at.value + duration
    while time.time() < deadline:
        try:
            study.optimize(objective, timeout=deadline - time.time(),
                           callbacks=[count])
        except Exception:  # A conflict or a lost connection: counted.
            errors += 1
    results.put((completed, errors, time.time()))


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True,
                        help="SQLAlchemy URL, postgresql+psycopg2://…")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0,
                        help="seconds")
    args = parser.parse_args(argv)

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    optuna.create_study(study_name=STUDY_NAME, storage=args.url,
                        direction="minimize", load_if_exists=True)
    context = multiprocessing.get_context("spawn")
    ready, results = context.Queue(), context.Queue()
    go, start_at = context.Event(), context.Value("d", 0.0)
    processes = [
        context.Process(target=run_worker,
                        args=(args.url, seed, args.duration, ready, go,
                              start_at, results))
        for seed in range(args.workers)
    ]
    for process in processes:
        process.start()
    # Interpreter starts, imports and study loads are not timed.
    for _ in processes:
        ready.get()
    start_at.value = time.time()
    go.set()
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()
    trials = sum(completed for completed, _, _ in outcomes)
    errors = sum(failed for _, failed, _ in outcomes)
    seconds = max(end for _, _, end in outcomes) - start_at.value
    print(f"optuna: workers={args.workers} trials={trials} "
          f"seconds={seconds:.2f} trials_per_s={trials / seconds:.1f} "
          f"errors={errors}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

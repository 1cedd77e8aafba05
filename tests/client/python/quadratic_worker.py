#!/usr/bin/python3
"""A worker process for knob_worker_process_test.py: runs knob_worker on a
study with a float parameter "x", minimizing (x - 0.3)^2: each trial
reports its loss at step 0, then takes --seconds-per-trial.

    quadratic_worker.py --server HOST:PORT --study NAME [--worker-id ID]
                        [--seconds-per-trial S]

Logs knob_client's and knob_worker's warnings (retries, pauses) to stderr
so that a test can see what the worker went through, and prints the
WorkerSummary as one JSON line on stdout at the end, with "unrecorded":
the number of outcomes the server did not accept. Exit status: 0 when
the study is done, 1 when a call failed for good, 130 when interrupted
(Ctrl-C or SIGTERM).
"""

import argparse
import dataclasses
import json
import logging
import sys
import time

import knob_client
import knob_worker

# Backoff short enough that a server coming back is found within a
# fraction of a second, and patience long enough for any test.
RETRY = knob_client.RetryPolicy(initial_backoff=0.05, max_backoff=0.5,
                                max_elapsed=60.0)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--study", required=True)
    parser.add_argument("--worker-id", default="quadratic-worker")
    parser.add_argument("--seconds-per-trial", type=float, default=0.0)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(name)s %(levelname)s %(message)s")

    def objective(trial):
        loss = (trial.params["x"] - 0.3) ** 2
        # Tells an observer of the study that training has begun.
        trial.report(0, loss)
        time.sleep(arguments.seconds_per_trial)
        return loss

    unrecorded = []

    def on_trial_end(outcome):
        if not outcome.recorded:
            unrecorded.append(outcome.reason)

    try:
        worker = knob_worker.Worker(arguments.server, arguments.study,
                                    worker_id=arguments.worker_id,
                                    retry=RETRY)
        summary = worker.run(objective, on_trial_end=on_trial_end)
    except knob_client.KnobError as error:
        print(f"quadratic_worker: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("quadratic_worker: interrupted", file=sys.stderr)
        return 130
    print(json.dumps({**dataclasses.asdict(summary),
                      "unrecorded": len(unrecorded)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

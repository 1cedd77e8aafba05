"""A worker process for the chaos suite: runs trials of one study with the
Python client's own worker loop (client/python/knob_worker.py) and keeps a
ledger of every write the server acknowledged. knob-chaos-worker
(chaos_worker.cc) does the same with the C++ worker loop and writes the
same lines.

Each ledger line is one JSON object, appended and flushed as soon as the
server's answer arrives and before the worker acts on it, so that a worker
killed with SIGKILL a moment later still leaves behind every
acknowledgement it received:

  {"op": "suggest", "trial": ID, "number": N, "study": S}
  {"op": "report", "trial": ID, "step": K, "value": V}
  {"op": "complete", "trial": ID, "state": "COMPLETED", "values": [V]}
  {"op": "refused", "call": "report"|"complete", "trial": ID,
   "code": "FAILED_PRECONDITION", "details": "..."}
  {"op": "done", "reason": "..."}

The checker (ledger.py) compares these lines with the database.

  chaos_worker.py --server HOST:PORT --study ID --ledger-dir DIR
                  --name NAME [--threads N] [--steps K] [--step-seconds S]
                  [--silent]

With --threads N the process runs N independent workers (one channel and
one ledger file NAME-I.PID.py.jsonl each), so that dozens of workers cost
a few processes. Every failed call is logged on stderr, the retried ones
by the client ("Suggest: UNAVAILABLE (...); retrying in 0.1 s"), the
others here ("Report: FAILED_PRECONDITION (...); refused"), so that the
suite counts what the workers were told.
--silent runs one trial without heartbeats instead: it reports once, goes
quiet for three leases and then reports and completes, as a worker stuck
in a long step or cut off from the network would.
"""

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(
    0, str(Path(__file__).resolve().parents[2] / "client" / "python"))

import knob_client  # noqa: E402
import knob_worker  # noqa: E402

# Short backoffs: the suite restarts servers and PostgreSQL within seconds
# and wants workers back at once; the long budget rides out the slowest
# restart.
RETRY = knob_client.RetryPolicy(initial_backoff=0.05, max_backoff=1.0,
                                max_elapsed=120.0)


def trial_value(trial_id: int, step: int) -> float:
    """What a trial reports at a step: distinct per (trial, step), so that
    a value found under the wrong trial or step is caught."""
    return trial_id + step / 1000.0 + 0.123456789


class Ledger:
    """One worker's append-only record of acknowledged writes."""

    def __init__(self, path: Path):
        self._file = open(path, "a", encoding="utf-8")
        self._lock = threading.Lock()

    def write(self, **entry) -> None:
        with self._lock:
            self._file.write(json.dumps(entry, sort_keys=True) + "\n")
            # Flushed before the worker moves on: the kernel keeps it even
            # if the process is killed right after.
            self._file.flush()


class LedgerClient(knob_client.Client):
    """The client the worker loop calls through: records each write the
    server acknowledged, and each it refused for good."""

    def __init__(self, server: str, study_id: int, ledger: Ledger):
        super().__init__(server, retry=RETRY, timeout=10.0)
        self.study_id = study_id
        self.ledger = ledger

    def _call(self, method, request, retry=None, timeout=None):
        try:
            return super()._call(method, request, retry, timeout)
        except knob_client.KnobError as error:
            print(f"{error.method}: {error.code.name} ({error.details}); "
                  "refused", file=sys.stderr, flush=True)
            raise

    def suggest(self, study_id, worker_id, environment, count=1):
        response = super().suggest(study_id, worker_id, environment, count)
        for trial in response.trials:
            self.ledger.write(op="suggest", trial=trial.id,
                              number=trial.number, study=study_id)
        if response.study_done:
            self.ledger.write(op="done", reason=response.done_reason)
        return response

    def report(self, trial_id, step, value, metric=""):
        try:
            response = super().report(trial_id, step, value, metric)
        except knob_client.KnobError as error:
            self._refused("report", trial_id, error)
            raise
        self.ledger.write(op="report", trial=trial_id, step=step, value=value)
        return response

    def complete(self, trial_id, state, values=(), metrics=None, reason="",
                 retry=None, timeout=None):
        try:
            trial = super().complete(trial_id, state, values, metrics, reason,
                                     retry, timeout)
        except knob_client.KnobError as error:
            self._refused("complete", trial_id, error)
            raise
        self.ledger.write(op="complete", trial=trial_id, state=state,
                          values=list(values))
        return trial

    def _refused(self, call: str, trial_id: int,
                 error: knob_client.KnobError) -> None:
        if error.code not in RETRY.retryable:
            self.ledger.write(op="refused", call=call, trial=trial_id,
                              code=error.code.name, details=error.details)


def run_worker(client: LedgerClient, name: str, steps: int,
               step_seconds: float) -> None:
    def objective(trial: knob_worker.Trial) -> float:
        for step in range(steps):
            time.sleep(step_seconds)
            if trial.report(step, trial_value(trial.id, step)):
                raise knob_worker.TrialPruned()
        return trial_value(trial.id, steps)

    worker = knob_worker.Worker(client.server, client.study_id,
                                worker_id=name, retry=RETRY)
    # The loop's calls go through the ledger.
    worker.client.close()
    worker.client = client
    worker.run(objective)


def run_silent_worker(client: LedgerClient, name: str) -> None:
    study = client.get_study(client.study_id)
    lease = study.config.lease_duration
    quiet = 3 * (lease.seconds + lease.nanos / 1e9)
    while True:
        response = client.suggest(client.study_id, name, {"chaos": "silent"})
        if response.trials:
            break
        time.sleep(0.1)
    trial_id = response.trials[0].id
    client.report(trial_id, 0, trial_value(trial_id, 0))
    time.sleep(quiet)
    for late in (lambda: client.report(trial_id, 1, trial_value(trial_id, 1)),
                 lambda: client.complete(trial_id, "COMPLETED",
                                         [trial_value(trial_id, 2)])):
        try:
            late()
        except knob_client.KnobError:
            pass  # The ledger has the refusal; the checker judges it.


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--study", type=int, required=True)
    parser.add_argument("--ledger-dir", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--step-seconds", type=float, default=0.05)
    parser.add_argument("--silent", action="store_true")
    args = parser.parse_args()

    failures = []

    def work(index: int) -> None:
        name = f"{args.name}-{index}"
        ledger = Ledger(
            Path(args.ledger_dir) / f"{name}.{os.getpid()}.py.jsonl")
        client = LedgerClient(args.server, args.study, ledger)
        try:
            if args.silent:
                run_silent_worker(client, name)
            else:
                run_worker(client, name, args.steps, args.step_seconds)
        except knob_client.KnobError as error:
            failures.append(f"{name}: {error}")
        finally:
            client.close()

    threads = [threading.Thread(target=work, args=(i,))
               for i in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for failure in failures:
        print(f"chaos_worker: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

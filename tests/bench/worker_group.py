"""A group of long-lived worker processes that run one Knob study at a time
through the Python worker helper (client/python/knob_worker.py), as a
user's workers would. The benchmarks share it; each says what a worker
prepares once (`setup`) and how it evaluates a trial (`objective_for`).

The processes are started once and given one study after another, so that
each study costs only its trials, not interpreter starts. ProcessGroup,
that machinery without Knob's worker helper, also serves the pruning
benchmark's Optuna workers (pruning_optuna_workers.py).
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import queue
from typing import Any, Callable, List, Optional

# Seconds a process may take to start, import and load its data.
_STARTUP_TIMEOUT = 120


@dataclasses.dataclass
class Assignment:
    address: str
    study: str
    # What `objective_for` needs to evaluate this study's trials.
    payload: Any


def _worker_main(worker_id: str, setup: Callable[[], None],
                 objective_for: Callable[[Any], Callable], retry, inbox,
                 outbox) -> None:
    """One worker process: runs the studies it is given until told to end
    (None). Answers each with (worker_id, error or None). Ctrl-C ends it
    quietly: the benchmark's own process reports the interruption."""
    try:
        _serve(worker_id, setup, objective_for, retry, inbox, outbox)
    except KeyboardInterrupt:
        pass


def _serve(worker_id, setup, objective_for, retry, inbox, outbox) -> None:
    import knob_worker

    logging.basicConfig(level=logging.ERROR)
    setup()
    outbox.put((worker_id, "ready"))
    while True:
        assignment: Optional[Assignment] = inbox.get()
        if assignment is None:
            return
        error = None
        try:
            options = {} if retry is None else {"retry": retry}
            worker = knob_worker.Worker(assignment.address, assignment.study,
                                        worker_id=worker_id, **options)
            try:
                summary = worker.run(objective_for(assignment.payload))
                if summary.gave_up:
                    error = summary.stop_reason
            finally:
                worker.client.close()
        except Exception as caught:  # Reported, not fatal to the process.
            error = f"{type(caught).__name__}: {caught}"
        outbox.put((worker_id, error))


class ProcessGroup:
    """Spawned processes that each take the same job at a time and answer
    it. Process i runs `main(*args[i], inbox, outbox)`: it puts one message
    on `outbox` once ready, then one answer per job from `inbox`, and
    returns on None. `kind` names the processes in errors ("a worker
    process"). `main` and the args must be picklable."""

    def __init__(self, kind: str, main: Callable, args: List[tuple]):
        self._kind = kind
        context = multiprocessing.get_context("spawn")
        self._outbox = context.Queue()
        self._inboxes = []
        self._processes = []
        for process_args in args:
            inbox = context.Queue()
            process = context.Process(
                target=main, args=(*process_args, inbox, self._outbox),
                daemon=True)
            process.start()
            self._inboxes.append(inbox)
            self._processes.append(process)
        # Started and warmed up before the first job, so that a job's time
        # is its own.
        for _ in self._processes:
            try:
                self._outbox.get(timeout=_STARTUP_TIMEOUT)
            except queue.Empty:
                self.close()
                raise RuntimeError(f"{kind} did not start within "
                                   f"{_STARTUP_TIMEOUT} s") from None

    def run_on_all(self, job) -> list:
        """Gives `job` to every process; returns their answers."""
        for inbox in self._inboxes:
            inbox.put(job)
        return [self._answer() for _ in self._inboxes]

    def _answer(self):
        """The next answer of a process; raises RuntimeError when a process
        is gone (crashed, or interrupted with Ctrl-C) rather than waiting
        for it forever."""
        while True:
            try:
                return self._outbox.get(timeout=1.0)
            except queue.Empty:
                dead = [p for p in self._processes if not p.is_alive()]
                if dead:
                    raise RuntimeError(
                        f"{self._kind} exited with {dead[0].exitcode}")

    def close(self) -> None:
        for inbox in self._inboxes:
            inbox.put(None)
        for process in self._processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()


class WorkerGroup(ProcessGroup):
    """`size` worker processes that work on one study at a time.

    `setup` runs once in each process before its first study; `objective_for`
    turns an assignment's payload into the training function the worker
    helper calls per trial. Both must be picklable (module-level functions
    or functools.partial of them): the processes are spawned. `retry` is the
    worker helper's RetryPolicy (its default when None).
    """

    def __init__(self, name: str, size: int, setup: Callable[[], None],
                 objective_for: Callable[[Any], Callable], retry=None):
        super().__init__("a worker process", _worker_main,
                         [(f"{name}-{i}", setup, objective_for, retry)
                          for i in range(size)])

    def run(self, address: str, study: str, payload: Any) -> List[str]:
        """Runs the study to its end on every worker; returns the workers'
        errors (empty when all went well)."""
        answers = self.run_on_all(Assignment(address, study, payload))
        return [f"{worker_id}: {error}" for worker_id, error in answers
                if error]

"""A group of long-lived worker processes that run one Knob study at a time
through the Python worker helper (client/python/knob_worker.py), as a
user's workers would. The benchmarks share it; each says what a worker
prepares once (`setup`) and how it evaluates a trial (`objective_for`).

The processes are started once and given one study after another, so that
each study costs only its trials, not interpreter starts.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import queue
from typing import Any, Callable, List, Optional

# Seconds a worker process may take to import and load its data.
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


class WorkerGroup:
    """`size` worker processes that work on one study at a time.

    `setup` runs once in each process before its first study; `objective_for`
    turns an assignment's payload into the training function the worker
    helper calls per trial. Both must be picklable (module-level functions
    or functools.partial of them): the processes are spawned. `retry` is the
    worker helper's RetryPolicy (its default when None).
    """

    def __init__(self, name: str, size: int, setup: Callable[[], None],
                 objective_for: Callable[[Any], Callable], retry=None):
        context = multiprocessing.get_context("spawn")
        self._outbox = context.Queue()
        self._inboxes = []
        self._processes = []
        for i in range(size):
            inbox = context.Queue()
            process = context.Process(
                target=_worker_main,
                args=(f"{name}-{i}", setup, objective_for, retry, inbox,
                      self._outbox),
                daemon=True)
            process.start()
            self._inboxes.append(inbox)
            self._processes.append(process)
        # Started and warmed up before the first study, so that a study's
        # time is its own.
        for _ in self._processes:
            try:
                self._outbox.get(timeout=_STARTUP_TIMEOUT)
            except queue.Empty:
                self.close()
                raise RuntimeError(
                    f"a worker process did not start within "
                    f"{_STARTUP_TIMEOUT} s") from None

    def run(self, address: str, study: str, payload: Any) -> List[str]:
        """Runs the study to its end on every worker; returns the workers'
        errors (empty when all went well)."""
        for inbox in self._inboxes:
            inbox.put(Assignment(address, study, payload))
        errors = []
        for _ in self._inboxes:
            worker_id, error = self._answer()
            if error:
                errors.append(f"{worker_id}: {error}")
        return errors

    def _answer(self):
        """The next answer of a worker; raises RuntimeError when a worker
        process is gone (crashed, or interrupted with Ctrl-C) rather than
        waiting for it forever."""
        while True:
            try:
                return self._outbox.get(timeout=1.0)
            except queue.Empty:
                dead = [p for p in self._processes if not p.is_alive()]
                if dead:
                    raise RuntimeError(
                        f"a worker process exited with {dead[0].exitcode}")

    def close(self) -> None:
        for inbox in self._inboxes:
            inbox.put(None)
        for process in self._processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()

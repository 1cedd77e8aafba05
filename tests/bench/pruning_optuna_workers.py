"""Optuna's side of the pruning benchmark with several worker processes,
as an Optuna user runs a study on W workers: the study is created once
on a storage the processes share (a journal file, Optuna 3.1's
JournalStorage), with its pruner and every trial of the curve table
enqueued; then W processes each load it with the same pruner and run
`study.optimize` until the queue of enqueued trials is empty. So the
pruner judges a trial while the trials started with it are still
running, as Knob's does with the benchmark's W workers per study.

The worker processes are started once per benchmark process that runs
Optuna studies (`prepare`) and given one study after another, so that a
study's time is its trials, not W interpreter starts and Optuna imports.
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing.util
import os
import signal
import tempfile
import time
import warnings
from typing import List, Optional

import pruning_optuna_side
import pruning_results
from pruning_tasks import CurveTable
from worker_group import ProcessGroup

# Where the journals go: memory when the system offers it. Optuna syncs
# the journal to disk after every write, which on a disk would make a
# study's time mostly waits for the disk.
_JOURNAL_PARENT = "/dev/shm" if os.path.isdir("/dev/shm") else None


class _FileLock:
    """The journal's lock between processes, an flock(2) on a file next to
    it: exclusive for writing (Optuna's JournalFileStorage takes it through
    acquire and release), shared for reading (`reading`).

    Optuna 3.1's own file locks poll with sleeps that grow to a second: a
    worker waiting on one falls behind the others by whole trials, so the
    trials would not advance together as they do on Knob's side (and a
    study would take many times as long)."""

    def __init__(self, journal: str):
        self._path = journal + ".lock"
        self._held = None

    def acquire(self) -> bool:
        self._held = self._lock(fcntl.LOCK_EX)
        return True

    def release(self) -> None:
        self._held.close()  # Closing the file releases its lock.
        self._held = None

    @contextlib.contextmanager
    def reading(self):
        with self._lock(fcntl.LOCK_SH):
            yield

    def _lock(self, operation: int):
        file = open(self._path, "a")
        fcntl.flock(file, operation)
        return file


def _storage(journal: str):
    """The study's storage in the journal file `journal`, as each process
    opens it."""
    import optuna

    class LockedReads(optuna.storages.JournalFileStorage):
        """Reads the journal under the lock too. Optuna 3.1 reads without
        it and, when it catches a line half written, may take the line's
        two halves for two records and fail the worker."""

        def __init__(self):
            self._file_lock = _FileLock(journal)
            super().__init__(journal, lock_obj=self._file_lock)

        def read_logs(self, log_number_from: int):
            with self._file_lock.reading():
                return super().read_logs(log_number_from)

    return optuna.storages.JournalStorage(LockedReads())


def _quiet_optuna() -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    # JournalStorage is experimental in 3.1 and says so on every use.
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)


def _stop_when_queue_is_empty(study, trial) -> None:
    """A worker's callback after each of its trials: no enqueued trial
    left to start, no more work for this worker."""
    import optuna

    waiting = study.get_trials(deepcopy=False,
                               states=(optuna.trial.TrialState.WAITING,))
    if not waiting:
        study.stop()


def _optimize(journal: str, table: CurveTable, pruner: str) -> None:
    """One worker's part of a study: loads it with its own pruner and
    runs trials until the queue is empty."""
    import optuna

    study = optuna.load_study(
        study_name=pruning_optuna_side.study_name(table, pruner),
        storage=_storage(journal),
        sampler=pruning_optuna_side.make_sampler(table),
        pruner=pruning_optuna_side.make_pruner(table, pruner))
    while True:
        try:
            study.optimize(pruning_optuna_side.objective(table),
                           callbacks=[_stop_when_queue_is_empty])
            return
        except RuntimeError as error:
            # Optuna 3.1 raises this when a worker takes a queued trial
            # that another worker took and finished since it looked at the
            # queue (later versions skip it); no trial was started, so
            # this worker goes on with the next queued one.
            if "has already finished" not in str(error):
                raise


def _worker_main(inbox, outbox) -> None:
    """One worker process: runs its part of each study it is given
    ((journal, table, pruner)) until told to end (None), answering each
    with its error or None. It ignores Ctrl-C, as the process that owns
    it does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _quiet_optuna()
    outbox.put("ready")
    while True:
        job = inbox.get()
        if job is None:
            return
        error = None
        try:
            _optimize(*job)
        except Exception as caught:  # Reported with the run.
            error = f"{type(caught).__name__}: {caught}"
        outbox.put(error)


class OptunaWorkers(ProcessGroup):
    """`size` worker processes that work on one study at a time."""

    def __init__(self, size: int):
        super().__init__("an Optuna worker process", _worker_main,
                         [()] * size)

    def run(self, journal: str, table: CurveTable, pruner: str) -> List[str]:
        """Runs the study in `journal` until its queue is empty, on every
        worker; returns the workers' errors (empty when all went well)."""
        return [f"optuna worker: {error}"
                for error in self.run_on_all((journal, table, pruner))
                if error]


# The worker processes of this process (one of the benchmark's pool
# processes that run Optuna studies), made by `prepare`.
_workers: Optional[OptunaWorkers] = None


def prepare(size: int) -> None:
    """Starts this process's `size` worker processes (and imports Optuna
    here too). Like the process, they ignore Ctrl-C; they end with it."""
    global _workers
    pruning_optuna_side.prepare()
    _quiet_optuna()
    _workers = OptunaWorkers(size)
    # Closed when this process ends, before its queues' own finalizers
    # (priority 10) stop sending: the workers must still get their None.
    multiprocessing.util.Finalize(_workers, _workers.close, exitpriority=100)


def run_study(table: CurveTable, pruner: str) -> dict:
    """Runs one study on this process's worker processes and returns the
    run's record (pruning_results.record): only the table's trials, read
    from the shared storage once every worker has stopped."""
    start = time.monotonic()
    error = None
    with tempfile.TemporaryDirectory(prefix="knob-pruning-",
                                     dir=_JOURNAL_PARENT) as directory:
        journal = os.path.join(directory, "journal.log")
        study = pruning_optuna_side.create_study(table, pruner,
                                                 _storage(journal))
        try:
            error = "; ".join(_workers.run(journal, table, pruner)) or None
        except RuntimeError as failed:
            error = str(failed)
        outcomes = pruning_optuna_side.outcomes(table, study)
    return pruning_results.record("optuna", pruner, table, outcomes,
                                  time.monotonic() - start, error)

"""Runs a benchmark's studies `jobs` at a time: a Knob study on one of
`jobs` worker groups (worker_group.py), an Optuna study in one of `jobs`
processes. The benchmarks say how to run one study of either side and
how to report it; tasks are tuples whose first item is "knob" or
"optuna".
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import queue
import threading
import time


class StudyScheduler:
    """Subclasses implement run_knob, optuna_call and progress."""

    def __init__(self, jobs: int, writer):
        self.jobs = jobs
        self.writer = writer
        self.groups: queue.Queue = queue.Queue()
        self.optuna = None
        self.done = 0
        self.total = 0
        self.started = time.monotonic()
        self.lock = threading.Lock()

    def run_knob(self, group, task) -> dict:
        """Runs a Knob study on `group`; returns its record."""
        raise NotImplementedError

    def optuna_call(self, task):
        """(function, *arguments) that runs an Optuna study in a pool
        process and returns its record."""
        raise NotImplementedError

    def progress(self, record, minutes_left: float) -> None:
        """Says that `record`'s study ended (self.done of self.total)."""
        raise NotImplementedError

    def run(self, tasks, make_group, optuna_initializer, optuna_initargs=()):
        """Runs every task and returns their records in task order;
        `make_group(i)` makes the i-th worker group."""
        self.total = len(tasks)
        context = multiprocessing.get_context("spawn")
        if any(task[0] == "knob" for task in tasks):
            for i in range(self.jobs):
                self.groups.put(make_group(i))
        self.optuna = concurrent.futures.ProcessPoolExecutor(
            self.jobs, mp_context=context, initializer=optuna_initializer,
            initargs=optuna_initargs)
        threads = concurrent.futures.ThreadPoolExecutor(self.jobs)
        try:
            futures = [threads.submit(self._run_one, t) for t in tasks]
            return [future.result() for future in futures]
        finally:
            # On an error or Ctrl-C the studies not yet started are dropped.
            threads.shutdown(cancel_futures=True)
            self.optuna.shutdown(cancel_futures=True)
            while not self.groups.empty():
                self.groups.get().close()

    def _run_one(self, task):
        if task[0] == "knob":
            group = self.groups.get()
            try:
                record = self.run_knob(group, task)
            finally:
                self.groups.put(group)
        else:
            record = self.optuna.submit(*self.optuna_call(task)).result()
        with self.lock:
            self.writer.add(record)
            self.done += 1
            elapsed = time.monotonic() - self.started
            self.progress(record,
                          elapsed / self.done * (self.total - self.done) / 60)
        return record

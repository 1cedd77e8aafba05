"""Tests of worker processes (quadratic_worker.py on knob_worker) against
knob-server processes that are not always there: a server that comes up
after the worker, a server restarted mid-run, and a worker terminated in
the middle of a trial.

A restarted server must find its studies again, so those tests store them
in PostgreSQL (see postgres_server.PostgresServer).
"""

import json
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

from postgres_server import PostgresServer
from server_process import (KnobServer, ServerTestCase, free_port,
                            wait_until)
from studies import (create_study, get_study, list_trials, state_name,
                     study_pb2)

WORKER = Path(__file__).resolve().with_name("quadratic_worker.py")
WORKER_TIMEOUT = 40.0


class WorkerProcess:
    """quadratic_worker.py running as a child process, its output in
    files so that a chatty worker can never block on a full pipe."""

    def __init__(self, test: unittest.TestCase, server: str, study: str,
                 seconds_per_trial: float = 0.0):
        self._output = tempfile.TemporaryFile(mode="w+")
        self._errors = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), "--server", server, "--study", study,
             "--seconds-per-trial", str(seconds_per_trial)],
            stdin=subprocess.DEVNULL, stdout=self._output,
            stderr=self._errors)
        test.addCleanup(self._close)

    def wait(self) -> int:
        return self.process.wait(timeout=WORKER_TIMEOUT)

    def summary(self) -> dict:
        """The WorkerSummary printed at the end of a successful run."""
        self._output.seek(0)
        return json.loads(self._output.read().splitlines()[-1])

    def errors(self) -> str:
        self._errors.seek(0)
        return self._errors.read()

    def _close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._output.close()
        self._errors.close()


def completed_trials(server, study_id: int) -> int:
    return sum(state_name(trial) == "COMPLETED"
               for trial in list_trials(server, study_id))


class WorkerProcessTest(ServerTestCase):

    def test_sigterm_fails_the_running_trial_and_ends_the_worker(self):
        study = create_study(self.server, max_trials=3)
        worker = WorkerProcess(self, self.server.address, study.name,
                               seconds_per_trial=60)
        # Its first report: the worker is inside the objective.
        trial = wait_until(
            lambda: [trial for trial in list_trials(self.server, study.id)
                     if trial.intermediate_values],
            what="the worker to start training")[0]
        self.assertEqual(state_name(trial), "RUNNING")

        worker.process.send_signal(signal.SIGTERM)

        self.assertEqual(worker.wait(), 130, worker.errors())
        trial, = list_trials(self.server, study.id)
        self.assertEqual(state_name(trial), "FAILED")
        self.assertEqual(trial.fail_reason, "worker interrupted")
        self.assertEqual(trial.worker_id, "quadratic-worker")


class WorkerWithRestartingServerTest(unittest.TestCase):

    def setUp(self):
        self.postgres = PostgresServer.shared()
        name, self.database_url = self.postgres.create_database()
        self.addCleanup(self.postgres.drop_database, name)

    def start_server(self, port: int = 0) -> KnobServer:
        server = KnobServer(port=port, database_url=self.database_url)
        self.addCleanup(server.close)
        return server.start()

    def stop_server(self, server: KnobServer) -> None:
        code = server.stop()
        self.assertEqual(code, 0, f"knob-server exited with {code}:\n"
                                  f"{server.log()}")

    def assert_all_completed(self, worker, server, study, trials):
        self.assertEqual(worker.wait(), 0, worker.errors())
        summary = worker.summary()
        self.assertEqual(summary["completed"], trials)
        # No outcome was lost to the outage: none was refused because its
        # trial had gone stale or was finished already.
        self.assertEqual(summary["unrecorded"], 0, worker.errors())
        stored = list_trials(server, study.id)
        self.assertEqual([trial.number for trial in stored],
                         list(range(trials)))
        self.assertEqual({state_name(trial) for trial in stored},
                         {"COMPLETED"})
        self.assertEqual(get_study(server, study.id).state,
                         study_pb2.STUDY_STATE_COMPLETED)

    def test_worker_started_before_the_server_waits_for_it(self):
        port = free_port()
        first = self.start_server(port)
        study = create_study(first, max_trials=4)
        self.stop_server(first)

        worker = WorkerProcess(self, f"127.0.0.1:{port}", study.name)
        time.sleep(1.0)
        self.assertIsNone(worker.process.poll(), worker.errors())
        server = self.start_server(port)

        self.assert_all_completed(worker, server, study, 4)
        self.assertIn("GetStudy: UNAVAILABLE", worker.errors())
        self.stop_server(server)

    def test_worker_carries_on_across_a_server_restart(self):
        server = self.start_server()
        study = create_study(server, max_trials=8, lease_seconds=30)
        worker = WorkerProcess(self, server.address, study.name,
                               seconds_per_trial=0.2)
        wait_until(lambda: completed_trials(server, study.id) >= 2,
                   what="two completed trials")

        self.stop_server(server)
        time.sleep(1.0)
        self.assertIsNone(worker.process.poll(), worker.errors())
        restarted = self.start_server(server.port)

        self.assert_all_completed(worker, restarted, study, 8)
        self.assertIn("UNAVAILABLE", worker.errors())
        self.stop_server(restarted)


if __name__ == "__main__":
    unittest.main()

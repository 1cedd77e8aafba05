"""Tests of knob_worker.Worker running in this process against a real
knob-server process (memory storage), each test on a server of its own.

The worker runs exactly as a user's would; everything it should have
recorded is read back from the server through the API. Workers as
separate processes, and servers that go away, are in
knob_worker_process_test.py.
"""

import concurrent.futures
import logging
import math
import os
import platform
import socket
import time
import unittest

import grpc

import knob_client
import knob_worker
from server_process import ServerTestCase
from studies import (MINIMIZE, categorical_parameter, create_study,
                     float_parameter, get_study, int_parameter, list_trials,
                     params_of, set_state, state_name, study_pb2, when)

# Retries are part of what is tested, but the tests should not wait long.
FAST_RETRY = knob_client.RetryPolicy(initial_backoff=0.02, max_backoff=0.2,
                                     max_elapsed=10.0)
WORKER_ID = "worker-under-test"


def setUpModule():
    # Retries, pauses and failed trials are expected here; tests that care
    # about a warning capture it with assertLogs.
    logging.getLogger("knob_client").setLevel(logging.ERROR)
    logging.getLogger("knob_worker").setLevel(logging.ERROR)


def loss(params: dict) -> float:
    """The objective of the mixed search space below."""
    value = (params["x"] - 0.5) ** 2 + 0.1 * params["layers"]
    if params["model"] == "tree":
        value += 0.01 * params["tree/depth"]
    return value


MIXED_SPACE = [
    float_parameter("x", -2.0, 2.0),
    float_parameter("learning_rate", 1e-4, 1e-1, log_scale=True),
    int_parameter("layers", 1, 4),
    categorical_parameter("model", ["linear", "tree"]),
    when(int_parameter("tree/depth", 2, 8), "model", "tree"),
]


class WorkerTest(ServerTestCase):

    def worker(self, study, **options) -> knob_worker.Worker:
        options.setdefault("worker_id", WORKER_ID)
        worker = knob_worker.Worker(self.server.address, study.name,
                                    environment={"gpu": "none"},
                                    retry=FAST_RETRY, **options)
        self.addCleanup(worker.client.close)
        return worker

    def run_in_thread(self, worker, objective, **options):
        """Starts `worker.run` in a thread (so that the test can act on the
        study meanwhile) and returns its future."""
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self.addCleanup(executor.shutdown, wait=False)
        return executor.submit(worker.run, objective, **options)

    def test_runs_trials_until_the_budget_is_spent(self):
        study = create_study(self.server, parameters=MIXED_SPACE,
                             extra_metrics=["seconds"], max_trials=6)
        seen = {}

        def objective(trial):
            seen[trial.id] = (trial.number, dict(trial.params))
            trial.metrics["seconds"] = 0.25
            return loss(trial.params)

        summary = self.worker(study).run(objective)

        self.assertEqual(
            (summary.completed, summary.pruned, summary.failed), (6, 0, 0))
        self.assertEqual(summary.stop_reason,
                         "study is done: study is COMPLETED: max_trials=6 "
                         "reached")
        trials = list_trials(self.server, study.id)
        self.assertEqual([trial.number for trial in trials], list(range(6)))
        for trial in trials:
            params = params_of(trial)
            with self.subTest(trial=trial.number, params=params):
                self.assertEqual(state_name(trial), "COMPLETED")
                self.assertEqual(seen[trial.id], (trial.number, params))
                self.assertEqual(list(trial.values), [loss(params)])
                self.assertEqual(dict(trial.metrics), {"seconds": 0.25})
                self.assertTrue(-2.0 <= params["x"] <= 2.0)
                self.assertTrue(1e-4 <= params["learning_rate"] <= 1e-1)
                self.assertIn(params["layers"], range(1, 5))
                self.assertIn(params["model"], ("linear", "tree"))
                if params["model"] == "tree":
                    self.assertIn(params["tree/depth"], range(2, 9))
                else:
                    self.assertNotIn("tree/depth", params)
        self.assertEqual(get_study(self.server, study.id).state,
                         study_pb2.STUDY_STATE_COMPLETED)

    def test_records_the_worker_and_its_environment(self):
        study = create_study(self.server, max_trials=2)

        self.worker(study).run(lambda trial: 0.0, max_trials=1)
        self.worker(study, worker_id=None).run(lambda trial: 0.0)

        named, unnamed = list_trials(self.server, study.id)
        self.assertEqual(named.worker_id, WORKER_ID)
        self.assertEqual(unnamed.worker_id,
                         f"{socket.gethostname()}:{os.getpid()}")
        environment = dict(named.environment)
        self.assertEqual(environment["gpu"], "none")
        self.assertEqual(environment["pid"], str(os.getpid()))
        self.assertEqual(environment["python"], platform.python_version())
        self.assertEqual(environment["grpcio"], grpc.__version__)
        self.assertEqual(environment["hostname"], socket.gethostname())

    def test_concurrent_workers_share_the_budget_exactly(self):
        study = create_study(self.server, max_trials=9)
        workers = [self.worker(study, worker_id=f"worker-{index}")
                   for index in range(3)]
        finished = []

        def objective(trial):
            time.sleep(0.02)
            return trial.params["x"]

        futures = [self.run_in_thread(worker, objective,
                                      on_trial_end=finished.append)
                   for worker in workers]
        summaries = [future.result(timeout=30) for future in futures]

        self.assertEqual(sum(summary.completed for summary in summaries), 9)
        trials = list_trials(self.server, study.id)
        self.assertEqual([trial.number for trial in trials], list(range(9)))
        self.assertTrue(all(state_name(trial) == "COMPLETED"
                            for trial in trials))
        self.assertEqual(sorted(outcome.trial.id for outcome in finished),
                         sorted(trial.id for trial in trials))
        self.assertLessEqual({trial.worker_id for trial in trials},
                             {"worker-0", "worker-1", "worker-2"})

    def test_an_exception_fails_the_trial_and_the_worker_goes_on(self):
        study = create_study(self.server, max_trials=2)

        def objective(trial):
            if trial.number == 0:
                raise ValueError("diverged at step 3")
            return 1.0

        summary = self.worker(study).run(objective)

        self.assertEqual((summary.failed, summary.completed), (1, 1))
        failed, completed = list_trials(self.server, study.id)
        self.assertEqual(state_name(failed), "FAILED")
        self.assertEqual(failed.fail_reason, "ValueError: diverged at step 3")
        self.assertEqual(list(failed.values), [])
        self.assertEqual(state_name(completed), "COMPLETED")
        self.assertEqual(list(completed.values), [1.0])

    def test_a_non_finite_result_fails_the_trial(self):
        study = create_study(self.server, max_trials=1)

        summary = self.worker(study).run(lambda trial: float("nan"))

        self.assertEqual(summary.failed, 1)
        trial, = list_trials(self.server, study.id)
        self.assertEqual(state_name(trial), "FAILED")
        self.assertIn("expected finite values", trial.fail_reason)

    def test_gives_up_after_consecutive_failures(self):
        study = create_study(self.server, max_trials=10)

        def objective(trial):
            raise RuntimeError("bug in the training code")

        summary = self.worker(study, max_consecutive_failures=3).run(
            objective)

        self.assertTrue(summary.gave_up)
        self.assertEqual(summary.failed, 3)
        self.assertEqual(summary.stop_reason,
                         "3 trials in a row failed; last: RuntimeError: bug "
                         "in the training code")
        # The worker stopped asking: the rest of the budget is untouched.
        self.assertEqual(
            [state_name(trial) for trial in list_trials(self.server,
                                                        study.id)],
            ["FAILED"] * 3)

    def test_pruned_by_the_objective_with_its_intermediate_values(self):
        study = create_study(self.server, extra_metrics=["accuracy"],
                             max_trials=1)
        answers = []

        def objective(trial):
            for step in range(3):
                answers.append(trial.report(step, 1.0 / (step + 1)))
            answers.append(trial.report(2, 0.9, metric="accuracy"))
            # Not sent: the server would reject it and the trial goes on.
            answers.append(trial.report(3, math.inf))
            raise knob_worker.TrialPruned("plateau after 3 epochs")

        summary = self.worker(study).run(objective)

        self.assertEqual(summary.pruned, 1)
        # The study's pruner ("none") never asks to stop.
        self.assertEqual(answers, [False] * 5)
        trial, = list_trials(self.server, study.id)
        self.assertEqual(state_name(trial), "PRUNED")
        self.assertEqual(trial.fail_reason, "plateau after 3 epochs")
        self.assertEqual(
            [(value.step, value.metric, value.value)
             for value in trial.intermediate_values],
            [(0, "loss", 1.0), (1, "loss", 0.5), (2, "loss", 1.0 / 3),
             (2, "accuracy", 0.9)])

    def test_several_objectives_are_recorded_in_order(self):
        study = create_study(
            self.server, objectives=[("loss", MINIMIZE),
                                     ("latency", MINIMIZE)],
            max_trials=2)

        self.worker(study).run(
            lambda trial: (trial.params["x"] ** 2, 1.0 - trial.params["x"]))

        for trial in list_trials(self.server, study.id):
            x = params_of(trial)["x"]
            self.assertEqual(list(trial.values), [x ** 2, 1.0 - x])

    def test_a_stopped_study_stops_the_running_trial(self):
        study = create_study(self.server, max_trials=5, lease_seconds=3)
        worker = self.worker(study)
        # A third of the lease: the stop arrives well before it runs out.
        self.assertEqual(worker.heartbeat_interval, 1.0)
        observed = []

        def objective(trial):
            set_state(self.server, study.id, study_pb2.STUDY_STATE_STOPPED)
            stopped_at = time.monotonic()
            while not trial.should_stop:
                if time.monotonic() - stopped_at > 10:
                    return 0.0
                time.sleep(0.02)
            observed.append((time.monotonic() - stopped_at,
                             trial.report(1, 0.5)))
            raise knob_worker.TrialPruned()

        summary = worker.run(objective)

        self.assertTrue(observed, "the stop never reached the trial")
        (seconds, report_answer), = observed
        self.assertLess(seconds, 3.0)
        self.assertTrue(report_answer)
        self.assertEqual((summary.pruned, summary.trials), (1, 1))
        self.assertEqual(summary.stop_reason,
                         "study is done: study is STOPPED: stopped by a user")
        trial, = list_trials(self.server, study.id)
        self.assertEqual(state_name(trial), "PRUNED")
        self.assertEqual(trial.fail_reason, "study was stopped")

    def test_waits_while_the_study_is_paused_and_goes_on_after_resume(self):
        study = create_study(self.server, max_trials=2)
        set_state(self.server, study.id, study_pb2.STUDY_STATE_PAUSED)

        with self.assertLogs("knob_worker", logging.WARNING) as logs:
            future = self.run_in_thread(self.worker(study),
                                        lambda trial: 0.0)
            time.sleep(1.5)
            self.assertFalse(future.done())
            self.assertEqual(list_trials(self.server, study.id), [])
            set_state(self.server, study.id, study_pb2.STUDY_STATE_RUNNING)
            summary = future.result(timeout=20)

        self.assertEqual(summary.completed, 2)
        self.assertTrue(summary.stop_reason.endswith("max_trials=2 reached"))
        self.assertIn("study is PAUSED: paused by a user", logs.output[0])
        self.assertTrue(any("resumed" in line for line in logs.output))

    def test_stops_waiting_for_a_paused_study_after_idle_timeout(self):
        study = create_study(self.server, max_trials=2)
        set_state(self.server, study.id, study_pb2.STUDY_STATE_PAUSED)
        start = time.monotonic()

        summary = self.worker(study, idle_timeout=1.0).run(lambda trial: 0.0)

        self.assertGreaterEqual(time.monotonic() - start, 1.0)
        self.assertEqual(summary.trials, 0)
        self.assertEqual(summary.stop_reason,
                         "no trial handed out for 1 s: study is PAUSED: "
                         "paused by a user")

    def test_unknown_study(self):
        with self.assertRaises(knob_client.KnobError) as raised:
            knob_worker.Worker(self.server.address, "no-such-study",
                               retry=FAST_RETRY)
        self.assertEqual(raised.exception.code, grpc.StatusCode.NOT_FOUND)
        self.assertIn("no-such-study", raised.exception.details)


if __name__ == "__main__":
    unittest.main()

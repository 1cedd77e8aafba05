"""Tests of knob_client against a real knob-server process (memory storage):
study lookup, request ids, retries while the server is unreachable, and
the answers a worker acts on."""

import logging
import threading
import time
import unittest

import grpc

import knob_client
from postgres_server import PostgresServer
from server_process import KnobServer, ServerTestCase, free_port
from studies import (create_study, get_trial, list_trials, service_pb2,
                     state_name, trial_pb2)

FAST_RETRY = knob_client.RetryPolicy(initial_backoff=0.02, max_backoff=0.2,
                                     max_elapsed=10.0)
WORKER_ID = "client-under-test"


def setUpModule():
    # The retries below are expected; their warnings are noise.
    logging.getLogger("knob_client").setLevel(logging.ERROR)


class ClientTest(ServerTestCase):

    def client(self, address=None, retry=FAST_RETRY) -> knob_client.Client:
        client = knob_client.Client(address or self.server.address,
                                    retry=retry)
        self.addCleanup(client.close)
        return client

    def suggest_one(self, client, study):
        trials = client.suggest(study.id, WORKER_ID, {}).trials
        self.assertEqual(len(trials), 1)
        return trials[0]

    def test_finds_a_study_by_name_or_by_id(self):
        study = create_study(self.server)
        # A study whose name is the other study's id, written as digits:
        # the name wins, the int always means the id.
        namesake = create_study(self.server, name=str(study.id))
        client = self.client()

        self.assertEqual(client.get_study(study.name).id, study.id)
        self.assertEqual(client.get_study(study.id).name, study.name)
        self.assertEqual(client.get_study(str(study.id)).id, namesake.id)
        self.assertEqual(client.get_study(str(namesake.id)).id, namesake.id)

    def test_unknown_study_is_not_found(self):
        client = self.client()
        for study in ("no-such-study", "987654", 987654):
            with self.subTest(study=study):
                with self.assertRaises(knob_client.KnobError) as raised:
                    client.get_study(study)
                self.assertEqual(raised.exception.code,
                                 grpc.StatusCode.NOT_FOUND)

    def test_each_call_is_a_new_request(self):
        study = create_study(self.server, max_trials=5)
        client = self.client()

        first = self.suggest_one(client, study)
        second = self.suggest_one(client, study)
        self.assertNotEqual(first.id, second.id)
        client.complete(first.id, "COMPLETED", [1.0])
        # A second completion is a new request, not a retry of the first.
        with self.assertRaises(knob_client.KnobError) as raised:
            client.complete(first.id, "COMPLETED", [2.0])
        self.assertEqual(raised.exception.code,
                         grpc.StatusCode.FAILED_PRECONDITION)
        self.assertEqual(list(get_trial(self.server, first.id).values), [1.0])

    def test_a_repeated_request_id_gets_the_first_answer(self):
        """What makes the client's retries safe: a call retried with its
        request id is answered, not done again."""
        study = create_study(self.server, max_trials=5)
        suggest = service_pb2.SuggestTrialsRequest(
            study_id=study.id, count=1, worker_id=WORKER_ID,
            request_id="suggest-1")
        suggested = self.server.trials.SuggestTrials(suggest, timeout=10)
        again = self.server.trials.SuggestTrials(suggest, timeout=10)
        self.assertEqual(again, suggested)
        trial_id = suggested.trials[0].id

        complete = service_pb2.CompleteTrialRequest(
            trial_id=trial_id, state=trial_pb2.TRIAL_STATE_COMPLETED,
            values=[0.5], request_id="complete-1")
        completed = self.server.trials.CompleteTrial(complete, timeout=10)
        retried = self.server.trials.CompleteTrial(complete, timeout=10)
        self.assertEqual(retried, completed)
        self.assertEqual(state_name(retried), "COMPLETED")

        complete.request_id = "complete-2"
        with self.assertRaises(grpc.RpcError) as raised:
            self.server.trials.CompleteTrial(complete, timeout=10)
        self.assertEqual(raised.exception.code(),
                         grpc.StatusCode.FAILED_PRECONDITION)
        self.assertEqual(len(list_trials(self.server, study.id)), 1)

    def test_waits_for_a_server_that_is_not_up_yet(self):
        port = free_port()
        late = KnobServer(port=port)
        self.addCleanup(late.close)
        starter = threading.Timer(1.0, late.start)
        starter.start()
        self.addCleanup(starter.join)
        client = self.client(f"127.0.0.1:{port}")
        start = time.monotonic()

        # NOT_FOUND can only come from the server: the call kept trying
        # until the server was there to answer it.
        with self.assertRaises(knob_client.KnobError) as raised:
            client.get_study("created-nowhere")
        self.assertEqual(raised.exception.code, grpc.StatusCode.NOT_FOUND)
        # And it found the server at the retry policy's pace (backoff at
        # most 0.2 s), not at gRPC's own, slower one.
        self.assertGreaterEqual(time.monotonic() - start, 1.0)
        self.assertLess(time.monotonic() - start, 3.0)
        starter.join()
        self.assertEqual(late.stop(), 0)

    def test_gives_up_when_the_server_stays_away(self):
        retry = knob_client.RetryPolicy(initial_backoff=0.02,
                                        max_backoff=0.1, max_elapsed=0.5)
        client = self.client(f"127.0.0.1:{free_port()}", retry=retry)
        start = time.monotonic()

        with self.assertRaises(knob_client.KnobError) as raised:
            client.get_study("anything")

        self.assertEqual(raised.exception.code, grpc.StatusCode.UNAVAILABLE)
        self.assertLess(time.monotonic() - start, 3.0)

    def test_an_error_that_retrying_cannot_fix_is_raised_at_once(self):
        study = create_study(self.server, max_trials=1)
        patient = knob_client.RetryPolicy(initial_backoff=1.0,
                                          max_elapsed=60.0)
        client = self.client(retry=patient)
        trial = self.suggest_one(client, study)
        start = time.monotonic()

        with self.assertRaises(knob_client.KnobError) as raised:
            client.report(trial.id, -1, 0.5)

        self.assertLess(time.monotonic() - start, 1.0)
        self.assertEqual(raised.exception.code,
                         grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("step", raised.exception.details)
        self.assertEqual(raised.exception.method, "ReportIntermediate")

    def test_heartbeat_extends_leases_and_says_which_trials_to_stop(self):
        study = create_study(self.server, max_trials=2, lease_seconds=60)
        client = self.client()
        running = self.suggest_one(client, study)
        finished = self.suggest_one(client, study)
        client.complete(finished.id, "FAILED", reason="out of memory")
        time.sleep(0.01)

        response = client.heartbeat([running.id, finished.id], WORKER_ID)

        keep, stop = response.directives
        self.assertEqual((keep.trial_id, keep.stop), (running.id, False))
        self.assertGreater(keep.lease_deadline.ToNanoseconds(),
                           running.lease_deadline.ToNanoseconds())
        self.assertEqual((stop.trial_id, stop.stop, stop.reason),
                         (finished.id, True, "trial is FAILED"))

    def test_best_trials(self):
        study = create_study(self.server, max_trials=3)
        client = self.client()
        for value in (3.0, 1.0, 2.0):
            client.complete(self.suggest_one(client, study).id, "COMPLETED",
                            [value])

        best, = client.best_trials(study.id)

        self.assertEqual(list(best.values), [1.0])


class ClientOnPostgresTest(unittest.TestCase):
    """Calls that the server carries out after the client stopped waiting
    for them. Only PostgreSQL lets a test hold the server up in the middle
    of a call: by locking the rows the call needs."""

    def setUp(self):
        postgres = PostgresServer.shared()
        name, self.database_url = postgres.create_database()
        self.addCleanup(postgres.drop_database, name)
        self.server = KnobServer(database_url=self.database_url)
        self.addCleanup(self.server.close)
        self.server.start()
        self.addCleanup(self._stop_server)

    def _stop_server(self):
        code = self.server.stop()
        self.assertEqual(code, 0, self.server.log())

    def test_a_retried_call_keeps_its_request_id(self):
        study = create_study(self.server, max_trials=1)
        # Each attempt gives up after 0.3 s; the server goes on with it.
        client = knob_client.Client(self.server.address, retry=FAST_RETRY,
                                    timeout=0.3)
        self.addCleanup(client.close)
        trial = client.suggest(study.id, WORKER_ID, {}).trials[0]

        with PostgresServer.shared().holding_lock(
                self.database_url,
                f"SELECT 1 FROM knob.study WHERE id = {study.id} FOR UPDATE",
                seconds=1.5):
            with self.assertLogs("knob_client", logging.WARNING) as logs:
                completed = client.complete(trial.id, "COMPLETED", [0.25])

        # The first attempt completed the trial once the lock was gone;
        # a later attempt with another request id would have been refused
        # as completing a finished trial.
        self.assertIn("CompleteTrial: DEADLINE_EXCEEDED", logs.output[0])
        self.assertEqual((completed.id, state_name(completed)),
                         (trial.id, "COMPLETED"))
        self.assertEqual(list(get_trial(self.server, trial.id).values),
                         [0.25])


class ValueTest(unittest.TestCase):

    def test_round_trip_keeps_the_type(self):
        knob_client.load_api()
        for value in (1.5, 3, "relu", True, False, 0):
            with self.subTest(value=value):
                converted = knob_client.value_to_python(
                    knob_client.python_to_value(value))
                self.assertEqual((converted, type(converted)),
                                 (value, type(value)))

    def test_unsupported_value(self):
        knob_client.load_api()
        with self.assertRaises(TypeError):
            knob_client.python_to_value([1, 2])


if __name__ == "__main__":
    unittest.main()

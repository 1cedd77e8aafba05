"""Knob's side of the sampler benchmark: one study per (problem, sampler,
seed) on a running knob-server, evaluated by a group of worker processes
that use the Python worker helper (client/python/knob_worker.py), as a
user's workers would.

The worker processes are long-lived (started once, given one study after
another) so that each study costs only its trials, not interpreter starts.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import queue
import re
import time
import uuid
from typing import List, Optional

import grpc

import knob_client
import results
from problems import PROBLEMS, Problem, prepare_problems
from search_space import Param

# Seconds a worker process may take to import and load its datasets.
_STARTUP_TIMEOUT = 120

# A sampler name no registry will hold, to learn the ones it does hold.
_PROBE_SAMPLER = "(list known samplers)"


def _api():
    return knob_client.load_api()


def _parameter_spec(param: Param):
    study_pb2 = _api().study_pb2
    spec = study_pb2.ParameterSpec(name=param.name)
    if param.kind == "float":
        spec.float_domain.CopyFrom(study_pb2.FloatDomain(
            min=param.low, max=param.high, log_scale=param.log))
    elif param.kind == "int":
        spec.int_domain.CopyFrom(study_pb2.IntDomain(
            min=int(param.low), max=int(param.high), log_scale=param.log))
    else:
        spec.categorical_domain.choices.extend(
            knob_client.python_to_value(c) for c in param.choices)
    if param.parent is not None:
        spec.condition.parent = param.parent
        spec.condition.values.extend(
            knob_client.python_to_value(v) for v in param.parent_values)
    return spec


def study_config(problem: Problem, sampler: str, seed: int, trials: int):
    """The StudyConfig of one benchmark run: the problem's space, one
    minimized objective "value", the sampler, the seed, `trials` trials."""
    study_pb2 = _api().study_pb2
    config = study_pb2.StudyConfig(
        parameters=[_parameter_spec(p) for p in problem.space],
        objectives=[study_pb2.Objective(
            metric="value", direction=study_pb2.DIRECTION_MINIMIZE)],
        sampler=study_pb2.AlgorithmSpec(name=sampler), seed=seed)
    config.stopping.max_trials = trials
    return config


class Server:
    """The StudyService and TrialService of a running knob-server."""

    def __init__(self, address: str):
        self.address = address
        self._channel = grpc.insecure_channel(address)
        api = _api()
        self.studies = api.service_pb2_grpc.StudyServiceStub(self._channel)
        self.trials = api.service_pb2_grpc.TrialServiceStub(self._channel)

    def close(self) -> None:
        self._channel.close()

    def known_samplers(self) -> List[str]:
        """The sampler names the server accepts, read from its answer to a
        study that names an unknown one."""
        request = _api().service_pb2.CreateStudyRequest(
            name=f"bench-probe-{uuid.uuid4().hex[:12]}",
            config=study_config(PROBLEMS["branin"], _PROBE_SAMPLER, 0, 1))
        try:
            self.studies.CreateStudy(request, timeout=30)
        except grpc.RpcError as error:
            found = re.search(r"known: (.*)$", error.details() or "")
            if error.code() == grpc.StatusCode.INVALID_ARGUMENT and found:
                return [name.strip() for name in found.group(1).split(",")]
            raise
        raise RuntimeError(
            f"knob-server accepted the sampler name {_PROBE_SAMPLER!r}")

    def create_study(self, name: str, config) -> int:
        request = _api().service_pb2.CreateStudyRequest(name=name,
                                                        config=config)
        return self.studies.CreateStudy(request, timeout=30).id

    def list_trials(self, study_id: int) -> list:
        """Every trial of the study, by number."""
        service_pb2 = _api().service_pb2
        trials, token = [], ""
        while True:
            page = self.trials.ListTrials(
                service_pb2.ListTrialsRequest(study_id=study_id,
                                              page_token=token,
                                              page_size=10000),
                timeout=60)
            trials.extend(page.trials)
            token = page.next_page_token
            if not token:
                return trials


# --------------------------------------------------------------------------
# Worker processes


@dataclasses.dataclass
class _Assignment:
    address: str
    study: str
    problem: str
    seed: int


def _worker_main(worker_id: str, problems: List[str], inbox, outbox) -> None:
    """One worker process: runs the studies it is given until told to end
    (None). Answers each with (worker_id, error or None). Ctrl-C ends it
    quietly: the benchmark's own process reports the interruption."""
    try:
        _serve(worker_id, problems, inbox, outbox)
    except KeyboardInterrupt:
        pass


def _serve(worker_id: str, problems: List[str], inbox, outbox) -> None:
    import knob_worker

    logging.basicConfig(level=logging.ERROR)
    prepare_problems(problems)
    outbox.put((worker_id, "ready"))
    while True:
        assignment: Optional[_Assignment] = inbox.get()
        if assignment is None:
            return
        problem = PROBLEMS[assignment.problem]

        def objective(trial):
            return problem.observe(trial.params, assignment.seed,
                                   trial.number)

        error = None
        try:
            worker = knob_worker.Worker(assignment.address, assignment.study,
                                        worker_id=worker_id)
            try:
                summary = worker.run(objective)
                if summary.gave_up:
                    error = summary.stop_reason
            finally:
                worker.client.close()
        except Exception as caught:  # Reported, not fatal to the process.
            error = f"{type(caught).__name__}: {caught}"
        outbox.put((worker_id, error))


class WorkerGroup:
    """`size` worker processes that work on one study at a time, on the
    named problems."""

    def __init__(self, name: str, size: int, problems: List[str]):
        context = multiprocessing.get_context("spawn")
        self._outbox = context.Queue()
        self._inboxes = []
        self._processes = []
        for i in range(size):
            inbox = context.Queue()
            process = context.Process(
                target=_worker_main,
                args=(f"{name}-{i}", problems, inbox, self._outbox),
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

    def run(self, address: str, study: str, problem: str,
            seed: int) -> List[str]:
        """Runs the study to its end on every worker; returns the workers'
        errors (empty when all went well)."""
        for inbox in self._inboxes:
            inbox.put(_Assignment(address, study, problem, seed))
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


# --------------------------------------------------------------------------
# One run


def run_study(server: Server, group: WorkerGroup, run_name: str,
              problem: Problem, sampler: str, seed: int,
              trials: int) -> dict:
    """Runs one study to its end with the group's workers and returns the
    run's record (results.record)."""
    api = _api()
    start = time.monotonic()
    outcome = results.Outcome()
    try:
        try:
            study_id = server.create_study(
                run_name, study_config(problem, sampler, seed, trials))
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.INVALID_ARGUMENT:
                raise
            # The sampler does not take this problem's space or objective.
            outcome.unsupported = error.details()
            return results.record("knob", sampler, problem, seed, trials,
                                  outcome)
        errors = group.run(server.address, run_name, problem.name, seed)
        outcome.error = "; ".join(errors) or None
        for trial in server.list_trials(study_id):
            value = None
            if (trial.state == api.trial_pb2.TRIAL_STATE_COMPLETED and
                    trial.values):
                value = trial.values[0]
            params = {name: knob_client.value_to_python(v)
                      for name, v in trial.parameters.items()}
            outcome.add(trial.number, value, params)
    except grpc.RpcError as error:
        outcome.error = f"{error.code().name}: {error.details()}"
    outcome.seconds = time.monotonic() - start
    return results.record("knob", sampler, problem, seed, trials, outcome)

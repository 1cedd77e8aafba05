"""Knob's side of the sampler benchmark: one study per (problem, sampler,
seed) on a running knob-server, evaluated by a group of worker processes
(worker_group.py) that use the Python worker helper, as a user's workers
would.
"""

from __future__ import annotations

import functools
import re
import time
import uuid
from typing import List

import grpc

import knob_client
import results
from problems import PROBLEMS, Problem, prepare_problems
from search_space import Param
from worker_group import WorkerGroup

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
            min=int(param.low), max=int(param.high), log_scale=param.log,
            step=param.step or 0))
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
        """The sampler names the server accepts."""
        return self.known_names(
            study_config(PROBLEMS["branin"], _PROBE_SAMPLER, 0, 1),
            "sampler")

    def known_names(self, config, kind: str) -> List[str]:
        """The names of a kind ("sampler", "pruner") the server accepts,
        read from its answer to `config`, which must name an unknown one."""
        request = _api().service_pb2.CreateStudyRequest(
            name=f"bench-probe-{uuid.uuid4().hex[:12]}", config=config)
        try:
            self.studies.CreateStudy(request, timeout=30)
        except grpc.RpcError as error:
            found = re.search(r"known: (.*)$", error.details() or "")
            if error.code() == grpc.StatusCode.INVALID_ARGUMENT and found:
                return [name.strip() for name in found.group(1).split(",")]
            raise
        raise RuntimeError(f"knob-server accepted an unknown {kind} name")

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


def _problem_objective(payload):
    """The training function of a study: the problem's value at the
    trial's parameters, its noise seeded by (seed, trial number)."""
    problem_name, seed = payload
    problem = PROBLEMS[problem_name]

    def objective(trial):
        return problem.observe(trial.params, seed, trial.number)

    return objective


def worker_group(name: str, size: int, problems: List[str]) -> WorkerGroup:
    """`size` worker processes that evaluate studies of the named
    problems, their datasets loaded once per process."""
    return WorkerGroup(name, size,
                       functools.partial(prepare_problems, problems),
                       _problem_objective)


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
        errors = group.run(server.address, run_name,
                           (problem.name, seed))
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

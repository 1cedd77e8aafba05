"""Knob's side of the importance benchmark: one study per problem on a
running knob-server; the drawn trials are enqueued, handed out and
completed with their values through the API, then GetParamImportances
answers, as it would a user of a real study.
"""

from __future__ import annotations

import time
import uuid
from typing import Dict, List, Tuple

import grpc

import knob_client
from importance_problems import Param, ParamValue, Problem

_TIMEOUT = 60


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
            step=param.step or 1))
    else:
        spec.categorical_domain.choices.extend(
            knob_client.python_to_value(c) for c in param.choices)
    return spec


class KnobSide:
    def __init__(self, address: str):
        self._channel = grpc.insecure_channel(address)
        api = _api()
        self._studies = api.service_pb2_grpc.StudyServiceStub(self._channel)
        self._trials = api.service_pb2_grpc.TrialServiceStub(self._channel)

    def close(self) -> None:
        self._channel.close()

    def _create_study(self, problem: Problem, seed: int, trials: int) -> int:
        api = _api()
        config = api.study_pb2.StudyConfig(
            parameters=[_parameter_spec(p) for p in problem.space],
            objectives=[api.study_pb2.Objective(
                metric="value", direction=api.study_pb2.DIRECTION_MINIMIZE)],
            sampler=api.study_pb2.AlgorithmSpec(name="random"), seed=seed)
        config.stopping.max_trials = trials
        request = api.service_pb2.CreateStudyRequest(
            name=f"importance-{problem.name}-{uuid.uuid4().hex[:8]}",
            config=config)
        return self._studies.CreateStudy(request, timeout=_TIMEOUT).id

    def _record(self, study_id: int,
                drawn: List[Tuple[Dict[str, ParamValue], float]]) -> None:
        service_pb2 = _api().service_pb2
        trial_pb2 = _api().trial_pb2
        value_by_number = {}
        for params, value in drawn:
            request = service_pb2.EnqueueTrialRequest(
                study_id=study_id, request_id=str(uuid.uuid4()),
                parameters={name: knob_client.python_to_value(v)
                            for name, v in params.items()})
            trial = self._trials.EnqueueTrial(request, timeout=_TIMEOUT)
            value_by_number[trial.number] = value
        handed_out = 0
        while handed_out < len(drawn):
            request = service_pb2.SuggestTrialsRequest(
                study_id=study_id, count=min(100, len(drawn) - handed_out),
                worker_id="importance-bench", request_id=str(uuid.uuid4()))
            response = self._trials.SuggestTrials(request, timeout=_TIMEOUT)
            if not response.trials:
                raise RuntimeError(f"study {study_id} handed out no trial: "
                                   f"{response.done_reason}")
            for trial in response.trials:
                complete = service_pb2.CompleteTrialRequest(
                    trial_id=trial.id, state=trial_pb2.TRIAL_STATE_COMPLETED,
                    values=[value_by_number[trial.number]],
                    request_id=str(uuid.uuid4()))
                self._trials.CompleteTrial(complete, timeout=_TIMEOUT)
            handed_out += len(response.trials)

    def importances(self, problem: Problem, seed: int,
                    drawn: List[Tuple[Dict[str, ParamValue], float]]
                    ) -> Tuple[Dict[str, float], float]:
        """Knob's importances of the drawn trials, and the seconds the
        GetParamImportances call took."""
        study_id = self._create_study(problem, seed, len(drawn))
        self._record(study_id, drawn)
        request = _api().service_pb2.GetParamImportancesRequest(
            study_id=study_id)
        start = time.perf_counter()
        response = self._studies.GetParamImportances(request, timeout=_TIMEOUT)
        seconds = time.perf_counter() - start
        if response.trial_count != len(drawn):
            raise RuntimeError(f"Knob used {response.trial_count} trials, "
                               f"not {len(drawn)}")
        return ({entry.parameter: entry.importance
                 for entry in response.importances}, seconds)

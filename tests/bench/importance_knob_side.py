"""Knob's side of the importance benchmark: one study per problem on a
running knob-server; the drawn trials are enqueued, handed out and
completed with their values through the API, then GetParamImportances
answers, as it would a user of a real study.
"""

from __future__ import annotations

import time
import uuid
from typing import Dict, List, Tuple

import knob_client
import knob_side
from importance_problems import ParamValue, Problem

_TIMEOUT = 60


def _api():
    return knob_client.load_api()


class KnobSide:
    def __init__(self, address: str):
        self._server = knob_side.Server(address)
        self._studies = self._server.studies
        self._trials = self._server.trials

    def close(self) -> None:
        self._server.close()

    def _create_study(self, problem: Problem, seed: int, trials: int) -> int:
        # The sampler benchmark's config: the space, one minimized objective
        # "value"; random sampling, as the drawn trials are all enqueued.
        request = _api().service_pb2.CreateStudyRequest(
            name=f"importance-{problem.name}-{uuid.uuid4().hex[:8]}",
            config=knob_side.study_config(problem, "random", seed, trials))
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

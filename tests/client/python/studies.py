"""Studies for the Python client tests, created and read back through the
real API of a running knob-server (see server_process.KnobServer)."""

import uuid
from typing import Iterable, Optional

import knob_client

api = knob_client.load_api()
study_pb2 = api.study_pb2
trial_pb2 = api.trial_pb2
service_pb2 = api.service_pb2

MINIMIZE = study_pb2.DIRECTION_MINIMIZE
MAXIMIZE = study_pb2.DIRECTION_MAXIMIZE


def float_parameter(name: str, low: float, high: float, *,
                    log_scale: bool = False):
    return study_pb2.ParameterSpec(
        name=name, float_domain=study_pb2.FloatDomain(
            min=low, max=high, log_scale=log_scale))


def int_parameter(name: str, low: int, high: int):
    return study_pb2.ParameterSpec(
        name=name, int_domain=study_pb2.IntDomain(min=low, max=high))


def categorical_parameter(name: str, choices: Iterable):
    return study_pb2.ParameterSpec(
        name=name, categorical_domain=study_pb2.CategoricalDomain(
            choices=[knob_client.python_to_value(c) for c in choices]))


def when(parameter, parent: str, *values):
    """`parameter`, active only while `parent` takes one of `values`."""
    parameter.condition.parent = parent
    parameter.condition.values.extend(
        knob_client.python_to_value(value) for value in values)
    return parameter


def create_study(server, *, parameters=None,
                 objectives=(("loss", MINIMIZE),), extra_metrics=(),
                 max_trials: int = 0, lease_seconds: Optional[float] = None,
                 name: Optional[str] = None, seed: int = 7):
    """Creates a study on `server` and returns the stored Study. By default
    one float parameter "x" in [-1, 1] and one objective "loss" to
    minimize; the seed is fixed so that a failure replays."""
    config = study_pb2.StudyConfig(
        parameters=parameters or [float_parameter("x", -1.0, 1.0)],
        objectives=[study_pb2.Objective(metric=metric, direction=direction)
                    for metric, direction in objectives],
        extra_metrics=list(extra_metrics), seed=seed)
    if max_trials:
        config.stopping.max_trials = max_trials
    if lease_seconds is not None:
        config.lease_duration.FromNanoseconds(int(lease_seconds * 1e9))
    request = service_pb2.CreateStudyRequest(
        name=name or f"study-{uuid.uuid4().hex[:12]}", config=config)
    return server.studies.CreateStudy(request, timeout=10)


def set_state(server, study_id: int, state: int):
    """Pauses (PAUSED), resumes (RUNNING) or stops (STOPPED) a study."""
    return server.studies.UpdateStudy(
        service_pb2.UpdateStudyRequest(study_id=study_id, state=state),
        timeout=10)


def get_study(server, study_id: int):
    return server.studies.GetStudy(
        service_pb2.GetStudyRequest(id=study_id), timeout=10)


def list_trials(server, study_id: int) -> list:
    """Every trial of the study, by number."""
    trials, token = [], ""
    while True:
        page = server.trials.ListTrials(
            service_pb2.ListTrialsRequest(study_id=study_id, page_token=token),
            timeout=10)
        trials.extend(page.trials)
        token = page.next_page_token
        if not token:
            return trials


def get_trial(server, trial_id: int):
    return server.trials.GetTrial(
        service_pb2.GetTrialRequest(trial_id=trial_id), timeout=10)


def state_name(trial) -> str:
    """"COMPLETED" for TRIAL_STATE_COMPLETED, and so on."""
    return trial_pb2.TrialState.Name(trial.state).removeprefix("TRIAL_STATE_")


def params_of(trial) -> dict:
    return {name: knob_client.value_to_python(value)
            for name, value in trial.parameters.items()}

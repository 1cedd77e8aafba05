"""Writes the fuzzers' seed corpora (tests/fuzz/corpus/<target>/): a few
valid requests and configs in binary protobuf form, so that fuzzing starts
from inputs that pass the parsers and reach the checks behind them.

  KNOB_PYTHON_STUBS=BUILD/python /usr/bin/python3 tests/fuzz/make_corpus.py
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "client" / "python"))

import knob_client  # noqa: E402

api = knob_client.load_api()
study = api.study_pb2
service = api.service_pb2


def value(v):
    return knob_client.python_to_value(v)


def configs():
    """A plain space, a conditional one with constraints, and a grid."""
    plain = study.StudyConfig(
        objectives=[study.Objective(metric="loss",
                                    direction=study.DIRECTION_MINIMIZE)])
    plain.parameters.add(name="lr", float_domain=study.FloatDomain(
        min=1e-4, max=1.0, log_scale=True))
    plain.parameters.add(name="layers",
                         int_domain=study.IntDomain(min=1, max=8))
    plain.stopping.max_trials = 50

    conditional = study.StudyConfig(
        objectives=[study.Objective(metric="acc",
                                    direction=study.DIRECTION_MAXIMIZE)],
        extra_metrics=["latency"], seed=3)
    conditional.parameters.add(
        name="optimizer", categorical_domain=study.CategoricalDomain(
            choices=[value("adam"), value("sgd")]))
    conditional.parameters.add(
        name="momentum",
        float_domain=study.FloatDomain(min=0.0, max=0.9, step=0.1),
        condition=study.Condition(parent="optimizer", values=[value("sgd")]))
    conditional.parameters.add(name="batch", fixed_value=value(32))
    conditional.constraints.add(metric="latency", max=50.0)
    conditional.pruner.name = "median"
    conditional.lease_duration.FromSeconds(60)

    grid = study.StudyConfig(
        objectives=[study.Objective(metric="loss",
                                    direction=study.DIRECTION_MINIMIZE)])
    grid.sampler.name = "grid"
    grid.sampler.options["shuffle"].CopyFrom(value(False))
    grid.parameters.add(name="x", int_domain=study.IntDomain(min=0, max=9,
                                                            step=3))
    grid.parameters.add(name="flag", categorical_domain=study.CategoricalDomain(
        choices=[value(True), value(False)]))
    return [plain, conditional, grid]


def api_requests():
    """Each prefixed with the byte that makes api_request_fuzzer send it as
    CreateStudy (0), SuggestTrials (1), CompleteTrial (2) or
    ReportIntermediate (3)."""
    seeds = []
    for i, config in enumerate(configs()):
        request = service.CreateStudyRequest(name=f"study-{i}", config=config)
        request.metadata["owner"] = "fuzz"
        seeds.append(b"\0" + request.SerializeToString())
    seeds.append(b"\1" + service.SuggestTrialsRequest(
        study_id=1, count=3, worker_id="w", request_id="r1",
        environment={"gpu": "none"}).SerializeToString())
    seeds.append(b"\2" + service.CompleteTrialRequest(
        trial_id=1, state=api.trial_pb2.TRIAL_STATE_COMPLETED, values=[0.5],
        metrics={"latency": 3.0}, request_id="r2").SerializeToString())
    seeds.append(b"\2" + service.CompleteTrialRequest(
        trial_id=1, state=api.trial_pb2.TRIAL_STATE_FAILED,
        fail_reason="diverged").SerializeToString())
    seeds.append(b"\3" + service.ReportIntermediateRequest(
        trial_id=1, step=2, value=0.25, request_id="r3").SerializeToString())
    return seeds


def parameter_maps():
    request = service.EnqueueTrialRequest(study_id=1, request_id="r4")
    request.parameters["lr"].CopyFrom(value(0.01))
    request.parameters["layers"].CopyFrom(value(4))
    request.parameters["optimizer"].CopyFrom(value("sgd"))
    request.parameters["flag"].CopyFrom(value(True))
    return [request.SerializeToString()]


def write(target: str, seeds) -> None:
    directory = HERE / "corpus" / target
    directory.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(seeds):
        (directory / f"seed-{i}").write_bytes(seed)


def main() -> None:
    config_seeds = [config.SerializeToString() for config in configs()]
    write("api_request_fuzzer", api_requests())
    write("study_config_fuzzer", config_seeds)
    write("convert_fuzzer", config_seeds + parameter_maps())


if __name__ == "__main__":
    main()

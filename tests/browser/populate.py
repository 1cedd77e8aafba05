#!/usr/bin/python3
"""Fills a knob-server with studies for the dashboard's browser test and
benchmark, through the gRPC API only.

    populate.py --server ADDR studies [--trials N] [--workers W]
        "browser-quadratic": N trials (default 1000) of a cheap function of
        five parameters (log float, int, float, categorical, conditional
        float) with five intermediate values each and the median pruner,
        run by W worker processes (default 4); then "browser-pareto": 120
        trials of two objectives. Neither study has a trial budget (the
        workers stop after their share), so add-trial can extend them.
    populate.py --server ADDR worker --study NAME --trials N --worker-id ID
        One worker process (what `studies` starts W of), running N trials.
    populate.py --server ADDR add-trial --study NAME
        Asks for one more trial of the study, reports one intermediate
        value and completes it.
    populate.py --server ADDR bulk --study NAME --trials N [--threads T]
        A study of N trials in the shape of browser-quadratic, suggested
        100 at a time by the random sampler and completed from T threads
        (default 16), learning curves only for the last 200 trials and
        every 100th: the fastest way through the API to a large study.

Prints one line per study: `populated: STUDY trials=N`.
"""

import argparse
import concurrent.futures
import math
import subprocess
import sys

import grpc
from google.protobuf import json_format

import knob_client
import knob_worker

# A test must fail in seconds, not retry for minutes, when the server dies.
RETRY = knob_client.RetryPolicy(max_backoff=1.0, max_elapsed=20.0)
QUADRATIC = "browser-quadratic"
PARETO = "browser-pareto"
STEPS = 5
# How many of a bulk study's last trials report learning curves.
CURVES_AT_END = 200


def quadratic_spec(name, sampler, max_trials=0):
    return {
        "name": name,
        "config": {
            "parameters": [
                {"name": "learning_rate",
                 "float_domain": {"min": 1e-4, "max": 1.0, "log_scale": True}},
                {"name": "layers", "int_domain": {"min": 1, "max": 6}},
                {"name": "dropout", "float_domain": {"min": 0.0, "max": 0.5}},
                {"name": "optimizer",
                 "categorical_domain": {"choices": [{"string_value": "adam"},
                                                    {"string_value": "sgd"}]}},
                {"name": "momentum",
                 "float_domain": {"min": 0.0, "max": 0.99},
                 "condition": {"parent": "optimizer",
                               "values": [{"string_value": "sgd"}]}},
            ],
            "objectives": [{"metric": "loss",
                            "direction": "DIRECTION_MINIMIZE"}],
            "extra_metrics": ["accuracy"],
            "sampler": sampler,
            "pruner": {"name": "median",
                       "options": {"n_startup_trials": {"int_value": 20},
                                   "n_warmup_steps": {"int_value": 2}}},
            "seed": 7,
            "stopping": {"max_trials": max_trials},
        },
    }


def pareto_spec():
    return {
        "name": PARETO,
        "config": {
            "parameters": [
                {"name": "x", "float_domain": {"min": 0.0, "max": 1.0}},
                {"name": "y", "float_domain": {"min": 0.0, "max": 1.0}},
            ],
            "objectives": [
                {"metric": "error", "direction": "DIRECTION_MINIMIZE"},
                {"metric": "cost", "direction": "DIRECTION_MINIMIZE"},
            ],
            "sampler": {"name": "tpe"},
            "seed": 11,
        },
    }


def final_loss(params):
    """A smooth bowl with its minimum near learning_rate=3e-3,
    dropout=0.2, layers=3, adam (or sgd with high momentum)."""
    loss = 0.3 * (math.log10(params["learning_rate"]) + 2.5) ** 2
    loss += 4.0 * (params["dropout"] - 0.2) ** 2
    loss += 0.05 * abs(params["layers"] - 3)
    if params["optimizer"] == "sgd":
        loss += 0.4 * (1.0 - params["momentum"])
    return loss + 0.05


def curve(params, step):
    """The loss after `step` epochs, falling towards final_loss."""
    return final_loss(params) + 1.0 / (step + 1)


def train(trial):
    params = trial.params
    if params["dropout"] > 0.49:
        raise RuntimeError("diverged: dropout too high")
    for step in range(STEPS):
        if trial.report(step, curve(params, step)):
            raise knob_worker.TrialPruned()
    trial.metrics["accuracy"] = 1.0 / (1.0 + final_loss(params))
    return curve(params, STEPS - 1)


def pareto_values(trial):
    x, y = trial.params["x"], trial.params["y"]
    return [x * x + 0.2 * y, (1.0 - x) ** 2 + 0.2 * (1.0 - y)]


def create(server, spec):
    """Creates the study (or finds the equal one) and returns it."""
    api = knob_client.api
    request = json_format.ParseDict(spec, api.service_pb2.CreateStudyRequest())
    with grpc.insecure_channel(server) as channel:
        stub = api.service_pb2_grpc.StudyServiceStub(channel)
        return stub.CreateStudy(request, timeout=30)


def run_workers(server, study, count, trials_each, objective):
    workers = [subprocess.Popen(
        [sys.executable, __file__, "--server", server, "worker",
         "--study", study, "--objective", objective,
         "--trials", str(trials_each), "--worker-id", f"worker-{index}"])
        for index in range(count)]
    failed = [w.args for w in workers if w.wait() != 0]
    if failed:
        raise SystemExit(f"populate: {len(failed)} worker(s) failed")


def trial_total(client, study):
    counts = client.get_study(study).trial_counts
    return (counts.waiting + counts.running + counts.completed +
            counts.pruned + counts.failed + counts.stale)


def command_studies(arguments):
    with knob_client.Client(arguments.server, retry=RETRY) as client:
        create(arguments.server, quadratic_spec(QUADRATIC, {"name": "tpe"}))
        create(arguments.server, pareto_spec())
        run_workers(arguments.server, QUADRATIC, arguments.workers,
                    arguments.trials // arguments.workers, "quadratic")
        run_workers(arguments.server, PARETO, 2, 60, "pareto")
        for study in (QUADRATIC, PARETO):
            print(f"populated: {study} trials={trial_total(client, study)}",
                  flush=True)


def command_worker(arguments):
    objective = train if arguments.objective == "quadratic" else pareto_values
    worker = knob_worker.Worker(arguments.server, arguments.study,
                                worker_id=arguments.worker_id, retry=RETRY,
                                max_consecutive_failures=1000)
    worker.run(objective, max_trials=arguments.trials)


def command_add_trial(arguments):
    with knob_client.Client(arguments.server, retry=RETRY) as client:
        study = client.get_study(arguments.study)
        response = client.suggest(study.id, "browser-test", {}, count=1)
        if not response.trials:
            raise SystemExit(f"populate: {arguments.study} hands out no "
                             f"trial: {response.done_reason}")
        trial = response.trials[0]
        params = {name: knob_client.value_to_python(value)
                  for name, value in trial.parameters.items()}
        client.report(trial.id, 0, curve(params, 0))
        client.complete(trial.id, "COMPLETED", [curve(params, 0)])
        print(f"added: {arguments.study} trial={trial.number}", flush=True)


def command_bulk(arguments):
    with knob_client.Client(arguments.server, retry=RETRY) as client:
        spec = quadratic_spec(arguments.study, {"name": "random"},
                              arguments.trials)
        study = create(arguments.server, spec)
        executor = concurrent.futures.ThreadPoolExecutor(arguments.threads)
        environment = {"populate": "bulk"}

        def finish(trial):
            params = {name: knob_client.value_to_python(value)
                      for name, value in trial.parameters.items()}
            # Learning curves for the last trials, which the dashboard
            # draws, and a sample of the others: curves for every trial
            # would take six calls per trial instead of one.
            if (trial.number % 100 == 0 or
                    trial.number >= arguments.trials - CURVES_AT_END):
                for step in range(STEPS):
                    client.report(trial.id, step, curve(params, step))
            client.complete(trial.id, "COMPLETED", [curve(params, STEPS - 1)],
                            {"accuracy": 1.0 / (1.0 + final_loss(params))})

        while True:
            response = client.suggest(study.id, "bulk", environment, count=100)
            if not response.trials:
                break
            list(executor.map(finish, response.trials))
        executor.shutdown()
        print(f"populated: {arguments.study} "
              f"trials={trial_total(client, arguments.study)}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", required=True)
    commands = parser.add_subparsers(dest="command", required=True)
    studies = commands.add_parser("studies")
    studies.add_argument("--trials", type=int, default=1000)
    studies.add_argument("--workers", type=int, default=4)
    worker = commands.add_parser("worker")
    worker.add_argument("--study", required=True)
    worker.add_argument("--objective", choices=["quadratic", "pareto"],
                        default="quadratic")
    worker.add_argument("--trials", type=int, required=True)
    worker.add_argument("--worker-id", required=True)
    add_trial = commands.add_parser("add-trial")
    add_trial.add_argument("--study", required=True)
    bulk = commands.add_parser("bulk")
    bulk.add_argument("--study", required=True)
    bulk.add_argument("--trials", type=int, required=True)
    bulk.add_argument("--threads", type=int, default=16)
    arguments = parser.parse_args()
    knob_client.load_api()
    {"studies": command_studies, "worker": command_worker,
     "add-trial": command_add_trial, "bulk": command_bulk}[
        arguments.command](arguments)


if __name__ == "__main__":
    main()

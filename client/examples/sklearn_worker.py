#!/usr/bin/python3
"""A Knob worker that tunes a scikit-learn classifier on handwritten digits.

The dataset is scikit-learn's bundled copy of the UCI handwritten digits
(1,797 8x8 grey-level images, 10 classes; `sklearn.datasets.load_digits`,
no download). Each trial trains one of two model families, chosen by the
categorical parameter `model`:

  sgd  a linear model trained by stochastic gradient descent
       (`SGDClassifier`), with the conditional parameters `sgd/loss`,
       `sgd/penalty` and, only for the elastic-net penalty, `sgd/l1_ratio`;
  mlp  a multi-layer perceptron (`MLPClassifier`, Adam), with the
       conditional parameters `mlp/hidden_units`, `mlp/hidden_layers` and
       `mlp/activation`;

and both share `learning_rate` (log scale), `alpha` (L2 strength, log
scale), `epochs` and the fixed `cv_folds`. The objective is the
cross-validated accuracy (maximize): the model is trained on each fold one
epoch at a time, and after each epoch the mean validation accuracy over the
folds is reported as an intermediate value, so the study's pruner can stop
a hopeless trial early. The spread over the folds (`accuracy_std`) and the
training time (`fit_seconds`) are recorded as extra metrics. deploy/
demo-study.yaml is the matching study.

Usage:
  sklearn_worker.py --server HOST:PORT --study NAME [--max-trials N]
  sklearn_worker.py --self-test      trains fixed parameters, no server

Run it with /usr/bin/python3 on Debian (python3-sklearn, python3-grpcio).
"""

import argparse
import logging
import os
import sys
import time
import warnings
from pathlib import Path

# Workers scale by running one process per core; numerical libraries that
# start a thread per core in every process would only fight over the cores.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                  "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402 (after the thread settings)
import sklearn  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import SGDClassifier  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import knob_worker  # noqa: E402

# Parameters of two typical trials, for --self-test.
SELF_TEST_PARAMS = [
    {"model": "sgd", "learning_rate": 0.01, "alpha": 1e-4, "epochs": 10,
     "cv_folds": 3, "sgd/loss": "hinge", "sgd/penalty": "elasticnet",
     "sgd/l1_ratio": 0.15},
    {"model": "mlp", "learning_rate": 0.003, "alpha": 1e-4, "epochs": 15,
     "cv_folds": 3, "mlp/hidden_units": 64, "mlp/hidden_layers": 2,
     "mlp/activation": "relu"},
]


class Folds:
    """The digits dataset split into standardized cross-validation folds;
    built once per process and shared by all its trials."""

    def __init__(self, n_splits: int):
        digits = load_digits()
        self.classes = np.unique(digits.target)
        self.splits = []
        folds = StratifiedKFold(n_splits=n_splits, shuffle=True,
                                random_state=0)
        for train, valid in folds.split(digits.data, digits.target):
            # Scaled with the training part's statistics only, so that no
            # information leaks from the validation part.
            scaler = StandardScaler().fit(digits.data[train])
            self.splits.append((scaler.transform(digits.data[train]),
                                digits.target[train],
                                scaler.transform(digits.data[valid]),
                                digits.target[valid]))


_folds_cache = {}


def folds_for(n_splits: int) -> Folds:
    if n_splits not in _folds_cache:
        _folds_cache[n_splits] = Folds(n_splits)
    return _folds_cache[n_splits]


def make_model(params: dict, seed: int):
    """The untrained classifier that `params` describe."""
    if params["model"] == "sgd":
        return SGDClassifier(
            loss=params["sgd/loss"], penalty=params["sgd/penalty"],
            l1_ratio=params.get("sgd/l1_ratio", 0.15), alpha=params["alpha"],
            learning_rate="constant", eta0=params["learning_rate"],
            random_state=seed)
    if params["model"] == "mlp":
        layers = (params["mlp/hidden_units"],) * params["mlp/hidden_layers"]
        return MLPClassifier(
            hidden_layer_sizes=layers, activation=params["mlp/activation"],
            alpha=params["alpha"], learning_rate_init=params["learning_rate"],
            batch_size=64, random_state=seed)
    raise ValueError(f"unknown model {params['model']!r}")


def train_and_score(params: dict, seed: int = 0, report=None) -> dict:
    """Trains the model of `params` on every fold, one epoch at a time, and
    returns {"accuracy": mean, "accuracy_std": spread, "fit_seconds": time}
    of the validation accuracies after the last epoch.

    After each epoch `report(epoch, mean_accuracy)` is called when given;
    when it returns True, training stops and `knob_worker.TrialPruned` is
    raised (the worker then records the server's reason).
    """
    folds = folds_for(int(params["cv_folds"]))
    models = [make_model(params, seed + index)
              for index in range(len(folds.splits))]
    start = time.monotonic()
    accuracies = []
    for epoch in range(int(params["epochs"])):
        accuracies = []
        for model, split in zip(models, folds.splits):
            x_train, y_train, x_valid, y_valid = split
            model.partial_fit(x_train, y_train, classes=folds.classes)
            accuracies.append(model.score(x_valid, y_valid))
        mean = float(np.mean(accuracies))
        if report is not None and report(epoch, mean):
            raise knob_worker.TrialPruned(
                f"stopped after epoch {epoch} at accuracy {mean:.4f}")
    return {"accuracy": float(np.mean(accuracies)),
            "accuracy_std": float(np.std(accuracies)),
            "fit_seconds": time.monotonic() - start}


def objective(trial: knob_worker.Trial) -> float:
    """One trial: the cross-validated accuracy of its parameters."""
    scores = train_and_score(trial.params, seed=trial.number,
                             report=trial.report)
    trial.metrics["accuracy_std"] = scores["accuracy_std"]
    trial.metrics["fit_seconds"] = scores["fit_seconds"]
    return scores["accuracy"]


def environment() -> dict:
    return {"sklearn": sklearn.__version__, "numpy": np.__version__,
            "dataset": "sklearn.datasets.load_digits"}


def describe(params: dict) -> str:
    """`params` as one line, the model family first."""
    def show(value):
        return f"{value:.3g}" if isinstance(value, float) else str(value)
    names = sorted(params, key=lambda name: (name != "model", name))
    return " ".join(f"{name}={show(params[name])}" for name in names)


def print_outcome(outcome: knob_worker.TrialOutcome) -> None:
    trial = outcome.trial
    if outcome.state == "COMPLETED":
        result = f"accuracy={outcome.values[0]:.4f}"
    elif outcome.state == "PRUNED" and trial.last_step is not None:
        result = f"after epoch {trial.last_step}: {outcome.reason}"
    else:
        result = outcome.reason
    if not outcome.recorded:
        result += " (not recorded)"
    print(f"trial {trial.number:3d} {outcome.state:<9} {result} "
          f"[{outcome.seconds:.1f}s] {describe(trial.params)}", flush=True)


def self_test() -> int:
    """Trains SELF_TEST_PARAMS locally and checks the scores are sane."""
    worker_environment = {**knob_worker.default_environment(),
                          **environment()}
    print(f"environment: {describe(worker_environment)}")
    for params in SELF_TEST_PARAMS:
        steps = []

        def record(step, value):
            steps.append(value)
            return False

        scores = train_and_score(params, report=record)
        print(f"{params['model']}: accuracy={scores['accuracy']:.4f} "
              f"std={scores['accuracy_std']:.4f} "
              f"[{scores['fit_seconds']:.1f}s, {len(steps)} epochs] "
              f"{describe(params)}")
        if len(steps) != params["epochs"] or scores["accuracy"] < 0.85:
            print("self-test FAILED", file=sys.stderr)
            return 1
    print("self-test passed")
    return 0


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--server", default=os.environ.get("KNOB_SERVER", "127.0.0.1:50051"),
        help="HOST:PORT of the Knob server (default: $KNOB_SERVER or "
             "127.0.0.1:50051)")
    parser.add_argument("--study", help="name or id of the study")
    parser.add_argument("--max-trials", type=int,
                        help="stop after this many trials (default: until the "
                             "study is done)")
    parser.add_argument("--worker-id", help="default: HOSTNAME:PID")
    parser.add_argument(
        "--stubs", help="directory of the generated API modules (default: "
                        "$KNOB_PYTHON_STUBS or build/python)")
    parser.add_argument("--self-test", action="store_true",
                        help="train two fixed configurations locally and exit")
    parser.add_argument("--verbose", action="store_true")
    arguments = parser.parse_args()
    if not arguments.self_test and not arguments.study:
        parser.error("--study is required (or --self-test)")
    return arguments


def main() -> int:
    arguments = parse_arguments()
    logging.basicConfig(
        level=logging.DEBUG if arguments.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # Diverging learning rates are part of the search space; their warnings
    # are noise here (the trial's accuracy tells the story).
    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("ignore", RuntimeWarning)
    if arguments.self_test:
        return self_test()

    try:
        worker = knob_worker.Worker(
            arguments.server, arguments.study, worker_id=arguments.worker_id,
            environment=environment(), stubs_dir=arguments.stubs)
        env = worker.environment
        print(f"worker {worker.worker_id}: study {worker.study.name} "
              f"(id {worker.study.id}) on {arguments.server}; python "
              f"{env['python']}, sklearn {env['sklearn']}, numpy "
              f"{env['numpy']}, host {env['hostname']}, pid {env['pid']}",
              flush=True)
        summary = worker.run(objective, max_trials=arguments.max_trials,
                             on_trial_end=print_outcome)
    except knob_worker.KnobError as error:
        print(f"worker: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("worker: interrupted", file=sys.stderr)
        return 130
    trials = "trial" if summary.trials == 1 else "trials"
    print(f"worker {worker.worker_id}: {summary.trials} {trials} "
          f"({summary.completed} completed, {summary.pruned} pruned, "
          f"{summary.failed} failed); {summary.stop_reason}", flush=True)
    return 1 if summary.gave_up else 0


if __name__ == "__main__":
    sys.exit(main())

"""Learning curves from real training for the pruning benchmark:
scikit-learn models trained epoch by epoch with `partial_fit` on datasets
bundled with scikit-learn (no download), the validation loss measured
after every epoch.

Everything is seeded by (seed, trial number): the epoch order of the
samples and the model's own randomness. The split into training and
validation data is fixed (a third held out, stratified for the
classifiers) and features (and the regression target) are standardized
with the training part's statistics only.

A model whose weights overflow, or whose loss is not finite, has
diverged: it scores `DIVERGED_LOSS` from then on, a value worse than any
trained model reaches, so both sides see the same finite number.
"""

from __future__ import annotations

import functools
import os
import warnings
from typing import Callable, List

# Benchmark processes share few cores: one thread each.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                  "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402 (after the thread settings)

from search_space import choice, floats, ints  # noqa: E402

DIVERGED_LOSS = 100.0

SGD_CLASSIFIER_SPACE = (
    floats("eta0", 1e-5, 1.0, log=True),
    floats("alpha", 1e-7, 1e-1, log=True),
    choice("learning_rate", ["constant", "invscaling"]),
)

SGD_REGRESSOR_SPACE = (
    floats("eta0", 1e-5, 1.0, log=True),
    floats("alpha", 1e-7, 1.0, log=True),
    choice("learning_rate", ["constant", "invscaling"]),
)

MLP_SPACE = (
    floats("learning_rate_init", 1e-5, 1e-1, log=True),
    floats("alpha", 1e-6, 1e-1, log=True),
    ints("hidden", 8, 128, log=True),
    choice("batch_size", [32, 128]),
)


@functools.lru_cache(maxsize=None)
def _split(dataset: str) -> tuple:
    """(train X, train y, validation X, validation y), standardized."""
    from sklearn import datasets
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    if dataset == "digits":
        x, y = datasets.load_digits(return_X_y=True)
        stratify = y
    elif dataset == "diabetes":
        x, y = datasets.load_diabetes(return_X_y=True)
        stratify = None
    else:
        raise ValueError(f"unknown dataset {dataset}")
    x_train, x_valid, y_train, y_valid = train_test_split(
        x, y, test_size=1 / 3, random_state=0, stratify=stratify)
    scaler = StandardScaler().fit(x_train)
    x_train, x_valid = scaler.transform(x_train), scaler.transform(x_valid)
    if dataset == "diabetes":
        mean, deviation = y_train.mean(), y_train.std()
        y_train = (y_train - mean) / deviation
        y_valid = (y_valid - mean) / deviation
    return x_train, y_train, x_valid, y_valid


def _train(model, dataset: str, steps: int, seed: int, number: int,
           loss: Callable, classes=None, shuffle: bool = True) -> List[float]:
    """Trains `model` one epoch per step and returns the validation loss
    after each; `loss(model, x, y)` measures it. When `shuffle`, each epoch
    visits the samples in a fresh seeded order (for models whose
    partial_fit does not shuffle by itself)."""
    x_train, y_train, x_valid, y_valid = _split(dataset)
    rng = np.random.default_rng([seed, number, 1])
    losses: List[float] = []
    while len(losses) < steps:
        order = (rng.permutation(len(y_train)) if shuffle else
                 np.arange(len(y_train)))
        extra = {} if classes is None else {"classes": classes}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.partial_fit(x_train[order], y_train[order], **extra)
                value = float(loss(model, x_valid, y_valid))
        except (ValueError, FloatingPointError, OverflowError):
            value = DIVERGED_LOSS
        if not np.isfinite(value) or value >= DIVERGED_LOSS:
            losses.extend([DIVERGED_LOSS] * (steps - len(losses)))
            break
        losses.append(value)
    return losses


def _log_loss(model, x, y) -> float:
    from sklearn.metrics import log_loss

    return log_loss(y, model.predict_proba(x), labels=model.classes_)


def _squared_error(model, x, y) -> float:
    return np.mean((model.predict(x) - y)**2)


def _model_seed(seed: int, number: int) -> int:
    return int(np.random.default_rng([seed, number, 2]).integers(2**31))


def sgd_digits(params: dict, steps: int, seed: int,
               number: int) -> List[float]:
    """Multinomial logistic regression (one-vs-rest, SGD) on the 8x8
    handwritten digits (1797 images, 10 classes); validation log-loss."""
    from sklearn.linear_model import SGDClassifier

    model = SGDClassifier(loss="log_loss", alpha=params["alpha"],
                          eta0=params["eta0"],
                          learning_rate=params["learning_rate"],
                          random_state=_model_seed(seed, number))
    return _train(model, "digits", steps, seed, number, _log_loss,
                  classes=np.arange(10))


def sgd_diabetes(params: dict, steps: int, seed: int,
                 number: int) -> List[float]:
    """Linear regression (SGD) on the diabetes progression data (442
    patients, 10 features); validation mean squared error of the
    standardized target (1 is what predicting the mean scores)."""
    from sklearn.linear_model import SGDRegressor

    model = SGDRegressor(alpha=params["alpha"], eta0=params["eta0"],
                         learning_rate=params["learning_rate"],
                         random_state=_model_seed(seed, number))
    return _train(model, "diabetes", steps, seed, number, _squared_error)


def mlp_digits(params: dict, steps: int, seed: int,
               number: int) -> List[float]:
    """A one-hidden-layer perceptron (Adam) on the 8x8 handwritten digits;
    validation log-loss."""
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(hidden_layer_sizes=(params["hidden"],),
                          learning_rate_init=params["learning_rate_init"],
                          alpha=params["alpha"],
                          batch_size=params["batch_size"],
                          random_state=_model_seed(seed, number))
    return _train(model, "digits", steps, seed, number, _log_loss,
                  classes=np.arange(10), shuffle=False)

"""Real tuning tasks: a scikit-learn model trained on a dataset bundled
with scikit-learn (no download), scored by 3-fold cross-validation on
fixed folds. Deterministic: the same parameters always score the same.

Each evaluation takes some 10–50 ms of CPU; the folds are built once per
process and standardized with their training part's statistics only.
"""

import functools
import importlib
import os
import warnings

# Many benchmark processes share few cores: one thread each.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                  "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402 (after the thread settings)

FOLDS = 3


@functools.lru_cache(maxsize=None)
def _folds(dataset: str) -> tuple:
    """(train X, train y, validation X, validation y) per fold."""
    from sklearn import datasets
    from sklearn.model_selection import KFold, StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    if dataset == "breast_cancer":
        x, y = datasets.load_breast_cancer(return_X_y=True)
        splitter = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    elif dataset == "diabetes":
        x, y = datasets.load_diabetes(return_X_y=True)
        splitter = KFold(FOLDS, shuffle=True, random_state=0)
    else:
        raise ValueError(f"unknown dataset {dataset}")
    folds = []
    for train, valid in splitter.split(x, y):
        scaler = StandardScaler().fit(x[train])
        folds.append((scaler.transform(x[train]), y[train],
                      scaler.transform(x[valid]), y[valid]))
    return tuple(folds)


def prepare_svc_breast_cancer() -> None:
    """Loads the data and the model's module now rather than in the first
    evaluation."""
    importlib.import_module("sklearn.svm")
    _folds("breast_cancer")


def prepare_kernel_ridge_diabetes() -> None:
    importlib.import_module("sklearn.kernel_ridge")
    _folds("diabetes")


def svc_breast_cancer_error(params: dict) -> float:
    """Cross-validated error rate of a support vector classifier on the
    Wisconsin breast cancer data (569 samples, 30 features). The kernel is
    a choice; `degree` exists only for the polynomial kernel, `coef0` for
    the polynomial and sigmoid ones."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import SVC

    errors = []
    for x_train, y_train, x_valid, y_valid in _folds("breast_cancer"):
        # The iteration cap keeps a badly conditioned kernel from taking
        # seconds; such a model scores poorly anyway.
        model = SVC(kernel=params["kernel"], C=params["C"],
                    gamma=params["gamma"], degree=params.get("degree", 3),
                    coef0=params.get("coef0", 0.0), max_iter=20000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x_train, y_train)
        errors.append(np.mean(model.predict(x_valid) != y_valid))
    return float(np.mean(errors))


def kernel_ridge_diabetes_mse(params: dict) -> float:
    """Cross-validated mean squared error of kernel ridge regression on the
    diabetes progression data (442 samples, 10 features). `degree` exists
    only for the polynomial kernel."""
    from sklearn.kernel_ridge import KernelRidge

    errors = []
    for x_train, y_train, x_valid, y_valid in _folds("diabetes"):
        model = KernelRidge(kernel=params["kernel"], alpha=params["alpha"],
                            gamma=params["gamma"],
                            degree=params.get("degree", 3), coef0=1.0)
        with warnings.catch_warnings():
            # A nearly singular system still gives a (poor) prediction.
            warnings.simplefilter("ignore")
            model.fit(x_train, y_train)
            prediction = model.predict(x_valid)
        errors.append(np.mean((prediction - y_valid)**2))
    error = float(np.mean(errors))
    # A diverged fit scores as badly as predicting nothing useful, rather
    # than failing the trial: both sides see the same finite value.
    return error if np.isfinite(error) and error < 1e6 else 1e6

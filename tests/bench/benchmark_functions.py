"""Classic test functions for global optimization, on numpy vectors, all
minimized. Definitions and optima as in the Virtual Library of Simulation
Experiments (Surjanovic & Bingham, sfu.ca/~ssurjano)."""

import numpy as np

BRANIN_MINIMUM = 0.397887357729739
HARTMANN6_MINIMUM = -3.3223680114155147
STYBLINSKI_TANG_MINIMUM_PER_DIMENSION = -39.16616570377142

_HARTMANN6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_HARTMANN6_A = np.array([
    [10.0, 3.0, 17.0, 3.5, 1.7, 8.0],
    [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
    [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
    [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
])
_HARTMANN6_P = 1e-4 * np.array([
    [1312, 1696, 5569, 124, 8283, 5886],
    [2329, 4135, 8307, 3736, 1004, 9991],
    [2348, 1451, 3522, 2883, 3047, 6650],
    [4047, 8828, 8732, 5743, 1091, 381],
])


def branin(x: np.ndarray) -> float:
    """On [-5, 10] x [0, 15]; three global minima."""
    x1, x2 = x
    b = 5.1 / (4 * np.pi**2)
    c = 5 / np.pi
    t = 1 / (8 * np.pi)
    return float((x2 - b * x1**2 + c * x1 - 6)**2 + 10 * (1 - t) * np.cos(x1) +
                 10)


def hartmann6(x: np.ndarray) -> float:
    """On [0, 1]^6; six local minima."""
    inner = np.sum(_HARTMANN6_A * (x - _HARTMANN6_P)**2, axis=1)
    return float(-np.sum(_HARTMANN6_ALPHA * np.exp(-inner)))


def rosenbrock(x: np.ndarray) -> float:
    """On [-5, 10]^d; a long curved valley, minimum 0 at (1, …, 1)."""
    return float(np.sum(100 * (x[1:] - x[:-1]**2)**2 + (1 - x[:-1])**2))


def ackley(x: np.ndarray) -> float:
    """On [-32.768, 32.768]^d; many local minima, minimum 0 at 0."""
    d = len(x)
    return float(-20 * np.exp(-0.2 * np.sqrt(np.sum(x**2) / d)) -
                 np.exp(np.sum(np.cos(2 * np.pi * x)) / d) + 20 + np.e)


def levy(x: np.ndarray) -> float:
    """On [-10, 10]^d; many local minima, minimum 0 at (1, …, 1)."""
    w = 1 + (x - 1) / 4
    return float(
        np.sin(np.pi * w[0])**2 +
        np.sum((w[:-1] - 1)**2 * (1 + 10 * np.sin(np.pi * w[:-1] + 1)**2)) +
        (w[-1] - 1)**2 * (1 + np.sin(2 * np.pi * w[-1])**2))


def styblinski_tang(x: np.ndarray) -> float:
    """On [-5, 5]^d; 2^d local minima, the global one at x_i = -2.9035."""
    return float(np.sum(x**4 - 16 * x**2 + 5 * x) / 2)


def ellipsoid(x: np.ndarray, center: np.ndarray, condition: float) -> float:
    """An axis-aligned ellipsoid around `center` whose axis weights grow
    geometrically from 1 to `condition`; minimum 0 at `center`."""
    d = len(x)
    weights = condition**(np.arange(d) / (d - 1))
    return float(np.sum(weights * (x - center)**2))

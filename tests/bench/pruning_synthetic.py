"""A synthetic family of learning curves for the pruning benchmark: cheap,
documented, and shaped like real validation-loss curves in the ways that
make early stopping hard.

A trial's parameters are `lr` (log scale, 1e-4 … 1), `reg` (log scale,
1e-6 … 1e-1) and `width` (int, log scale, 8 … 512). Its validation loss
after step t = 1 … T is

    y(t) = a + (y0 - a) * exp(-k * t) + o * t          (then noise)

  y0 = 2.0                          the loss of the untrained model;
  a  = 0.1                          the asymptote: best at lr = 10^-2.5,
       + 0.1 * (log10(lr) + 2.5)^2  reg = 1e-3, wide models;
       + 0.03 * max(0, log10(reg) + 3)^2     (too much regularization)
       + 0.3 / sqrt(width)
  k  = 0.5 * sqrt(lr / 0.1) * (64 / width)^0.2
                                    the speed: small learning rates and
                                    wide models learn slowly, so the best
                                    trials start behind and overtake
                                    (curves cross);
  o  = 0.002 * max(0, -(log10(reg) + 3))
                                    overfitting: with little
                                    regularization the loss rises again
                                    late in training.

A learning rate above 0.3 diverges instead: y(t) = min(10, y0 * 1.25^t).
Noise is multiplicative, y(t) * (1 + 0.02 * e_t) with e_t standard
normal, drawn from a generator seeded with (seed, trial number), so a
trial's curve is the same on both sides of the benchmark.
"""

from __future__ import annotations

import math
from typing import List

import numpy as np

from search_space import floats, ints

SPACE = (
    floats("lr", 1e-4, 1.0, log=True),
    floats("reg", 1e-6, 1e-1, log=True),
    ints("width", 8, 512, log=True),
)

INITIAL_LOSS = 2.0
DIVERGED_LOSS = 10.0
NOISE = 0.02


def curve(params: dict, steps: int, seed: int, number: int) -> List[float]:
    """The validation loss after each of `steps` steps of trial `number`
    in a run with `seed`."""
    lr, reg, width = params["lr"], params["reg"], params["width"]
    t = np.arange(1, steps + 1, dtype=float)
    if lr > 0.3:
        clean = np.minimum(DIVERGED_LOSS, INITIAL_LOSS * 1.25**t)
    else:
        log_reg = math.log10(reg)
        asymptote = (0.1 + 0.1 * (math.log10(lr) + 2.5)**2 +
                     0.03 * max(0.0, log_reg + 3)**2 + 0.3 / math.sqrt(width))
        speed = 0.5 * math.sqrt(lr / 0.1) * (64 / width)**0.2
        overfit = 0.002 * max(0.0, -(log_reg + 3))
        clean = (asymptote + (INITIAL_LOSS - asymptote) * np.exp(-speed * t) +
                 overfit * t)
    rng = np.random.default_rng([seed, number])
    noisy = clean * (1 + NOISE * rng.standard_normal(steps))
    return [float(value) for value in noisy]

// Chooses the kernel hyperparameters of the Gaussian-process sampler: the
// maximum a posteriori estimate under the marginal likelihood of
// marginal_likelihood.h and weak priors, found by L-BFGS-B on the log
// parameters from the most probable of a few fixed starting points (so the
// result depends on nothing but the data).
//
// Priors, for values on a unit scale over the unit cube:
//   - log length scale ~ Normal(0, 1) per coordinate: length scales
//     around the size of the cube, rarely below a tenth of it or above ten
//     times. (Benchmarks up to 10 dimensions found this better than the
//     dimension-scaled prior of Hvarfner et al. 2024, whose long length
//     scales smooth over the structure a 100-trial budget must exploit.)
//   - log signal variance ~ Normal(0, 1), as values are on a unit scale;
//   - log noise variance above the floor ~ Normal(-8, 3): small, since
//     most tuning objectives are nearly deterministic, but free to grow on
//     noisy ones.
// Each parameter is also kept inside a wide box so that a flat likelihood
// cannot send it to a degenerate extreme.
//
// Thread safety: pure functions.
#ifndef KNOB_SERVER_SAMPLERS_GP_HYPERPARAMETER_FIT_H_
#define KNOB_SERVER_SAMPLERS_GP_HYPERPARAMETER_FIT_H_

#include <vector>

#include "Eigen/Core"
#include "server/samplers/gp/marginal_likelihood.h"

namespace knob::gp {

// The noise variance never goes below this (relative to the standardised
// values' unit variance): it keeps the covariance matrix well conditioned.
inline constexpr double kNoiseFloor = 1e-6;

// Fits are made on at most this many observations, as each step of the
// fit costs O(n^3); the resulting hyperparameters then serve a model of
// all observations (whose single factorisation is affordable).
inline constexpr int kMaxFitPoints = 128;

struct HyperparameterFitOptions {
  // Fixes the noise variance at kNoiseFloor instead of estimating it.
  // Default: false.
  bool deterministic_objective = false;
};

// The rows of `values` a fit uses: all when there are at most
// kMaxFitPoints; otherwise the lowest half of that budget by value (ties
// by row), since the region around the best points is where the model
// matters, and the rest spread evenly over the remaining rows in order.
// Ascending.
std::vector<int> FitSubset(const Eigen::VectorXd& values);

// The log of the prior density of `theta` (parameterised as in
// MarginalLikelihood for `dimensions` coordinates, the noise entry present
// when `fit_noise`) up to a constant, and its gradient into `gradient`.
double LogPrior(const Eigen::VectorXd& theta, int dimensions, bool fit_noise,
                Eigen::VectorXd* gradient);

// The hyperparameters for observing `values` (standardised) at the rows of
// `points` (encoded), fitted on FitSubset(values). At least one
// observation.
GpHyperparameters FitHyperparameters(const Eigen::MatrixXd& points,
                                     const Eigen::VectorXd& values,
                                     const std::vector<bool>& categorical,
                                     const HyperparameterFitOptions& options);

}  // namespace knob::gp

#endif  // KNOB_SERVER_SAMPLERS_GP_HYPERPARAMETER_FIT_H_

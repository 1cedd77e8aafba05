#include "server/samplers/gp/hyperparameter_fit.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "server/samplers/gp/box_minimizer.h"

namespace knob::gp {
namespace {

struct NormalPrior {
  double mean = 0;
  double stddev = 1;

  // log density up to a constant, and its derivative.
  double LogDensity(double x, double* derivative) const {
    const double z = (x - mean) / stddev;
    *derivative = -z / stddev;
    return -0.5 * z * z;
  }
};

constexpr NormalPrior kLengthScalePrior{0.0, 1.0};
constexpr NormalPrior kSignalVariancePrior{0.0, 1.0};
constexpr NormalPrior kNoisePrior{-8.0, 3.0};

// The box each log parameter stays in.
constexpr double kMinLogLengthScale = -4.6;  // 0.01
constexpr double kMaxLogLengthScale = 6.9;   // 1000
constexpr double kMinLogSignalVariance = -4.6;
constexpr double kMaxLogSignalVariance = 4.6;
constexpr double kMinLogNoise = -20.7;  // 1e-9
constexpr double kMaxLogNoise = 0.7;    // 2

// Where a fit may start: every combination of a few length scales around
// the prior's centre and a few noise levels. Only the most probable one is
// refined, as a full L-BFGS-B run costs dozens of gradient evaluations
// while ranking the starts costs one value each.
std::vector<Eigen::VectorXd> Starts(int dimensions, bool fit_noise) {
  const double centre = kLengthScalePrior.mean;
  std::vector<Eigen::VectorXd> starts;
  for (double log_length_scale :
       {centre, centre - std::log(4.0), centre + std::log(4.0)}) {
    for (double noise : {1e-4, 1e-2}) {
      Eigen::VectorXd theta(dimensions + (fit_noise ? 2 : 1));
      theta.head(dimensions).setConstant(log_length_scale);
      theta[dimensions] = 0;
      if (fit_noise) theta[dimensions + 1] = std::log(noise);
      starts.push_back(theta);
      if (!fit_noise) break;
    }
  }
  return starts;
}

}  // namespace

std::vector<int> FitSubset(const Eigen::VectorXd& values) {
  const int n = static_cast<int>(values.size());
  std::vector<int> rows(n);
  std::iota(rows.begin(), rows.end(), 0);
  if (n <= kMaxFitPoints) return rows;
  std::stable_sort(rows.begin(), rows.end(),
                   [&](int a, int b) { return values[a] < values[b]; });
  const int best = kMaxFitPoints / 2;
  std::vector<int> chosen(rows.begin(), rows.begin() + best);
  std::vector<int> rest(rows.begin() + best, rows.end());
  std::sort(rest.begin(), rest.end());
  const int spread = kMaxFitPoints - best;
  for (int i = 0; i < spread; ++i) {
    const size_t at = static_cast<size_t>(i) * rest.size() / spread;
    chosen.push_back(rest[at]);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

double LogPrior(const Eigen::VectorXd& theta, int dimensions, bool fit_noise,
                Eigen::VectorXd* gradient) {
  gradient->resize(theta.size());
  double log_prior = 0;
  for (int i = 0; i < dimensions; ++i) {
    log_prior += kLengthScalePrior.LogDensity(theta[i], &(*gradient)[i]);
  }
  log_prior += kSignalVariancePrior.LogDensity(theta[dimensions],
                                               &(*gradient)[dimensions]);
  if (fit_noise) {
    log_prior += kNoisePrior.LogDensity(theta[dimensions + 1],
                                        &(*gradient)[dimensions + 1]);
  }
  return log_prior;
}

GpHyperparameters FitHyperparameters(const Eigen::MatrixXd& points,
                                     const Eigen::VectorXd& values,
                                     const std::vector<bool>& categorical,
                                     const HyperparameterFitOptions& options) {
  const std::vector<int> subset = FitSubset(values);
  const bool fit_noise = !options.deterministic_objective;
  const int dimensions = static_cast<int>(categorical.size());
  const MarginalLikelihood likelihood(points(subset, Eigen::all),
                                      values(subset), categorical, kNoiseFloor,
                                      fit_noise);

  // Minimises the negative log posterior per observation, so that one
  // gradient tolerance suits any number of observations.
  const double scale = 1.0 / static_cast<double>(subset.size());
  const SmoothObjective objective = [&](const Eigen::VectorXd& theta,
                                        Eigen::VectorXd& gradient) {
    Eigen::VectorXd prior_gradient;
    const double log_posterior =
        likelihood.LogLikelihood(theta, &gradient) +
        LogPrior(theta, dimensions, fit_noise, &prior_gradient);
    gradient = -scale * (gradient + prior_gradient);
    return -scale * log_posterior;
  };

  Eigen::VectorXd lower(likelihood.parameter_count());
  Eigen::VectorXd upper(likelihood.parameter_count());
  lower.head(dimensions).setConstant(kMinLogLengthScale);
  upper.head(dimensions).setConstant(kMaxLogLengthScale);
  lower[dimensions] = kMinLogSignalVariance;
  upper[dimensions] = kMaxLogSignalVariance;
  if (fit_noise) {
    lower[dimensions + 1] = kMinLogNoise;
    upper[dimensions + 1] = kMaxLogNoise;
  }
  // Loose tolerances: the acquisition barely changes with the last digits
  // of the hyperparameters, and each evaluation costs O(n^3).
  BoxMinimizerOptions minimizer;
  minimizer.max_iterations = 40;
  minimizer.gradient_tolerance = 1e-3;
  minimizer.relative_improvement_tolerance = 1e-6;

  const std::vector<Eigen::VectorXd> starts = Starts(dimensions, fit_noise);
  const Eigen::VectorXd* start = &starts.front();
  double start_value = std::numeric_limits<double>::infinity();
  Eigen::VectorXd unused_gradient;
  for (const Eigen::VectorXd& candidate : starts) {
    const double value =
        -likelihood.LogLikelihood(candidate, nullptr) -
        LogPrior(candidate, dimensions, fit_noise, &unused_gradient);
    if (value < start_value) {
      start_value = value;
      start = &candidate;
    }
  }
  const BoxMinimum best =
      MinimizeInBox(objective, *start, lower, upper, minimizer);
  if (!std::isfinite(best.value)) return likelihood.Hyperparameters(*start);
  return likelihood.Hyperparameters(best.x);
}

}  // namespace knob::gp

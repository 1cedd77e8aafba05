#include "server/samplers/gp/output_transform.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "absl/random/distributions.h"

namespace knob::gp {
namespace {

constexpr double kAugmentation = 0.05;

// The q-quantile of sorted values, interpolated.
double Quantile(const std::vector<double>& sorted, double q) {
  const double at = q * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(at));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] +
         (at - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

// Each loss's rank (ties share the lowest): the fallback for losses so
// far apart that their differences overflow.
Eigen::VectorXd Ranks(const Eigen::VectorXd& losses) {
  std::vector<double> sorted(losses.data(), losses.data() + losses.size());
  std::sort(sorted.begin(), sorted.end());
  Eigen::VectorXd ranks(losses.size());
  for (Eigen::Index t = 0; t < losses.size(); ++t) {
    ranks[t] = static_cast<double>(
        std::lower_bound(sorted.begin(), sorted.end(), losses[t]) -
        sorted.begin());
  }
  return ranks;
}

}  // namespace

Eigen::VectorXd ScalarizeLosses(const std::vector<std::vector<double>>& losses,
                                absl::BitGenRef rng) {
  const Eigen::Index n = static_cast<Eigen::Index>(losses.size());
  const size_t objectives = losses.empty() ? 1 : losses.front().size();
  Eigen::VectorXd scalar(n);
  if (objectives == 1) {
    for (Eigen::Index t = 0; t < n; ++t) scalar[t] = losses[t][0];
    return scalar;
  }
  // Uniform on the simplex: normalised standard exponentials.
  Eigen::VectorXd weights(objectives);
  for (size_t j = 0; j < objectives; ++j) {
    weights[j] = absl::Exponential(rng, 1.0);
  }
  weights /= weights.sum();
  Eigen::VectorXd low = Eigen::VectorXd::Constant(
      objectives, std::numeric_limits<double>::infinity());
  Eigen::VectorXd high = -low;
  for (const std::vector<double>& trial : losses) {
    for (size_t j = 0; j < objectives; ++j) {
      low[j] = std::min(low[j], trial[j]);
      high[j] = std::max(high[j], trial[j]);
    }
  }
  for (Eigen::Index t = 0; t < n; ++t) {
    double largest = -std::numeric_limits<double>::infinity();
    double sum = 0;
    for (size_t j = 0; j < objectives; ++j) {
      const double range = high[j] - low[j];
      const double normalized =
          range > 0 ? (losses[t][j] - low[j]) / range : 0.0;
      largest = std::max(largest, weights[j] * normalized);
      sum += weights[j] * normalized;
    }
    scalar[t] = largest + kAugmentation * sum;
  }
  return scalar;
}

Eigen::VectorXd StandardizeLosses(const Eigen::VectorXd& losses) {
  const Eigen::Index n = losses.size();
  if (n == 0) return losses;
  std::vector<double> sorted(losses.data(), losses.data() + n);
  std::sort(sorted.begin(), sorted.end());
  const double median = Quantile(sorted, 0.5);
  // The deviation measured on the lower half (for a normal distribution
  // the lower quartile lies 0.674 sigma below the median), which a heavy
  // upper tail cannot inflate.
  double spread = (median - Quantile(sorted, 0.25)) / 0.674;
  if (!(spread > 0)) spread = (sorted.back() - sorted.front()) / 4;
  Eigen::VectorXd warped = losses;
  if (spread > 0) {
    for (Eigen::Index t = 0; t < n; ++t) {
      const double excess = (losses[t] - median) / spread - kTailStart;
      if (excess > 0) {
        warped[t] = median + spread * (kTailStart + std::log1p(excess));
      }
    }
  }
  if (!warped.allFinite()) warped = Ranks(losses);
  // Scaled first so that neither the sum nor the squares overflow.
  const double magnitude = warped.cwiseAbs().maxCoeff();
  if (magnitude > 0) warped /= magnitude;
  const double mean = warped.mean();
  const double stddev = std::sqrt((warped.array() - mean).square().sum() /
                                  static_cast<double>(n));
  if (!(stddev > 0)) return Eigen::VectorXd::Zero(n);
  return (warped.array() - mean) / stddev;
}

Eigen::VectorXd ConstrainedValues(const Eigen::VectorXd& losses,
                                  const Eigen::VectorXd& violations) {
  const Eigen::Index n = losses.size();
  std::vector<Eigen::Index> feasible;
  std::vector<double> misses;
  // A trial missing a constrained metric misses by +inf: the largest
  // finite miss keeps it last without poisoning the arithmetic.
  const Eigen::VectorXd bounded =
      violations.cwiseMin(std::numeric_limits<double>::max());
  for (Eigen::Index t = 0; t < n; ++t) {
    if (bounded[t] > 0) {
      misses.push_back(bounded[t]);
    } else {
      feasible.push_back(t);
    }
  }
  if (misses.empty()) return StandardizeLosses(losses);
  std::sort(misses.begin(), misses.end());
  // Violations relative to a typical one, so that their units (whatever
  // the constrained metrics measure) do not matter.
  const double typical = Quantile(misses, 0.5);
  Eigen::VectorXd values(n);
  const Eigen::VectorXd standardized = StandardizeLosses(losses(feasible));
  double ceiling = 0;
  for (size_t k = 0; k < feasible.size(); ++k) {
    values[feasible[k]] = standardized[static_cast<Eigen::Index>(k)];
    ceiling = std::max(ceiling, standardized[static_cast<Eigen::Index>(k)]);
  }
  for (Eigen::Index t = 0; t < n; ++t) {
    if (bounded[t] > 0) {
      values[t] = ceiling + 1 + std::log1p(bounded[t] / typical);
    }
  }
  return StandardizeLosses(values);
}

}  // namespace knob::gp

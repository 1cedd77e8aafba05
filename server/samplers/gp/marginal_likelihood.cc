#include "server/samplers/gp/marginal_likelihood.h"

#include <cmath>
#include <limits>
#include <numbers>
#include <optional>
#include <utility>

#include "server/samplers/gp/cholesky.h"

namespace knob::gp {

MarginalLikelihood::MarginalLikelihood(Eigen::MatrixXd points,
                                       Eigen::VectorXd values,
                                       std::vector<bool> categorical,
                                       double noise_floor, bool fit_noise)
    : points_(std::move(points)),
      values_(std::move(values)),
      categorical_(std::move(categorical)),
      noise_floor_(noise_floor),
      fit_noise_(fit_noise) {}

int MarginalLikelihood::parameter_count() const {
  return static_cast<int>(categorical_.size()) + (fit_noise_ ? 2 : 1);
}

GpHyperparameters MarginalLikelihood::Hyperparameters(
    const Eigen::VectorXd& theta) const {
  const int d = static_cast<int>(categorical_.size());
  GpHyperparameters hyperparameters;
  hyperparameters.length_scales = theta.head(d).array().exp();
  hyperparameters.signal_variance = std::exp(theta[d]);
  hyperparameters.noise_variance =
      noise_floor_ + (fit_noise_ ? std::exp(theta[d + 1]) : 0.0);
  return hyperparameters;
}

Matern52Kernel MarginalLikelihood::Kernel(const Eigen::VectorXd& theta) const {
  GpHyperparameters hyperparameters = Hyperparameters(theta);
  return Matern52Kernel(categorical_, std::move(hyperparameters.length_scales),
                        hyperparameters.signal_variance);
}

double MarginalLikelihood::LogLikelihood(const Eigen::VectorXd& theta,
                                         Eigen::VectorXd* gradient) const {
  const Eigen::Index n = points_.rows();
  const int d = static_cast<int>(categorical_.size());
  const GpHyperparameters hyperparameters = Hyperparameters(theta);
  const Eigen::ArrayXd inverse_squared_length_scales =
      hyperparameters.length_scales.array().square().inverse();

  // r^2 between every pair, then the unit-variance correlations and their
  // slopes d/dr^2 (kept for the gradient); the lower triangle is computed
  // and mirrored, as everything here is symmetric.
  Eigen::MatrixXd squared_distance = Eigen::MatrixXd::Zero(n, n);
  for (int i = 0; i < d; ++i) {
    const auto column = points_.col(i).array();
    const double weight = inverse_squared_length_scales[i];
    for (Eigen::Index j = 0; j < n; ++j) {
      const auto below = column.tail(n - j);
      auto target = squared_distance.col(j).tail(n - j).array();
      if (categorical_[i]) {
        target += weight * (below != column[j]).cast<double>();
      } else {
        target += weight * (below - column[j]).square();
      }
    }
  }
  Eigen::MatrixXd correlation(n, n);
  Eigen::MatrixXd slope(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index k = j; k < n; ++k) {
      correlation(k, j) = Matern52(squared_distance(k, j));
      slope(k, j) = Matern52Derivative(squared_distance(k, j));
    }
  }
  correlation.triangularView<Eigen::StrictlyUpper>() = correlation.transpose();
  slope.triangularView<Eigen::StrictlyUpper>() = slope.transpose();

  Eigen::MatrixXd covariance = hyperparameters.signal_variance * correlation;
  covariance.diagonal().array() += hyperparameters.noise_variance;
  const std::optional<Eigen::MatrixXd> cholesky = JitteredCholesky(covariance);
  if (!cholesky) return -std::numeric_limits<double>::infinity();
  const auto lower = cholesky->triangularView<Eigen::Lower>();
  const Eigen::VectorXd whitened = lower.solve(values_);
  const double log_likelihood =
      -0.5 * whitened.squaredNorm() - cholesky->diagonal().array().log().sum() -
      0.5 * static_cast<double>(n) * std::log(2 * std::numbers::pi);
  if (gradient == nullptr) return log_likelihood;

  // d log p / d theta_k = 1/2 tr((a a^T - K^-1) dK/dtheta_k), a = K^-1 y,
  // with K^-1 = L^-T L^-1.
  const Eigen::VectorXd weights =
      cholesky->transpose().triangularView<Eigen::Upper>().solve(whitened);
  Eigen::MatrixXd inverse_lower = Eigen::MatrixXd::Identity(n, n);
  lower.solveInPlace(inverse_lower);
  Eigen::MatrixXd residual = Eigen::MatrixXd::Zero(n, n);
  residual.selfadjointView<Eigen::Lower>().rankUpdate(inverse_lower.transpose(),
                                                      -1.0);
  residual.selfadjointView<Eigen::Lower>().rankUpdate(weights, 1.0);
  residual.triangularView<Eigen::StrictlyUpper>() = residual.transpose();

  gradient->resize(parameter_count());
  // dK/dlog l_i = s * slope * (-2 d_i^2 / l_i^2).
  const Eigen::MatrixXd weighted_slope =
      hyperparameters.signal_variance * residual.cwiseProduct(slope);
  for (int i = 0; i < d; ++i) {
    const auto column = points_.col(i).array();
    double sum = 0;
    for (Eigen::Index j = 0; j < n; ++j) {
      const auto slopes = weighted_slope.col(j).array();
      sum += categorical_[i]
                 ? (slopes * (column != column[j]).cast<double>()).sum()
                 : (slopes * (column - column[j]).square()).sum();
    }
    (*gradient)[i] = -sum * inverse_squared_length_scales[i];
  }
  // dK/dlog s = s * correlation.
  (*gradient)[d] = 0.5 * hyperparameters.signal_variance *
                   residual.cwiseProduct(correlation).sum();
  if (fit_noise_) {
    // dK/dtheta_noise = (noise - floor) * I.
    (*gradient)[d + 1] = 0.5 * (hyperparameters.noise_variance - noise_floor_) *
                         residual.trace();
  }
  return log_likelihood;
}

}  // namespace knob::gp

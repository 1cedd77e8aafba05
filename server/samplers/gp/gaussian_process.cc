#include "server/samplers/gp/gaussian_process.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "Eigen/Core"
#include "server/samplers/gp/cholesky.h"

namespace knob::gp {
namespace {

absl::Status FactorisationFailed() {
  return absl::InternalError(
      "gp: the covariance matrix could not be factorised");
}

}  // namespace

GaussianProcess::GaussianProcess(Matern52Kernel kernel, double noise_variance,
                                 Eigen::MatrixXd points, Eigen::VectorXd values,
                                 Eigen::MatrixXd cholesky)
    : kernel_(std::move(kernel)),
      noise_variance_(noise_variance),
      points_(std::move(points)),
      values_(std::move(values)),
      cholesky_(std::move(cholesky)) {
  weights_ = cholesky_.transpose().triangularView<Eigen::Upper>().solve(
      cholesky_.triangularView<Eigen::Lower>().solve(values_));
}

absl::StatusOr<GaussianProcess> GaussianProcess::Condition(
    Matern52Kernel kernel, double noise_variance, Eigen::MatrixXd points,
    Eigen::VectorXd values) {
  Eigen::MatrixXd covariance = kernel.Covariance(points, points);
  covariance.diagonal().array() += noise_variance;
  std::optional<Eigen::MatrixXd> cholesky = JitteredCholesky(covariance);
  if (!cholesky || !values.allFinite()) return FactorisationFailed();
  return GaussianProcess(std::move(kernel), noise_variance, std::move(points),
                         std::move(values), *std::move(cholesky));
}

Prediction GaussianProcess::Predict(const Eigen::VectorXd& x) const {
  Eigen::VectorXd means;
  Eigen::VectorXd variances;
  PredictBatch(x.transpose(), &means, &variances);
  return {means[0], variances[0]};
}

PredictionWithGradient GaussianProcess::PredictWithGradient(
    const Eigen::VectorXd& x) const {
  Eigen::VectorXd covariance;
  Eigen::MatrixXd covariance_gradient;
  kernel_.CovarianceWithGradient(points_, x, &covariance, &covariance_gradient);
  // var = s - k^T K^-1 k, so d var / dx = -2 (dk/dx)^T K^-1 k.
  const Eigen::VectorXd whitened =
      cholesky_.triangularView<Eigen::Lower>().solve(covariance);
  const Eigen::VectorXd solved =
      cholesky_.transpose().triangularView<Eigen::Upper>().solve(whitened);
  PredictionWithGradient prediction;
  prediction.mean = covariance.dot(weights_);
  prediction.variance =
      std::max(0.0, kernel_.signal_variance() - whitened.squaredNorm());
  prediction.mean_gradient = covariance_gradient.transpose() * weights_;
  prediction.variance_gradient =
      -2 * (covariance_gradient.transpose() * solved);
  return prediction;
}

void GaussianProcess::PredictBatch(const Eigen::MatrixXd& points,
                                   Eigen::VectorXd* means,
                                   Eigen::VectorXd* variances) const {
  if (points.rows() == 0) {
    // Eigen's triangular solve reads through a null pointer on an empty
    // right-hand side; nothing is pending before a study's first batch.
    means->resize(0);
    variances->resize(0);
    return;
  }
  const Eigen::MatrixXd covariance = kernel_.Covariance(points_, points);
  *means = covariance.transpose() * weights_;
  const Eigen::MatrixXd whitened =
      cholesky_.triangularView<Eigen::Lower>().solve(covariance);
  *variances = (kernel_.signal_variance() -
                whitened.colwise().squaredNorm().transpose().array())
                   .cwiseMax(0.0)
                   .matrix();
}

absl::StatusOr<GaussianProcess> GaussianProcess::WithObservations(
    const Eigen::MatrixXd& points, const Eigen::VectorXd& values) const {
  if (points.rows() == 0) return *this;
  if (!values.allFinite()) return FactorisationFailed();
  const Eigen::Index n = points_.rows();
  const Eigen::Index p = points.rows();
  // Extends the factor by the new rows instead of refactorising:
  // [L 0; B C] with B = (L^-1 K_np)^T and C C^T = K_pp + noise - B B^T.
  const Eigen::MatrixXd cross = kernel_.Covariance(points_, points);
  const Eigen::MatrixXd below =
      cholesky_.triangularView<Eigen::Lower>().solve(cross).transpose();
  Eigen::MatrixXd schur = kernel_.Covariance(points, points);
  schur.diagonal().array() += noise_variance_;
  schur -= below * below.transpose();
  // Symmetrise what rounding broke before factorising.
  schur = (0.5 * (schur + schur.transpose())).eval();
  std::optional<Eigen::MatrixXd> corner = JitteredCholesky(schur);
  if (!corner) return FactorisationFailed();

  Eigen::MatrixXd cholesky = Eigen::MatrixXd::Zero(n + p, n + p);
  cholesky.topLeftCorner(n, n) = cholesky_;
  cholesky.bottomLeftCorner(p, n) = below;
  cholesky.bottomRightCorner(p, p) = *corner;
  Eigen::MatrixXd all_points(n + p, points_.cols());
  all_points << points_, points;
  Eigen::VectorXd all_values(n + p);
  all_values << values_, values;
  return GaussianProcess(kernel_, noise_variance_, std::move(all_points),
                         std::move(all_values), std::move(cholesky));
}

}  // namespace knob::gp

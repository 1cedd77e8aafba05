#include "server/samplers/gp/kernel.h"

#include <cmath>
#include <utility>

namespace knob::gp {
namespace {

const double kSqrt5 = std::sqrt(5.0);

}  // namespace

double Matern52(double squared_distance) {
  const double r = kSqrt5 * std::sqrt(squared_distance);
  return (1 + r + r * r / 3) * std::exp(-r);
}

double Matern52Derivative(double squared_distance) {
  const double r = kSqrt5 * std::sqrt(squared_distance);
  return -5.0 / 6.0 * (1 + r) * std::exp(-r);
}

Matern52Kernel::Matern52Kernel(std::vector<bool> categorical,
                               Eigen::VectorXd length_scales,
                               double signal_variance)
    : categorical_(std::move(categorical)),
      length_scales_(std::move(length_scales)),
      inverse_squared_length_scales_(length_scales_.array().square().inverse()),
      signal_variance_(signal_variance) {}

double Matern52Kernel::SquaredDifference(int i, double a, double b) const {
  if (categorical_[i]) return a == b ? 0.0 : 1.0;
  return (a - b) * (a - b);
}

double Matern52Kernel::operator()(const Eigen::VectorXd& x,
                                  const Eigen::VectorXd& y) const {
  double r2 = 0;
  for (int i = 0; i < dimensions(); ++i) {
    r2 += SquaredDifference(i, x[i], y[i]) * inverse_squared_length_scales_[i];
  }
  return signal_variance_ * Matern52(r2);
}

Eigen::VectorXd Matern52Kernel::ScaledSquaredDistances(
    const Eigen::MatrixXd& points, const Eigen::VectorXd& x) const {
  Eigen::VectorXd r2 = Eigen::VectorXd::Zero(points.rows());
  for (int i = 0; i < dimensions(); ++i) {
    const auto column = points.col(i).array();
    if (categorical_[i]) {
      r2.array() +=
          (column != x[i]).cast<double>() * inverse_squared_length_scales_[i];
    } else {
      r2.array() +=
          (column - x[i]).square() * inverse_squared_length_scales_[i];
    }
  }
  return r2;
}

Eigen::MatrixXd Matern52Kernel::Covariance(const Eigen::MatrixXd& a,
                                           const Eigen::MatrixXd& b) const {
  Eigen::MatrixXd covariance(a.rows(), b.rows());
  for (Eigen::Index j = 0; j < b.rows(); ++j) {
    covariance.col(j) = ScaledSquaredDistances(a, b.row(j).transpose())
                            .unaryExpr([this](double r2) {
                              return signal_variance_ * Matern52(r2);
                            });
  }
  return covariance;
}

void Matern52Kernel::CovarianceWithGradient(const Eigen::MatrixXd& points,
                                            const Eigen::VectorXd& x,
                                            Eigen::VectorXd* covariance,
                                            Eigen::MatrixXd* gradient) const {
  const Eigen::VectorXd r2 = ScaledSquaredDistances(points, x);
  covariance->resize(points.rows());
  // d k / d r^2 for each row, times 2 as in d r^2 / d x_i.
  Eigen::VectorXd slope(points.rows());
  for (Eigen::Index j = 0; j < points.rows(); ++j) {
    const double r = kSqrt5 * std::sqrt(r2[j]);
    const double decay = std::exp(-r);
    (*covariance)[j] = signal_variance_ * (1 + r + r * r / 3) * decay;
    slope[j] = 2 * signal_variance_ * (-5.0 / 6.0) * (1 + r) * decay;
  }
  gradient->resize(points.rows(), dimensions());
  for (int i = 0; i < dimensions(); ++i) {
    if (categorical_[i]) {
      gradient->col(i).setZero();
    } else {
      gradient->col(i) = slope.cwiseProduct(
          ((x[i] - points.col(i).array()) * inverse_squared_length_scales_[i])
              .matrix());
    }
  }
}

}  // namespace knob::gp

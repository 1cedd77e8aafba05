#include "server/samplers/gp/acquisition.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace knob::gp {
namespace {

const double kLogSqrt2Pi = 0.5 * std::log(2 * std::numbers::pi);

// Below this z, h and Phi come from their asymptotic series, as erfc
// underflows and h cancels catastrophically.
constexpr double kTailZ = -20;

// The standard normal density and log density.
double LogPhi(double z) { return -0.5 * z * z - kLogSqrt2Pi; }

// For z <= kTailZ: log of the series 1 - 1/z^2 + 3/z^4 - 15/z^6 + ...
// (Phi(z) = phi(z) / |z| * series) and of 1 - 3/z^2 + 15/z^4 - ...
// (h(z) = phi(z) / z^2 * series). Ten terms leave a relative error below
// 1e-15 at z = -20.
void TailSeries(double z, double* log_cdf_series, double* log_h_series) {
  const double inverse_z2 = 1 / (z * z);
  double cdf_series = 1;
  double h_series = 1;
  double term = 1;  // (2k - 1)!! / z^2k with alternating sign.
  for (int k = 1; k <= 10; ++k) {
    term *= -(2.0 * k - 1) * inverse_z2;
    cdf_series += term;
    h_series += term * (2.0 * k + 1);
  }
  *log_cdf_series = std::log(cdf_series);
  *log_h_series = std::log(h_series);
}

double LogCdf(double z) {
  if (z > kTailZ) return std::log(0.5 * std::erfc(-z / std::numbers::sqrt2));
  double log_cdf_series = 0;
  double log_h_series = 0;
  TailSeries(z, &log_cdf_series, &log_h_series);
  return LogPhi(z) - std::log(-z) + log_cdf_series;
}

}  // namespace

double LogH(double z) {
  if (z > -1) {
    const double cdf = 0.5 * std::erfc(-z / std::numbers::sqrt2);
    return std::log(std::exp(LogPhi(z)) + z * cdf);
  }
  if (z > kTailZ) {
    // h(z) = phi(z) * (1 + z * Phi(z) / phi(z)); the scaled ratio
    // Phi(z) / phi(z) = sqrt(pi/2) * erfcx(-z / sqrt 2) has no underflow
    // here, and the cancellation in the bracket costs at most about
    // log10(z^2) digits.
    const double mills = std::sqrt(std::numbers::pi / 2) *
                         std::exp(0.5 * z * z) *
                         std::erfc(-z / std::numbers::sqrt2);
    return LogPhi(z) + std::log1p(z * mills);
  }
  double log_cdf_series = 0;
  double log_h_series = 0;
  TailSeries(z, &log_cdf_series, &log_h_series);
  return LogPhi(z) - 2 * std::log(-z) + log_h_series;
}

double LogHDerivative(double z) { return std::exp(LogCdf(z) - LogH(z)); }

double LogExpectedImprovement::FromPrediction(double mean,
                                              double variance) const {
  const double sigma = std::sqrt(std::max(variance, kMinPredictiveVariance));
  return std::log(sigma) + LogH((best_ - mean) / sigma);
}

double LogExpectedImprovement::Value(const Eigen::VectorXd& x) const {
  const Prediction prediction = model_.Predict(x);
  return FromPrediction(prediction.mean, prediction.variance);
}

double LogExpectedImprovement::ValueWithGradient(
    const Eigen::VectorXd& x, Eigen::VectorXd* gradient) const {
  const PredictionWithGradient prediction = model_.PredictWithGradient(x);
  const bool clamped = prediction.variance < kMinPredictiveVariance;
  const double variance =
      clamped ? kMinPredictiveVariance : prediction.variance;
  const double sigma = std::sqrt(variance);
  const double z = (best_ - prediction.mean) / sigma;
  const double slope = LogHDerivative(z);
  // log EI = log sigma + log h(z), z = (best - mean) / sigma:
  //   d/dmean = -slope / sigma,
  //   d/dvariance = (1 - z * slope) / (2 variance).
  *gradient = (-slope / sigma) * prediction.mean_gradient;
  if (!clamped) {
    *gradient +=
        ((1 - z * slope) / (2 * variance)) * prediction.variance_gradient;
  }
  return std::log(sigma) + LogH(z);
}

Eigen::VectorXd LogExpectedImprovement::Values(
    const Eigen::MatrixXd& points) const {
  Eigen::VectorXd means;
  Eigen::VectorXd variances;
  model_.PredictBatch(points, &means, &variances);
  Eigen::VectorXd values(points.rows());
  for (Eigen::Index i = 0; i < points.rows(); ++i) {
    values[i] = FromPrediction(means[i], variances[i]);
  }
  return values;
}

}  // namespace knob::gp

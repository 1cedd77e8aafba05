// A zero-mean Gaussian-process regression model conditioned on observed
// points: the posterior the sampler's acquisition function is computed
// from. Observations are expected on a unit scale (standardised, then
// shifted by the caller to place the prior mean), which is what the
// hyperparameter priors of hyperparameter_fit.h assume.
//
// Thread safety: immutable after construction; const methods are safe to
// call concurrently.
#ifndef KNOB_SERVER_SAMPLERS_GP_GAUSSIAN_PROCESS_H_
#define KNOB_SERVER_SAMPLERS_GP_GAUSSIAN_PROCESS_H_

#include "Eigen/Core"
#include "absl/status/statusor.h"
#include "server/samplers/gp/kernel.h"

namespace knob::gp {

struct Prediction {
  double mean = 0;
  double variance = 0;
};

struct PredictionWithGradient {
  double mean = 0;
  double variance = 0;
  Eigen::VectorXd mean_gradient;
  Eigen::VectorXd variance_gradient;
};

class GaussianProcess {
 public:
  // Conditions the prior given by `kernel` on observing `values` (one per
  // row of `points`) with Gaussian noise of variance `noise_variance`.
  // INTERNAL when the covariance matrix cannot be factorised even with
  // jitter (non-finite inputs).
  static absl::StatusOr<GaussianProcess> Condition(Matern52Kernel kernel,
                                                   double noise_variance,
                                                   Eigen::MatrixXd points,
                                                   Eigen::VectorXd values);

  const Matern52Kernel& kernel() const { return kernel_; }
  double noise_variance() const { return noise_variance_; }
  const Eigen::MatrixXd& points() const { return points_; }
  const Eigen::VectorXd& values() const { return values_; }

  // The posterior of the latent function (without observation noise) at
  // `x`; the variance is clamped at 0 against rounding.
  Prediction Predict(const Eigen::VectorXd& x) const;
  // The same with derivatives with respect to x (zero for categorical
  // coordinates).
  PredictionWithGradient PredictWithGradient(const Eigen::VectorXd& x) const;
  // Predict for each row of `points`, faster than one by one.
  void PredictBatch(const Eigen::MatrixXd& points, Eigen::VectorXd* means,
                    Eigen::VectorXd* variances) const;

  // This model conditioned on more observations, `values` at the rows of
  // `points`, with the same hyperparameters; for trials still being
  // evaluated, whose values the sampler makes up. Costs O(n^2) per added
  // point instead of a new factorisation. INTERNAL as for Condition.
  absl::StatusOr<GaussianProcess> WithObservations(
      const Eigen::MatrixXd& points, const Eigen::VectorXd& values) const;

 private:
  GaussianProcess(Matern52Kernel kernel, double noise_variance,
                  Eigen::MatrixXd points, Eigen::VectorXd values,
                  Eigen::MatrixXd cholesky);

  Matern52Kernel kernel_;
  double noise_variance_;
  Eigen::MatrixXd points_;
  Eigen::VectorXd values_;
  // Lower Cholesky factor L of K(points, points) + noise * I (+ jitter).
  Eigen::MatrixXd cholesky_;
  // (L L^T)^-1 values.
  Eigen::VectorXd weights_;
};

}  // namespace knob::gp

#endif  // KNOB_SERVER_SAMPLERS_GP_GAUSSIAN_PROCESS_H_

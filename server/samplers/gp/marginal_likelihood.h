// The log marginal likelihood of observations under a zero-mean Gaussian
// process with the Matérn-5/2 kernel of kernel.h, as a function of the
// kernel hyperparameters, with its analytic gradient: what
// hyperparameter_fit.h maximises.
//
// Hyperparameters are handled as unconstrained log parameters
//   theta = (log l_1, ..., log l_d, log s[, log(noise - noise_floor)])
// (length scales, signal variance, noise variance above a floor); without
// the last entry the noise variance is the floor itself.
//
// Thread safety: immutable after construction; const methods are safe to
// call concurrently.
#ifndef KNOB_SERVER_SAMPLERS_GP_MARGINAL_LIKELIHOOD_H_
#define KNOB_SERVER_SAMPLERS_GP_MARGINAL_LIKELIHOOD_H_

#include <vector>

#include "Eigen/Core"
#include "server/samplers/gp/kernel.h"

namespace knob::gp {

struct GpHyperparameters {
  Eigen::VectorXd length_scales;
  double signal_variance = 1;
  double noise_variance = 0;
};

class MarginalLikelihood {
 public:
  // `values` has one entry per row of `points`; `fit_noise` says whether
  // theta carries the noise entry.
  MarginalLikelihood(Eigen::MatrixXd points, Eigen::VectorXd values,
                     std::vector<bool> categorical, double noise_floor,
                     bool fit_noise);

  // The length of theta: dimensions + 1, plus 1 when fitting the noise.
  int parameter_count() const;

  GpHyperparameters Hyperparameters(const Eigen::VectorXd& theta) const;
  Matern52Kernel Kernel(const Eigen::VectorXd& theta) const;

  // log p(values | points, theta), and its gradient with respect to theta
  // into `gradient` when not null. -inf when the covariance cannot be
  // factorised.
  double LogLikelihood(const Eigen::VectorXd& theta,
                       Eigen::VectorXd* gradient) const;

 private:
  Eigen::MatrixXd points_;
  Eigen::VectorXd values_;
  std::vector<bool> categorical_;
  double noise_floor_;
  bool fit_noise_;
};

}  // namespace knob::gp

#endif  // KNOB_SERVER_SAMPLERS_GP_MARGINAL_LIKELIHOOD_H_

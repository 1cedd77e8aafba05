// The acquisition function of the Gaussian-process sampler: the logarithm
// of the expected improvement (EI) of the latent function below the best
// value seen, computed so that it stays finite and accurate far in the
// tail where EI itself underflows to 0 (after a few dozen trials most of
// the space has EI below 1e-300, and a flat 0 would leave the optimiser
// without a gradient). See Ament et al., "Unexpected improvements to
// expected improvement for Bayesian optimization" (2023).
//
// Thread safety: immutable; const methods are safe to call concurrently
// (the referenced model must outlive the acquisition function).
#ifndef KNOB_SERVER_SAMPLERS_GP_ACQUISITION_H_
#define KNOB_SERVER_SAMPLERS_GP_ACQUISITION_H_

#include "Eigen/Core"
#include "server/samplers/gp/gaussian_process.h"

namespace knob::gp {

// log h(z) with h(z) = phi(z) + z Phi(z) (standard normal density and
// distribution): EI = sigma * h((best - mean) / sigma). Finite for every
// finite z.
double LogH(double z);
// d/dz log h(z) = Phi(z) / h(z).
double LogHDerivative(double z);

// The posterior variance below which a point counts as known: it keeps
// log EI finite where the model is certain (observed points without
// noise).
inline constexpr double kMinPredictiveVariance = 1e-12;

// What the acquisition optimiser maximises: a function of encoded points,
// differentiable in the continuous coordinates.
class AcquisitionFunction {
 public:
  virtual ~AcquisitionFunction() = default;

  virtual double Value(const Eigen::VectorXd& x) const = 0;
  // The value, and its gradient with respect to x into `gradient` (zero
  // in categorical coordinates).
  virtual double ValueWithGradient(const Eigen::VectorXd& x,
                                   Eigen::VectorXd* gradient) const = 0;
  // Value for each row of `points`; faster than one by one.
  virtual Eigen::VectorXd Values(const Eigen::MatrixXd& points) const = 0;
};

class LogExpectedImprovement final : public AcquisitionFunction {
 public:
  // Improvement below `best` (values are losses: lower is better).
  LogExpectedImprovement(const GaussianProcess& model, double best)
      : model_(model), best_(best) {}

  double Value(const Eigen::VectorXd& x) const override;
  double ValueWithGradient(const Eigen::VectorXd& x,
                           Eigen::VectorXd* gradient) const override;
  Eigen::VectorXd Values(const Eigen::MatrixXd& points) const override;

 private:
  double FromPrediction(double mean, double variance) const;

  const GaussianProcess& model_;
  double best_;
};

}  // namespace knob::gp

#endif  // KNOB_SERVER_SAMPLERS_GP_ACQUISITION_H_

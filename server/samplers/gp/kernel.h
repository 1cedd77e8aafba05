// The Matérn-5/2 covariance with one length scale per coordinate (automatic
// relevance determination), over points of the Gaussian-process sampler's
// encoded space:
//
//   k(x, y) = s * (1 + sqrt(5) r + 5/3 r^2) * exp(-sqrt(5) r),
//   r^2     = sum_i d_i(x, y)^2 / l_i^2,
//
// where s is the signal variance, l_i the length scale of coordinate i, and
// d_i the difference x_i - y_i for numeric coordinates, or for categorical
// ones 0 when the two hold the same choice and 1 otherwise (a Hamming
// distance, so that choices have no order).
//
// Matérn-5/2 rather than the squared exponential: twice differentiable,
// but without the squared exponential's unrealistic smoothness, which
// makes it the usual default for Bayesian optimisation.
//
// Thread safety: immutable; const methods are safe to call concurrently.
#ifndef KNOB_SERVER_SAMPLERS_GP_KERNEL_H_
#define KNOB_SERVER_SAMPLERS_GP_KERNEL_H_

#include <vector>

#include "Eigen/Core"

namespace knob::gp {

// The unit-variance Matérn-5/2 correlation as a function of r^2.
double Matern52(double squared_distance);
// Its derivative with respect to r^2 (finite at 0, unlike d/dr of r).
double Matern52Derivative(double squared_distance);

class Matern52Kernel {
 public:
  // `categorical[i]` tells whether coordinate i is compared by equality;
  // `length_scales` has one positive entry per coordinate.
  Matern52Kernel(std::vector<bool> categorical, Eigen::VectorXd length_scales,
                 double signal_variance);

  int dimensions() const { return static_cast<int>(categorical_.size()); }
  const std::vector<bool>& categorical() const { return categorical_; }
  const Eigen::VectorXd& length_scales() const { return length_scales_; }
  double signal_variance() const { return signal_variance_; }

  // d_i(a, b)^2 for coordinate i.
  double SquaredDifference(int i, double a, double b) const;

  double operator()(const Eigen::VectorXd& x, const Eigen::VectorXd& y) const;

  // r^2 between `x` and each row of `points`.
  Eigen::VectorXd ScaledSquaredDistances(const Eigen::MatrixXd& points,
                                         const Eigen::VectorXd& x) const;

  // The covariance matrix between the rows of `a` and the rows of `b`.
  Eigen::MatrixXd Covariance(const Eigen::MatrixXd& a,
                             const Eigen::MatrixXd& b) const;

  // k(x, row j of `points`) for each j into `covariance`, and into
  // `gradient` (rows x dimensions) its derivative with respect to x; the
  // columns of categorical coordinates are zero, as their values only move
  // in jumps.
  void CovarianceWithGradient(const Eigen::MatrixXd& points,
                              const Eigen::VectorXd& x,
                              Eigen::VectorXd* covariance,
                              Eigen::MatrixXd* gradient) const;

 private:
  std::vector<bool> categorical_;
  Eigen::VectorXd length_scales_;
  // 1 / l_i^2.
  Eigen::VectorXd inverse_squared_length_scales_;
  double signal_variance_;
};

}  // namespace knob::gp

#endif  // KNOB_SERVER_SAMPLERS_GP_KERNEL_H_

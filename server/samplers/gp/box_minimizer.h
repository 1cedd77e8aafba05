// Local minimisation of a smooth function over a box, by L-BFGS-B (the
// LBFGSpp library), for the Gaussian-process sampler's two inner problems:
// fitting kernel hyperparameters and maximising the acquisition function.
//
// LBFGSpp reports a line search that cannot make progress (common right at
// a minimum, where rounding hides the decrease) by throwing, and its line
// search may end on a point worse than one it visited. This wrapper turns
// both into "return the best point evaluated", so callers always get a
// point at least as good as the start.
//
// Thread safety: a pure function of its arguments.
#ifndef KNOB_SERVER_SAMPLERS_GP_BOX_MINIMIZER_H_
#define KNOB_SERVER_SAMPLERS_GP_BOX_MINIMIZER_H_

#include <functional>

#include "Eigen/Core"

namespace knob::gp {

// Returns f(x) and writes its gradient into `gradient` (already sized like
// x). A non-finite value ends the search.
using SmoothObjective =
    std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& gradient)>;

struct BoxMinimizerOptions {
  // L-BFGS-B iterations (each one line search). Default: 100.
  int max_iterations = 100;
  // Stops once every component of the projected gradient is below this.
  // Default: 1e-5.
  double gradient_tolerance = 1e-5;
  // Stops once the value improves by less than this fraction per
  // iteration. Default: 1e-9.
  double relative_improvement_tolerance = 1e-9;
};

struct BoxMinimum {
  Eigen::VectorXd x;
  double value = 0;
};

// Minimises `objective` over lower <= x <= upper starting from `start`
// (projected into the box first). Returns the best point evaluated, `start`
// included; its value is +inf only when no evaluation was finite.
BoxMinimum MinimizeInBox(const SmoothObjective& objective,
                         const Eigen::VectorXd& start,
                         const Eigen::VectorXd& lower,
                         const Eigen::VectorXd& upper,
                         const BoxMinimizerOptions& options = {});

}  // namespace knob::gp

#endif  // KNOB_SERVER_SAMPLERS_GP_BOX_MINIMIZER_H_

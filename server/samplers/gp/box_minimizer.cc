#include "server/samplers/gp/box_minimizer.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "LBFGSB.h"

namespace knob::gp {
namespace {

// Thrown through LBFGSpp to stop the search at a non-finite value, which
// its line search cannot handle.
struct NonFiniteValue {};

// Wraps the objective to remember the best point LBFGSpp evaluated.
class TrackedObjective {
 public:
  explicit TrackedObjective(const SmoothObjective& objective)
      : objective_(objective) {}

  double operator()(const Eigen::VectorXd& x, Eigen::VectorXd& gradient) {
    const double value = objective_(x, gradient);
    if (!std::isfinite(value) || !gradient.allFinite()) throw NonFiniteValue();
    if (value < best_.value) {
      best_.value = value;
      best_.x = x;
    }
    return value;
  }

  const BoxMinimum& best() const { return best_; }

 private:
  const SmoothObjective& objective_;
  BoxMinimum best_{Eigen::VectorXd(), std::numeric_limits<double>::infinity()};
};

}  // namespace

BoxMinimum MinimizeInBox(const SmoothObjective& objective,
                         const Eigen::VectorXd& start,
                         const Eigen::VectorXd& lower,
                         const Eigen::VectorXd& upper,
                         const BoxMinimizerOptions& options) {
  Eigen::VectorXd x = start.cwiseMax(lower).cwiseMin(upper);
  if (x.size() == 0) {
    Eigen::VectorXd gradient(0);
    return {x, objective(x, gradient)};
  }
  LBFGSpp::LBFGSBParam<double> param;
  param.max_iterations = options.max_iterations;
  param.epsilon = options.gradient_tolerance;
  param.epsilon_rel = 0;
  param.delta = options.relative_improvement_tolerance;
  LBFGSpp::LBFGSBSolver<double> solver(param);
  TrackedObjective tracked(objective);
  double value = 0;
  try {
    solver.minimize(tracked, x, value, lower, upper);
  } catch (const NonFiniteValue&) {
    // The best finite point so far stands.
  } catch (const std::exception&) {
    // The line search found no further decrease: the best point stands.
  }
  if (tracked.best().x.size() == 0) {
    return {x, std::numeric_limits<double>::infinity()};
  }
  return tracked.best();
}

}  // namespace knob::gp

// What the Gaussian-process sampler models: one number per completed
// trial, made from its losses (observations.h) so that a zero-mean,
// unit-variance Gaussian process fits it well.
//
// Thread safety: pure functions.
#ifndef KNOB_SERVER_SAMPLERS_GP_OUTPUT_TRANSFORM_H_
#define KNOB_SERVER_SAMPLERS_GP_OUTPUT_TRANSFORM_H_

#include <vector>

#include "Eigen/Core"
#include "absl/random/bit_gen_ref.h"

namespace knob::gp {

// One loss per trial from several objectives, by ParEGO (Knowles 2006):
// each objective's losses rescaled to [0, 1] over the trials, then the
// augmented Chebyshev scalarisation
//   max_j w_j f_j + 0.05 * sum_j w_j f_j
// with weights w drawn uniformly from the simplex. A fresh draw per trial
// spreads successive proposals over the Pareto front. With one objective
// the losses are returned as they are and nothing is drawn.
// `losses[t]` holds trial t's losses, one per objective (all finite).
Eigen::VectorXd ScalarizeLosses(const std::vector<std::vector<double>>& losses,
                                absl::BitGenRef rng);

// Standardises losses (mean 0, variance 1; all zeros when they are all
// equal) after compressing a heavy upper tail: losses more than
// kTailStart robust deviations above the median (deviations measured
// between the lower quartile and the median) grow only logarithmically. Very
// bad trials (divergent runs, penalty values, the walls of Rosenbrock-like
// valleys) would otherwise dominate the variance, and the model would see the
// promising region as flat. The map is increasing, so the best loss stays the
// best.
Eigen::VectorXd StandardizeLosses(const Eigen::VectorXd& losses);

inline constexpr double kTailStart = 2;

// The values the model fits when the study has outcome constraints:
// `violations` (observations.h: 0 when feasible) put every infeasible
// trial above every feasible one, ordered by how far it misses (on a log
// scale), so that improvement is sought in the feasible region and, while
// there is none, towards it. Feasible losses are standardised as above
// and the whole again. Without infeasible trials, StandardizeLosses.
Eigen::VectorXd ConstrainedValues(const Eigen::VectorXd& losses,
                                  const Eigen::VectorXd& violations);

}  // namespace knob::gp

#endif  // KNOB_SERVER_SAMPLERS_GP_OUTPUT_TRANSFORM_H_

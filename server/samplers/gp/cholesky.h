// Cholesky factorisation of kernel matrices that rounding may have left
// slightly indefinite (near-duplicate points, tiny noise).
//
// Thread safety: pure functions.
#ifndef KNOB_SERVER_SAMPLERS_GP_CHOLESKY_H_
#define KNOB_SERVER_SAMPLERS_GP_CHOLESKY_H_

#include <optional>

#include "Eigen/Core"

namespace knob::gp {

// The lower-triangular L with L L^T = a + j I, where the jitter j is 0 when
// `a` factorises as it is, and otherwise the first of 1e-10, 1e-9, ...,
// 1e-4 times the mean diagonal with which it does. nullopt when none does
// (e.g. non-finite entries). `a` must be symmetric.
std::optional<Eigen::MatrixXd> JitteredCholesky(const Eigen::MatrixXd& a);

}  // namespace knob::gp

#endif  // KNOB_SERVER_SAMPLERS_GP_CHOLESKY_H_

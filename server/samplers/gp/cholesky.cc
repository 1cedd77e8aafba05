#include "server/samplers/gp/cholesky.h"

#include <algorithm>

#include "Eigen/Cholesky"

namespace knob::gp {

std::optional<Eigen::MatrixXd> JitteredCholesky(const Eigen::MatrixXd& a) {
  if (a.rows() == 0) return Eigen::MatrixXd(0, 0);
  if (!a.allFinite()) return std::nullopt;
  const double scale = std::max(a.diagonal().mean(), 1e-300);
  double jitter = 0;
  for (int attempt = 0; attempt <= 7; ++attempt) {
    Eigen::MatrixXd jittered = a;
    jittered.diagonal().array() += jitter;
    Eigen::LLT<Eigen::MatrixXd> llt(jittered);
    if (llt.info() == Eigen::Success) {
      Eigen::MatrixXd lower = llt.matrixL();
      if (lower.allFinite() && (lower.diagonal().array() > 0).all()) {
        return lower;
      }
    }
    jitter = jitter == 0 ? 1e-10 * scale : jitter * 10;
  }
  return std::nullopt;
}

}  // namespace knob::gp

#include "server/samplers/cmaes/cma_state.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "Eigen/Eigenvalues"
#include "absl/random/distributions.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace knob::cmaes {
namespace {

// The x with P(N(0, 1) > x) = tail, for 0 < tail <= 1/2, by bisection:
// called once per generation, so exactness beats speed.
double UpperNormalQuantile(double tail) {
  double low = 0;
  double high = 40;
  for (int i = 0; i < 100; ++i) {
    const double mid = (low + high) / 2;
    if (0.5 * std::erfc(mid / std::sqrt(2.0)) > tail) {
      low = mid;
    } else {
      high = mid;
    }
  }
  return (low + high) / 2;
}

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("sampler state: malformed CMA-ES state (", what, ")"));
}

}  // namespace

const char* TerminationName(Termination termination) {
  switch (termination) {
    case Termination::kFlatLosses:
      return "flat losses";
    case Termination::kTinySteps:
      return "tiny steps";
    case Termination::kDiverging:
      return "diverging";
    case Termination::kNoEffect:
      return "no effect";
    case Termination::kIllConditioned:
      return "ill-conditioned";
  }
  return "unknown";
}

int DefaultPopsize(int dimension) {
  return 4 + static_cast<int>(std::floor(3 * std::log(std::max(dimension, 1))));
}

CmaState::CmaState(Eigen::VectorXd mean, double sigma, int popsize,
                   bool separable)
    : popsize_(popsize),
      separable_(separable),
      sigma_(sigma),
      mean_(std::move(mean)) {
  const Eigen::Index n = mean_.size();
  path_sigma_ = Eigen::VectorXd::Zero(n);
  path_c_ = Eigen::VectorXd::Zero(n);
  if (separable) {
    c_ = Eigen::MatrixXd::Ones(n, 1);
  } else {
    c_ = Eigen::MatrixXd::Identity(n, n);
  }
  margin_scales_ = Eigen::VectorXd::Ones(n);
  rates_ = RatesFor(dimension(), popsize_, separable_);
  Decompose();
}

CmaState::Rates CmaState::RatesFor(int dimension, int popsize, bool separable) {
  const double n = dimension;
  Rates rates;
  const int mu = popsize / 2;
  for (int i = 0; i < mu; ++i) {
    rates.weights.push_back(std::log((popsize + 1) / 2.0) - std::log(i + 1));
  }
  const double sum =
      std::accumulate(rates.weights.begin(), rates.weights.end(), 0.0);
  double sum_of_squares = 0;
  for (double& weight : rates.weights) {
    weight /= sum;
    sum_of_squares += weight * weight;
  }
  const double mu_eff = 1 / sum_of_squares;
  rates.mu_eff = mu_eff;
  rates.c_sigma = (mu_eff + 2) / (n + mu_eff + 5);
  rates.d_sigma = 1 + 2 * std::max(0.0, std::sqrt((mu_eff - 1) / (n + 1)) - 1) +
                  rates.c_sigma;
  rates.c_c = (4 + mu_eff / n) / (n + 4 + 2 * mu_eff / n);
  rates.c_1 = 2 / ((n + 1.3) * (n + 1.3) + mu_eff);
  rates.c_mu = std::min(1 - rates.c_1, 2 * (mu_eff - 2 + 1 / mu_eff) /
                                           ((n + 2) * (n + 2) + mu_eff));
  if (separable) {
    // A diagonal C has n free entries instead of n(n+1)/2, so it can be
    // learned (n + 2) / 3 times faster.
    rates.c_1 = std::min(1.0, rates.c_1 * (n + 2) / 3);
    rates.c_mu = std::min(1 - rates.c_1, rates.c_mu * (n + 2) / 3);
  }
  rates.chi_n = std::sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  return rates;
}

Eigen::MatrixXd CmaState::covariance() const {
  if (separable_) return c_.col(0).asDiagonal();
  return c_;
}

int CmaState::LossHistoryLength() const {
  return 10 + (30 * dimension() + popsize_ - 1) / popsize_;
}

void CmaState::Decompose() {
  if (separable_) {
    eigenvalues_ = c_.col(0);
    sqrt_c_ = eigenvalues_.cwiseMax(0).cwiseSqrt();
    return;
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(c_);
  if (solver.info() != Eigen::Success) {
    // CheckTermination reports the run as ill-conditioned.
    eigenvalues_ = Eigen::VectorXd::Constant(
        dimension(), std::numeric_limits<double>::quiet_NaN());
    return;
  }
  eigenvectors_ = solver.eigenvectors();
  eigenvalues_ = solver.eigenvalues();
  sqrt_c_ = eigenvectors_ * eigenvalues_.cwiseMax(0).cwiseSqrt().asDiagonal();
}

Eigen::VectorXd CmaState::InverseSqrtC(const Eigen::VectorXd& v) const {
  if (separable_) return v.cwiseQuotient(eigenvalues_.cwiseSqrt());
  return eigenvectors_ * (eigenvectors_.transpose() * v)
                             .cwiseQuotient(eigenvalues_.cwiseSqrt());
}

Eigen::VectorXd CmaState::Sample(absl::BitGenRef rng) const {
  Eigen::VectorXd z(dimension());
  for (double& value : z) value = absl::Gaussian<double>(rng);
  const Eigen::VectorXd y =
      separable_ ? Eigen::VectorXd(sqrt_c_.col(0).cwiseProduct(z))
                 : Eigen::VectorXd(sqrt_c_ * z);
  return mean_ + sigma_ * margin_scales_.cwiseProduct(y);
}

void CmaState::Tell(absl::Span<const Eigen::VectorXd> candidates,
                    absl::Span<const double> losses) {
  const double n = dimension();
  const Rates& r = rates_;
  std::vector<int> order(candidates.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return losses[a] < losses[b]; });

  // The selected steps in the space of N(0, C), before the margin.
  const int mu = static_cast<int>(r.weights.size());
  Eigen::MatrixXd steps(dimension(), mu);
  for (int k = 0; k < mu; ++k) {
    steps.col(k) =
        (candidates[order[k]] - mean_).cwiseQuotient(margin_scales_) / sigma_;
  }
  const Eigen::Map<const Eigen::VectorXd> weights(r.weights.data(), mu);
  const Eigen::VectorXd mean_step = steps * weights;
  mean_ += sigma_ * margin_scales_.cwiseProduct(mean_step);

  path_sigma_ = (1 - r.c_sigma) * path_sigma_ +
                std::sqrt(r.c_sigma * (2 - r.c_sigma) * r.mu_eff) *
                    InverseSqrtC(mean_step);
  ++generation_;
  const double path_sigma_norm = path_sigma_.norm();
  // Stalls the rank-one update while the step size is about to grow
  // fast, which would otherwise inflate C along the path.
  const bool steady =
      path_sigma_norm /
          std::sqrt(1 - std::pow(1 - r.c_sigma,
                                 2 * static_cast<double>(generation_))) <
      (1.4 + 2 / (n + 1)) * r.chi_n;
  path_c_ = (1 - r.c_c) * path_c_;
  if (steady) {
    path_c_ += std::sqrt(r.c_c * (2 - r.c_c) * r.mu_eff) * mean_step;
  }
  const double lost_variance = steady ? 0 : r.c_c * (2 - r.c_c);
  const double decay = 1 - r.c_1 - r.c_mu + r.c_1 * lost_variance;
  if (separable_) {
    c_.col(0) = decay * c_.col(0) + r.c_1 * path_c_.cwiseAbs2() +
                r.c_mu * steps.cwiseAbs2() * weights;
  } else {
    c_ = decay * c_ + r.c_1 * path_c_ * path_c_.transpose() +
         r.c_mu * steps * weights.asDiagonal() * steps.transpose();
    c_ = (c_ + c_.transpose()) / 2;
  }
  // A single generation may at most multiply sigma by e, so that one odd
  // generation cannot blow the step size up.
  sigma_ *= std::exp(
      std::min(1.0, r.c_sigma / r.d_sigma * (path_sigma_norm / r.chi_n - 1)));

  recent_best_losses_.push_back(losses[order.front()]);
  const size_t history = static_cast<size_t>(LossHistoryLength());
  if (recent_best_losses_.size() > history) {
    recent_best_losses_.erase(recent_best_losses_.begin());
  }
  latest_worst_loss_ = losses[order.back()];
  Decompose();
}

void CmaState::ApplyMargin(absl::Span<const std::optional<GridCell>> cells) {
  const double tail =
      std::min(0.25, 1.0 / (static_cast<double>(dimension()) * popsize_));
  const double quantile = UpperNormalQuantile(tail);
  for (int j = 0; j < dimension(); ++j) {
    double scale = 1;
    if (cells[j].has_value()) {
      // Crossing the nearer edge alone has probability `tail` when that
      // edge lies `quantile` standard deviations away; the farther edge
      // only adds to it.
      const double distance = std::max(
          0.0,
          std::min(mean_[j] - cells[j]->lower, cells[j]->upper - mean_[j]));
      const double spread =
          sigma_ * std::sqrt(separable_ ? c_(j, 0) : c_(j, j));
      if (std::isfinite(distance) && spread > 0) {
        scale = std::max(1.0, distance / (quantile * spread));
      }
    }
    margin_scales_[j] = scale;
  }
}

std::optional<Termination> CmaState::CheckTermination() const {
  if (!std::isfinite(sigma_) || !mean_.allFinite() ||
      !eigenvalues_.allFinite() || !path_c_.allFinite()) {
    return Termination::kIllConditioned;
  }
  const double min_eigenvalue = eigenvalues_.minCoeff();
  const double max_eigenvalue = eigenvalues_.maxCoeff();
  if (!(min_eigenvalue > 0) ||
      max_eigenvalue > kMaxCondition * min_eigenvalue) {
    return Termination::kIllConditioned;
  }
  if (generation_ >= LossHistoryLength() && !recent_best_losses_.empty()) {
    const auto [best_min, best_max] = std::minmax_element(
        recent_best_losses_.begin(), recent_best_losses_.end());
    if (std::max(*best_max, latest_worst_loss_) - *best_min < kTolFun) {
      return Termination::kFlatLosses;
    }
  }
  const Eigen::VectorXd spreads =
      sigma_ *
      (separable_ ? Eigen::VectorXd(c_.col(0)) : Eigen::VectorXd(c_.diagonal()))
          .cwiseSqrt();
  if (spreads.maxCoeff() < kTolX &&
      sigma_ * path_c_.cwiseAbs().maxCoeff() < kTolX) {
    return Termination::kTinySteps;
  }
  if (sigma_ * std::sqrt(max_eigenvalue) > kTolXUp) {
    return Termination::kDiverging;
  }
  for (int j = 0; j < dimension(); ++j) {
    if (mean_[j] + 0.2 * spreads[j] == mean_[j]) return Termination::kNoEffect;
  }
  // One principal axis per generation, in turn, as the tutorial suggests.
  const int axis = static_cast<int>(generation_ % dimension());
  const Eigen::VectorXd shift =
      separable_
          ? Eigen::VectorXd(0.1 * Eigen::VectorXd::Unit(dimension(), axis) *
                            sigma_ * std::sqrt(eigenvalues_[axis]))
          : Eigen::VectorXd(0.1 * sigma_ * std::sqrt(eigenvalues_[axis]) *
                            eigenvectors_.col(axis));
  if (((mean_ + shift).array() == mean_.array()).all()) {
    return Termination::kNoEffect;
  }
  return std::nullopt;
}

void CmaState::WriteTo(ByteWriter& out) const {
  out.U32(static_cast<uint32_t>(dimension()));
  out.U32(static_cast<uint32_t>(popsize_));
  out.U32(separable_ ? 1 : 0);
  out.I64(generation_);
  out.F64(sigma_);
  out.F64s(mean_);
  out.F64s(path_sigma_);
  out.F64s(path_c_);
  if (separable_) {
    out.F64s(absl::MakeConstSpan(c_.data(), c_.size()));
  } else {
    // C is symmetric: its upper triangle, column by column (each a
    // contiguous run of the column-major storage).
    for (int j = 0; j < dimension(); ++j) {
      out.F64s(absl::MakeConstSpan(c_.col(j).data(), j + 1));
    }
  }
  out.F64s(margin_scales_);
  out.U32(static_cast<uint32_t>(recent_best_losses_.size()));
  for (double loss : recent_best_losses_) out.F64(loss);
  out.F64(latest_worst_loss_);
}

absl::StatusOr<CmaState> CmaState::ReadFrom(ByteReader& in) {
  CmaState state;
  const uint32_t dimension = in.U32();
  const uint32_t popsize = in.U32();
  const uint32_t separable = in.U32();
  state.generation_ = in.I64();
  state.sigma_ = in.F64();
  if (!in.ok()) return Malformed("truncated");
  if (dimension == 0 || popsize < 2 || popsize > kMaxPopsize || separable > 1 ||
      state.generation_ < 0) {
    return Malformed("sizes");
  }
  if (!std::isfinite(state.sigma_) || state.sigma_ <= 0) {
    return Malformed("step size");
  }
  state.popsize_ = static_cast<int>(popsize);
  state.separable_ = separable == 1;
  state.mean_ = in.F64s(dimension);
  state.path_sigma_ = in.F64s(dimension);
  state.path_c_ = in.F64s(dimension);
  const uint64_t n = dimension;
  const Eigen::VectorXd packed_c =
      in.F64s(state.separable_ ? n : n * (n + 1) / 2);
  state.margin_scales_ = in.F64s(dimension);
  const uint32_t history = in.U32();
  const Eigen::VectorXd recent = in.F64s(history);
  state.latest_worst_loss_ = in.F64();
  if (!in.ok()) return Malformed("truncated");
  if (!state.mean_.allFinite() || !state.path_sigma_.allFinite() ||
      !state.path_c_.allFinite() || !packed_c.allFinite() ||
      !recent.allFinite() || !std::isfinite(state.latest_worst_loss_) ||
      !state.margin_scales_.allFinite() ||
      state.margin_scales_.minCoeff() < 1) {
    return Malformed("non-finite numbers");
  }
  if (state.separable_) {
    state.c_ = packed_c;
  } else {
    state.c_.resize(dimension, dimension);
    Eigen::Index k = 0;
    for (uint32_t j = 0; j < dimension; ++j) {
      for (uint32_t i = 0; i <= j; ++i) {
        state.c_(i, j) = state.c_(j, i) = packed_c[k++];
      }
    }
  }
  if (history > static_cast<uint32_t>(state.LossHistoryLength()) ||
      static_cast<int64_t>(history) > state.generation_) {
    return Malformed("loss history");
  }
  state.recent_best_losses_.assign(recent.begin(), recent.end());
  state.rates_ = RatesFor(state.dimension(), state.popsize_, state.separable_);
  state.Decompose();
  if (!state.eigenvalues_.allFinite() || !(state.eigenvalues_.minCoeff() > 0)) {
    return Malformed("covariance not positive definite");
  }
  return state;
}

}  // namespace knob::cmaes

// The covariance matrix adaptation evolution strategy, (mu/mu_w, lambda)
// CMA-ES as described in N. Hansen, "The CMA Evolution Strategy: A
// Tutorial" (2016), minimizing a function of n real coordinates with the
// search distribution N(m, sigma^2 C):
//   - Sample draws a candidate; Tell ranks one generation of exactly
//     popsize evaluated candidates, moves the mean to the weighted mean of
//     the better half, adapts C from the evolution path (rank-one update)
//     and the selected steps (rank-mu update), and the step size sigma by
//     cumulative step-size adaptation;
//   - separable mode keeps C diagonal (sep-CMA-ES, Ros & Hansen 2008), so
//     that sampling and updating cost O(n) instead of O(n^2) and O(n^3),
//     with the learning rates raised as that paper prescribes;
//   - a margin (after CMA-ES with margin, Hamano et al. 2022) widens the
//     spread along coordinates that get rounded to a grid, so that a
//     converging run keeps trying the neighbouring grid points instead of
//     freezing on one;
//   - CheckTermination reports the classic stopping criteria, on which a
//     caller restarts the strategy (IPOP: with a doubled population).
// All of the strategy's state round-trips through WriteTo/ReadFrom; the
// eigendecomposition of C is derived from it after every update.
//
// Thread safety: const methods may run concurrently; the others need
// exclusive access.
#ifndef KNOB_SERVER_SAMPLERS_CMAES_CMA_STATE_H_
#define KNOB_SERVER_SAMPLERS_CMAES_CMA_STATE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "Eigen/Core"
#include "absl/random/bit_gen_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "server/samplers/cmaes/byte_codec.h"

namespace knob::cmaes {

// Why a run of the strategy should stop.
enum class Termination {
  // The best losses of the last 10 + 30n/popsize generations and all losses
  // of the latest one lie within kTolFun of each other.
  kFlatLosses,
  // Every coordinate's spread and evolution path are below kTolX.
  kTinySteps,
  // The spread along some principal axis exceeds kTolXUp.
  kDiverging,
  // A step of 0.1 standard deviations along a principal axis, or of 0.2
  // along a coordinate, no longer changes the mean in floating point.
  kNoEffect,
  // C's condition number exceeds kMaxCondition, or the distribution holds
  // non-finite numbers: continuing would sample garbage.
  kIllConditioned,
};

// A short name for logs and tests, e.g. "flat losses".
const char* TerminationName(Termination termination);

// The interval of coordinate values that round to the same grid point as
// the mean; an end is infinite where values beyond it round there too.
struct GridCell {
  double lower = 0;
  double upper = 0;
};

// The largest population a run may have, restarts included.
inline constexpr int kMaxPopsize = 1 << 16;

// The recommended population for n coordinates: 4 + floor(3 ln n).
int DefaultPopsize(int dimension);

class CmaState {
 public:
  static constexpr double kTolFun = 1e-12;
  static constexpr double kTolX = 1e-12;
  static constexpr double kTolXUp = 1e4;
  static constexpr double kMaxCondition = 1e14;

  // A new run: the distribution N(mean, sigma^2 I), `popsize` >= 2
  // candidates per generation. Requires a non-empty finite mean and a
  // finite sigma > 0.
  CmaState(Eigen::VectorXd mean, double sigma, int popsize, bool separable);

  int dimension() const { return static_cast<int>(mean_.size()); }
  int popsize() const { return popsize_; }
  bool separable() const { return separable_; }
  // Generations told since the run started.
  int64_t generation() const { return generation_; }
  double sigma() const { return sigma_; }
  const Eigen::VectorXd& mean() const { return mean_; }
  // C; diagonal in separable mode.
  Eigen::MatrixXd covariance() const;
  // The margin's widening of each coordinate's spread: 1 where none.
  const Eigen::VectorXd& margin_scales() const { return margin_scales_; }

  // A candidate m + sigma * (A y) with y ~ N(0, C) and A the diagonal of
  // margin_scales(): O(n^2), O(n) in separable mode.
  Eigen::VectorXd Sample(absl::BitGenRef rng) const;

  // Updates the distribution from one generation: exactly popsize()
  // candidates, each as Sample returned it or moved (e.g. into bounds),
  // and their finite losses (lower is better). O(popsize n^2 + n^3).
  void Tell(absl::Span<const Eigen::VectorXd> candidates,
            absl::Span<const double> losses);

  // Sets the margin for the current mean: `cells` has one entry per
  // coordinate, nullopt for continuous ones. A gridded coordinate's spread
  // is widened, when needed, so that a sample leaves the mean's cell with
  // probability at least min(1/4, 1 / (n popsize)); otherwise it stays as
  // C says.
  void ApplyMargin(absl::Span<const std::optional<GridCell>> cells);

  // Why the run should stop, or nullopt while it is making progress.
  std::optional<Termination> CheckTermination() const;

  // Appends the whole state; ReadFrom reads it back.
  void WriteTo(ByteWriter& out) const;
  // INVALID_ARGUMENT when the bytes are truncated or hold an impossible
  // state (sizes, non-finite numbers, a C that is not positive definite).
  static absl::StatusOr<CmaState> ReadFrom(ByteReader& in);

 private:
  // Learning rates and weights, fixed by (n, popsize, separable).
  struct Rates {
    std::vector<double> weights;  // the mu positive recombination weights
    double mu_eff = 0;
    double c_sigma = 0;
    double d_sigma = 0;
    double c_c = 0;
    double c_1 = 0;
    double c_mu = 0;
    double chi_n = 0;  // E||N(0, I)||
  };
  static Rates RatesFor(int dimension, int popsize, bool separable);

  CmaState() = default;
  // The number of recent best losses kFlatLosses looks at.
  int LossHistoryLength() const;
  // Recomputes the eigendecomposition and what sampling needs from C.
  void Decompose();
  // C^(-1/2) v.
  Eigen::VectorXd InverseSqrtC(const Eigen::VectorXd& v) const;

  int popsize_ = 0;
  bool separable_ = false;
  int64_t generation_ = 0;
  double sigma_ = 0;
  Eigen::VectorXd mean_;
  Eigen::VectorXd path_sigma_;
  Eigen::VectorXd path_c_;
  // Full C, or its diagonal (an n x 1 matrix) in separable mode.
  Eigen::MatrixXd c_;
  Eigen::VectorXd margin_scales_;
  // The best loss of each of the last LossHistoryLength() generations,
  // oldest first, and the worst loss of the latest generation.
  std::vector<double> recent_best_losses_;
  double latest_worst_loss_ = 0;

  // Derived from the above.
  Rates rates_;
  // C = B diag(eigenvalues) B^T; B is unused in separable mode.
  Eigen::MatrixXd eigenvectors_;
  Eigen::VectorXd eigenvalues_;
  // B diag(sqrt(eigenvalues)): maps N(0, I) to N(0, C).
  Eigen::MatrixXd sqrt_c_;
};

}  // namespace knob::cmaes

#endif  // KNOB_SERVER_SAMPLERS_CMAES_CMA_STATE_H_

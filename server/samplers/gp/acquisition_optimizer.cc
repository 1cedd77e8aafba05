#include "server/samplers/gp/acquisition_optimizer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>

#include "absl/random/distributions.h"
#include "server/samplers/gp/box_minimizer.h"
#include "server/samplers/qmc/sobol_sequence.h"

namespace knob::gp {
namespace {

// Discrete coordinates with at most this many grid points (and every
// categorical one) are searched exhaustively; larger grids are also
// relaxed into L-BFGS-B and searched by steps.
constexpr int64_t kExhaustiveLimit = 16;
// Rounds of (continuous step, discrete moves) per local search.
constexpr int kMaxRounds = 10;
// Screened perturbations of the incumbents, as a fraction of the
// space-filling candidates, and their spread in the unit cube.
constexpr double kPerturbedFraction = 0.25;
constexpr double kPerturbationScale = 0.05;

// The acquisition function with excluded points valued -inf.
class ExcludingAcquisition final : public AcquisitionFunction {
 public:
  ExcludingAcquisition(const AcquisitionFunction& acquisition,
                       const std::vector<Eigen::VectorXd>& excluded)
      : acquisition_(acquisition), excluded_(excluded) {}

  double Value(const Eigen::VectorXd& x) const override {
    return Excluded(x) ? kExcludedValue : acquisition_.Value(x);
  }
  double ValueWithGradient(const Eigen::VectorXd& x,
                           Eigen::VectorXd* gradient) const override {
    const double value = acquisition_.ValueWithGradient(x, gradient);
    return Excluded(x) ? kExcludedValue : value;
  }
  Eigen::VectorXd Values(const Eigen::MatrixXd& points) const override {
    Eigen::VectorXd values = acquisition_.Values(points);
    for (Eigen::Index k = 0; k < points.rows(); ++k) {
      if (Excluded(points.row(k).transpose())) values[k] = kExcludedValue;
    }
    return values;
  }

 private:
  static constexpr double kExcludedValue =
      -std::numeric_limits<double>::infinity();

  bool Excluded(const Eigen::VectorXd& x) const {
    return std::find(excluded_.begin(), excluded_.end(), x) != excluded_.end();
  }

  const AcquisitionFunction& acquisition_;
  const std::vector<Eigen::VectorXd>& excluded_;
};

class LocalSearch {
 public:
  LocalSearch(const AcquisitionFunction& acquisition, const GpSpace& space,
              const Eigen::VectorXd& length_scales)
      : acquisition_(acquisition),
        space_(space),
        length_scales_(length_scales) {}

  AcquisitionMaximum Run(Eigen::VectorXd start, double value) const {
    AcquisitionMaximum current{std::move(start), value};
    for (int round = 0; round < kMaxRounds; ++round) {
      const bool moved_continuously = ContinuousStep(current);
      const bool moved_discretely = DiscreteMoves(current);
      if (!moved_continuously && !moved_discretely) break;
    }
    return current;
  }

 private:
  // L-BFGS-B over the active continuous (and relaxed large discrete)
  // coordinates; true when it improved `current`.
  bool ContinuousStep(AcquisitionMaximum& current) const {
    const std::vector<bool> active = space_.ActiveCoordinates(current.point);
    std::vector<int> free;
    bool relaxed = false;
    for (int i = 0; i < space_.dimensions(); ++i) {
      if (!active[i]) continue;
      if (space_.kind(i) == CoordinateKind::kContinuous) {
        free.push_back(i);
      } else if (space_.kind(i) == CoordinateKind::kDiscrete &&
                 space_.Cardinality(i) > kExhaustiveLimit) {
        free.push_back(i);
        relaxed = true;
      }
    }
    if (free.empty()) return false;

    // Optimises z = x / l, in which the kernel is isotropic.
    const int count = static_cast<int>(free.size());
    Eigen::VectorXd scale(count);
    Eigen::VectorXd start(count);
    for (int k = 0; k < count; ++k) {
      scale[k] = length_scales_[free[k]];
      start[k] = current.point[free[k]] / scale[k];
    }
    Eigen::VectorXd x = current.point;
    Eigen::VectorXd full_gradient;
    const SmoothObjective objective = [&](const Eigen::VectorXd& z,
                                          Eigen::VectorXd& gradient) {
      for (int k = 0; k < count; ++k) x[free[k]] = z[k] * scale[k];
      const double value = acquisition_.ValueWithGradient(x, &full_gradient);
      for (int k = 0; k < count; ++k) {
        gradient[k] = -full_gradient[free[k]] * scale[k];
      }
      return -value;
    };
    BoxMinimizerOptions options;
    options.max_iterations = 50;
    options.gradient_tolerance = 1e-6;
    const BoxMinimum found =
        MinimizeInBox(objective, start, Eigen::VectorXd::Zero(count),
                      scale.cwiseInverse(), options);

    Eigen::VectorXd moved = current.point;
    for (int k = 0; k < count; ++k) moved[free[k]] = found.x[k] * scale[k];
    if (relaxed) space_.Canonicalize(moved);
    if (TryMove(current, moved)) return true;
    if (!relaxed) return false;
    // Rounding lost the gain: keep only the continuous coordinates' move.
    moved = current.point;
    for (int k = 0; k < count; ++k) {
      if (space_.kind(free[k]) == CoordinateKind::kContinuous) {
        moved[free[k]] = found.x[k] * scale[k];
      }
    }
    return TryMove(current, moved);
  }

  // Moves one discrete or categorical coordinate at a time to its best
  // alternative; true when any move improved `current`.
  bool DiscreteMoves(AcquisitionMaximum& current) const {
    bool improved = false;
    for (int i = 0; i < space_.dimensions(); ++i) {
      if (space_.kind(i) == CoordinateKind::kContinuous) continue;
      if (!space_.ActiveCoordinates(current.point)[i]) continue;
      const int64_t cardinality = space_.Cardinality(i);
      const int64_t index = space_.GridIndex(i, current.point[i]);
      std::vector<int64_t> alternatives;
      if (space_.kind(i) == CoordinateKind::kCategorical ||
          cardinality <= kExhaustiveLimit) {
        for (int64_t other = 0; other < cardinality; ++other) {
          if (other != index) alternatives.push_back(other);
        }
      } else {
        for (int64_t step = 1; step < cardinality; step *= 2) {
          if (index - step >= 0) alternatives.push_back(index - step);
          if (index + step < cardinality) alternatives.push_back(index + step);
        }
      }
      if (alternatives.empty()) continue;
      Eigen::MatrixXd points(alternatives.size(), space_.dimensions());
      for (size_t k = 0; k < alternatives.size(); ++k) {
        Eigen::VectorXd point = current.point;
        point[i] = space_.GridPoint(i, alternatives[k]);
        if (space_.has_conditions()) space_.Canonicalize(point);
        points.row(static_cast<Eigen::Index>(k)) = point;
      }
      const Eigen::VectorXd values = acquisition_.Values(points);
      Eigen::Index best = 0;
      values.maxCoeff(&best);
      if (values[best] > current.value) {
        current = {points.row(best).transpose(), values[best]};
        improved = true;
      }
    }
    return improved;
  }

  bool TryMove(AcquisitionMaximum& current,
               const Eigen::VectorXd& point) const {
    const double value = acquisition_.Value(point);
    if (!(value > current.value)) return false;
    current = {point, value};
    return true;
  }

  const AcquisitionFunction& acquisition_;
  const GpSpace& space_;
  const Eigen::VectorXd& length_scales_;
};

// Scrambled Sobol' points (random ones for spaces beyond its table),
// which cover the cube more evenly than as many random points; then
// perturbations of the incumbents.
Eigen::MatrixXd Candidates(const GpSpace& space,
                           const std::vector<Eigen::VectorXd>& incumbents,
                           const AcquisitionOptimizerOptions& options,
                           absl::BitGenRef rng) {
  const int spread = std::max(options.candidates, 1);
  const int perturbed =
      incumbents.empty()
          ? 0
          : static_cast<int>(std::ceil(kPerturbedFraction * spread));
  Eigen::MatrixXd candidates(spread + perturbed, space.dimensions());
  absl::StatusOr<SobolSequence> sobol = SobolSequence::CreateScrambled(
      space.dimensions(), absl::Uniform<uint64_t>(rng));
  for (int k = 0; k < spread; ++k) {
    if (sobol.ok()) {
      const std::vector<double> point = sobol->Point(k);
      Eigen::VectorXd canonical =
          Eigen::Map<const Eigen::VectorXd>(point.data(), point.size());
      space.Canonicalize(canonical);
      candidates.row(k) = canonical;
    } else {
      candidates.row(k) = space.RandomPoint(rng);
    }
  }
  const int d = space.dimensions();
  for (int k = 0; k < perturbed; ++k) {
    Eigen::VectorXd point = incumbents[k % incumbents.size()];
    if (k % 2 == 0) {
      // A small step in every numeric coordinate.
      for (int i = 0; i < d; ++i) {
        if (space.kind(i) == CoordinateKind::kCategorical) continue;
        point[i] = std::clamp(
            point[i] + absl::Gaussian(rng, 0.0, kPerturbationScale), 0.0, 1.0);
      }
    } else {
      // A jump anywhere in one or two coordinates: where parameters
      // interact little, the best point is often the incumbent with one
      // parameter moved to another basin.
      const int forced = absl::Uniform(rng, 0, d);
      for (int i = 0; i < d; ++i) {
        if (i == forced || absl::Bernoulli(rng, 1.0 / d)) {
          point[i] = absl::Uniform(rng, 0.0, 1.0);
        }
      }
    }
    space.Canonicalize(point);
    candidates.row(spread + k) = point;
  }
  return candidates;
}

}  // namespace

AcquisitionMaximum MaximizeAcquisition(
    const AcquisitionFunction& acquisition, const GpSpace& space,
    const Eigen::VectorXd& length_scales, const AcquisitionSearchPoints& points,
    const AcquisitionOptimizerOptions& options, absl::BitGenRef rng) {
  const ExcludingAcquisition objective(acquisition, points.excluded);
  const Eigen::MatrixXd candidates =
      Candidates(space, points.incumbents, options, rng);
  const Eigen::VectorXd values = objective.Values(candidates);

  // Starts: the best screened points (NaN last), then the incumbents.
  std::vector<int> order(candidates.rows());
  std::iota(order.begin(), order.end(), 0);
  const auto better = [&](int a, int b) {
    const bool a_valid = !std::isnan(values[a]);
    const bool b_valid = !std::isnan(values[b]);
    if (a_valid != b_valid) return a_valid;
    return a_valid && values[a] > values[b];
  };
  const int screened = std::min<int>(std::max(options.local_searches, 0),
                                     static_cast<int>(order.size()));
  std::partial_sort(order.begin(), order.begin() + std::max(screened, 1),
                    order.end(), better);
  std::vector<AcquisitionMaximum> starts;
  for (int k = 0; k < screened; ++k) {
    starts.push_back({candidates.row(order[k]).transpose(), values[order[k]]});
  }
  for (const Eigen::VectorXd& incumbent : points.incumbents) {
    starts.push_back({incumbent, objective.Value(incumbent)});
  }

  AcquisitionMaximum best{candidates.row(order[0]).transpose(),
                          values[order[0]]};
  const LocalSearch search(objective, space, length_scales);
  for (AcquisitionMaximum& start : starts) {
    if (std::isnan(start.value)) continue;
    AcquisitionMaximum found = search.Run(std::move(start.point), start.value);
    if (found.value > best.value || std::isnan(best.value)) {
      best = std::move(found);
    }
  }
  return best;
}

}  // namespace knob::gp

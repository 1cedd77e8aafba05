// A Parzen estimator: the density TPE fits to one set of observed points,
// a weighted mixture with one component per observation plus a broad prior
// component. Each component is a product of one kernel per axis:
//   - continuous axes (values in [0, 1]): a Gaussian centred on the
//     observation, truncated to [0, 1];
//   - discrete axes (cells tiling [0, 1], given by index): the mass that the
//     same truncated Gaussian, centred on the observed cell's centre, puts on
//     each cell, so that the probabilities of all cells sum to 1;
//   - categorical axes (choices, given by index): most of the mass on the
//     observed choice, the rest spread evenly over the others.
// The prior component is centred in the middle of every numeric axis with
// the full width of the axis, and uniform over choices. Densities are with
// respect to length on continuous axes and counting on the others.
//
// Thread safety: immutable after construction; const methods are safe to
// call concurrently.
#ifndef KNOB_SERVER_SAMPLERS_TPE_PARZEN_ESTIMATOR_H_
#define KNOB_SERVER_SAMPLERS_TPE_PARZEN_ESTIMATOR_H_

#include <cstdint>
#include <vector>

#include "Eigen/Core"
#include "absl/random/bit_gen_ref.h"
#include "absl/types/span.h"

namespace knob {

// One coordinate of the points an estimator models.
class KernelAxis {
 public:
  enum class Kind { kContinuous, kDiscrete, kCategorical };

  // A value in [0, 1].
  static KernelAxis Continuous();
  // One of `count` >= 1 equal cells: cell k spans [k / count, (k+1) / count].
  static KernelAxis EvenCells(int64_t count);
  // The integers first..last (1 <= first <= last) on a log scale: the cell of
  // integer v spans [log(v - 0.5), log(v + 0.5)], rescaled so that the
  // cells tile [0, 1].
  static KernelAxis LogIntegerCells(int64_t first, int64_t last);
  // One of `count` >= 1 unordered choices.
  static KernelAxis Categorical(int64_t count);

  Kind kind() const { return kind_; }
  // Cells or choices; 0 for a continuous axis.
  int64_t count() const { return count_; }

  // For cells: where cell `k` (0 <= k <= count) starts; CellStart(count)
  // is 1.
  double CellStart(int64_t k) const;
  // For cells: the point of [0, 1] that stands for cell `k` (its midpoint,
  // in log space for log cells).
  double CellCentre(int64_t k) const;
  // For cells: the cell holding `u` in [0, 1].
  int64_t CellAt(double u) const;

 private:
  KernelAxis(Kind kind, int64_t count) : kind_(kind), count_(count) {}

  Kind kind_;
  int64_t count_;
  bool log_cells_ = false;
  // Log cells: the first integer and the span of the log axis.
  int64_t first_ = 0;
  double log_low_ = 0;
  double log_span_ = 1;
};

struct ParzenSettings {
  // The prior component's weight, in the units of the observation weights.
  // Must be > 0: it keeps every density positive.
  // Default: 1.
  double prior_weight = 1;
  // Whether a numeric kernel at the smallest or largest observation may
  // widen to reach the end of its axis (the original TPE heuristic);
  // otherwise it takes the distance to its one neighbour.
  // Default: false.
  bool consider_endpoints = false;

  enum class Bandwidth {
    // Each kernel's bandwidth on a numeric axis is the larger gap between
    // its observation and a neighbour on that axis (the TPE heuristic):
    // sharp where observations crowd.
    kNeighbour,
    // One bandwidth per numeric axis by Scott's rule for a density over all
    // the axes: the observations' spread times n^(-1 / (d + 4)). Unlike
    // neighbour gaps, which shrink like 1/n on each axis, it keeps the
    // kernels of many observations in several dimensions overlapping.
    kScott,
  };
  // Default: kNeighbour.
  Bandwidth bandwidth = Bandwidth::kNeighbour;
};

class ParzenEstimator {
 public:
  // `observations` holds one point per row, axes.size() coordinates each
  // (a value in [0, 1] for continuous axes, an index as a double for the
  // others); `weights` one positive weight per row. No rows is allowed: the
  // estimator is then the prior alone.
  ParzenEstimator(std::vector<KernelAxis> axes,
                  absl::Span<const double> observations,
                  absl::Span<const double> weights,
                  const ParzenSettings& settings);

  const std::vector<KernelAxis>& axes() const { return axes_; }
  // Observations plus the prior.
  int components() const { return static_cast<int>(log_weights_.size()); }

  // Draws one point into `point` (axes().size() coordinates): a component
  // by weight, then each coordinate from that component's kernel.
  void Sample(absl::BitGenRef rng, absl::Span<double> point) const;

  // The log density at each of the points in `points` (axes().size()
  // coordinates each, as for observations), written to `log_densities`
  // (one per point), to within about 1e-7 of the density: the mixture is
  // summed in single precision, which is ample to rank candidates. Cost:
  // O(points * components * axes), plus per discrete axis one normal-mass
  // evaluation per distinct kernel and distinct cell among the points.
  void LogDensities(absl::Span<const double> points,
                    absl::Span<double> log_densities) const;

 private:
  // Numeric axes: per component, in component order (prior last).
  struct NumericKernels {
    int axis = 0;
    std::vector<double> means;
    std::vector<double> inverse_sigmas;
  };
  // Discrete axes: many components share a kernel, since observations
  // fall into few cells and Scott's rule gives every kernel one bandwidth;
  // the cell masses are computed once per distinct kernel.
  struct DiscreteKernels {
    NumericKernels distinct;
    // Per distinct kernel, log(1 / sigma): with the log of a cell's width
    // it gives the log of the cell's width in units of the kernel's sigma.
    std::vector<double> log_inverse_sigmas;
    // Per component, its kernel's index in `distinct`.
    std::vector<int> kernel_of;
  };
  // Categorical axes: per component the favoured choice (-1 for the prior,
  // which favours none) and the log probabilities of that choice and of
  // each other one.
  struct CategoricalKernels {
    int axis = 0;
    std::vector<double> choices;
    std::vector<double> log_hit;
    std::vector<double> log_miss;
  };

  // Multiplies each component's entry of `normalizers` by its kernel's
  // normalizing factor on the axis (the truncation mass, times sigma on
  // continuous axes).
  void FitNumericAxis(int axis, absl::Span<const double> observations,
                      const ParzenSettings& settings,
                      std::vector<double>& normalizers);
  // `kernels` with the components that share a kernel folded together;
  // `cells` holds the cell (of `cell_count`) of each observation's
  // component; the components past them share no kernel.
  static DiscreteKernels DistinctKernels(NumericKernels kernels,
                                         absl::Span<const double> cells,
                                         int64_t cell_count);
  void FitCategoricalAxis(int axis, absl::Span<const double> observations,
                          const ParzenSettings& settings);

  std::vector<KernelAxis> axes_;
  std::vector<double> log_weights_;
  // Running sums of the component weights, for drawing a component.
  std::vector<double> cumulative_weights_;
  // Per component, the terms of its log density that do not depend on the
  // point: log weight, minus the log sigmas of continuous kernels and the
  // log truncation masses of all numeric kernels.
  std::vector<double> log_constants_;
  // The continuous kernels and the constants as one matrix product: with
  // F the row (x_1^2, x_1, ..., x_d^2, x_d, 1) of a point's continuous
  // coordinates, F * G^T is the row of -2 (its log densities under each
  // component before the other axes' terms). Row j of G is
  // (1/s_1^2, -2 m_1/s_1^2, ..., sum_a m_a^2/s_a^2 - 2 log_constants_[j]),
  // with m_a, s_a the mean and sigma of component j on continuous axis a.
  // Expanding the squares loses no accuracy that matters: sigmas are at
  // least 0.01 on [0, 1], so every term is below 1e4.
  Eigen::MatrixXd quadratic_form_;
  std::vector<NumericKernels> continuous_;
  std::vector<DiscreteKernels> discrete_;
  std::vector<CategoricalKernels> categorical_;
};

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_TPE_PARZEN_ESTIMATOR_H_

#include "server/samplers/tpe/parzen_estimator.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "Eigen/Core"
#include "absl/container/flat_hash_map.h"
#include "absl/random/distributions.h"
#include "server/samplers/tpe/truncated_normal.h"

namespace knob {
namespace {

// `values` (all in [0, 1]) in ascending order, each with its index; equal
// values by index. A bucket sort: linear time for values spread over the
// interval, which the observations of a large history are.
std::vector<std::pair<double, size_t>> SortUnitValues(
    absl::Span<const double> values) {
  const size_t n = values.size();
  std::vector<size_t> bucket_starts(n + 1);
  auto bucket_of = [n](double u) {
    return std::min(n - 1, static_cast<size_t>(u * static_cast<double>(n)));
  };
  for (double u : values) ++bucket_starts[bucket_of(u) + 1];
  for (size_t b = 0; b < n; ++b) bucket_starts[b + 1] += bucket_starts[b];
  std::vector<std::pair<double, size_t>> sorted(n);
  std::vector<size_t> fill(bucket_starts.begin(), bucket_starts.end() - 1);
  for (size_t i = 0; i < n; ++i) {
    sorted[fill[bucket_of(values[i])]++] = {values[i], i};
  }
  for (size_t b = 0; b < n; ++b) {
    std::sort(sorted.begin() + bucket_starts[b],
              sorted.begin() + bucket_starts[b + 1]);
  }
  return sorted;
}

// The smallest bandwidth a kernel gets among n observations ("magic
// clip"): 1 / min(100, n + 2) of the axis, so that a handful of close
// observations cannot collapse into spikes.
double MinBandwidth(size_t n) {
  return 1 / std::min(100.0, static_cast<double>(n) + 2);
}

// Bandwidths of the kernels centred on `means` (one numeric axis of the
// observations): the larger gap to a neighbour, so that kernels spread
// where observations are sparse and sharpen where they crowd; clipped to
// [MinBandwidth, the whole axis].
std::vector<double> NeighbourBandwidths(absl::Span<const double> means,
                                        bool consider_endpoints) {
  const size_t n = means.size();
  // The means in order, each with its index, between the ends of the axis.
  std::vector<std::pair<double, size_t>> sorted = SortUnitValues(means);
  sorted.insert(sorted.begin(), {0.0, 0});
  sorted.push_back({1.0, 0});

  const double min_sigma = MinBandwidth(n);
  std::vector<double> sigmas(n);
  for (size_t i = 1; i <= n; ++i) {
    const double left = sorted[i].first - sorted[i - 1].first;
    const double right = sorted[i + 1].first - sorted[i].first;
    double sigma = std::max(left, right);
    if (!consider_endpoints && n >= 2) {
      if (i == 1) sigma = right;
      if (i == n) sigma = left;
    }
    sigmas[sorted[i].second] = std::clamp(sigma, min_sigma, 1.0);
  }
  return sigmas;
}

// One bandwidth for all kernels on an axis by Scott's rule for a density
// over `dimensions` axes: the spread of `means` times n^(-1 / (d + 4)),
// clipped like the neighbour rule.
std::vector<double> ScottBandwidths(absl::Span<const double> means,
                                    size_t dimensions) {
  const double n = static_cast<double>(means.size());
  double mean = 0;
  for (double x : means) mean += x;
  mean /= n;
  double squares = 0;
  for (double x : means) squares += (x - mean) * (x - mean);
  const double spread = n > 1 ? std::sqrt(squares / (n - 1)) : 1;
  const double sigma = std::clamp(
      spread * std::pow(n, -1 / (static_cast<double>(dimensions) + 4)),
      MinBandwidth(means.size()), 1.0);
  return std::vector<double>(means.size(), sigma);
}

}  // namespace

ParzenEstimator::DiscreteKernels ParzenEstimator::DistinctKernels(
    NumericKernels kernels, absl::Span<const double> cells,
    int64_t cell_count) {
  const size_t m = kernels.means.size();
  DiscreteKernels discrete;
  discrete.distinct.axis = kernels.axis;
  discrete.kernel_of.reserve(m);
  // Equal means are equal cells, so kernels are looked up by cell, then by
  // bandwidth among the few kernels of that cell (one under Scott's rule).
  // The first kernel of each cell is in a table over all the cells when
  // they are not many more than the observations, in a hash map otherwise
  // (an integer axis may have 2^60 cells).
  const bool few_cells = cell_count <= 4 * static_cast<int64_t>(m) + 256;
  std::vector<int> first_kernel_table(few_cells ? cell_count : 0, -1);
  absl::flat_hash_map<int64_t, int> first_kernel_map;
  auto first_kernel_of_cell = [&](double cell) -> int& {
    const int64_t k = static_cast<int64_t>(cell);
    return few_cells ? first_kernel_table[k]
                     : first_kernel_map.try_emplace(k, -1).first->second;
  };
  std::vector<int> next_kernel_of_cell;
  auto add_kernel = [&](size_t j) {
    const int kernel = static_cast<int>(discrete.distinct.means.size());
    discrete.distinct.means.push_back(kernels.means[j]);
    discrete.distinct.inverse_sigmas.push_back(kernels.inverse_sigmas[j]);
    // Scott's rule gives every kernel the same bandwidth: one log then.
    const bool same_as_last =
        kernel > 0 && discrete.distinct.inverse_sigmas[kernel - 1] ==
                          kernels.inverse_sigmas[j];
    discrete.log_inverse_sigmas.push_back(
        same_as_last ? discrete.log_inverse_sigmas.back()
                     : std::log(kernels.inverse_sigmas[j]));
    next_kernel_of_cell.push_back(-1);
    return kernel;
  };
  for (size_t j = 0; j < cells.size(); ++j) {
    int& first = first_kernel_of_cell(cells[j]);
    int kernel = first;
    while (kernel >= 0 && discrete.distinct.inverse_sigmas[kernel] !=
                              kernels.inverse_sigmas[j]) {
      kernel = next_kernel_of_cell[kernel];
    }
    if (kernel < 0) {
      kernel = add_kernel(j);
      next_kernel_of_cell[kernel] = first;
      first = kernel;
    }
    discrete.kernel_of.push_back(kernel);
  }
  // The components past the observations (the prior) sit on no cell.
  for (size_t j = cells.size(); j < m; ++j) {
    discrete.kernel_of.push_back(add_kernel(j));
  }
  return discrete;
}

KernelAxis KernelAxis::Continuous() { return KernelAxis(Kind::kContinuous, 0); }

KernelAxis KernelAxis::EvenCells(int64_t count) {
  return KernelAxis(Kind::kDiscrete, count);
}

KernelAxis KernelAxis::LogIntegerCells(int64_t first, int64_t last) {
  KernelAxis axis(Kind::kDiscrete, last - first + 1);
  axis.log_cells_ = true;
  axis.first_ = first;
  axis.log_low_ = std::log(static_cast<double>(first) - 0.5);
  axis.log_span_ = std::log(static_cast<double>(last) + 0.5) - axis.log_low_;
  return axis;
}

KernelAxis KernelAxis::Categorical(int64_t count) {
  return KernelAxis(Kind::kCategorical, count);
}

double KernelAxis::CellStart(int64_t k) const {
  if (k <= 0) return 0;
  if (k >= count_) return 1;
  if (!log_cells_) {
    return static_cast<double>(k) / static_cast<double>(count_);
  }
  const double edge = static_cast<double>(first_ + k) - 0.5;
  return (std::log(edge) - log_low_) / log_span_;
}

double KernelAxis::CellCentre(int64_t k) const {
  if (!log_cells_) {
    return (static_cast<double>(k) + 0.5) / static_cast<double>(count_);
  }
  return (std::log(static_cast<double>(first_ + k)) - log_low_) / log_span_;
}

int64_t KernelAxis::CellAt(double u) const {
  double cell;
  if (!log_cells_) {
    cell = std::floor(u * static_cast<double>(count_));
  } else {
    // The cell of integer v spans [v - 0.5, v + 0.5] once back from logs.
    cell = std::round(std::exp(log_low_ + u * log_span_) -
                      static_cast<double>(first_));
  }
  if (!(cell > 0)) return 0;
  if (cell >= static_cast<double>(count_ - 1)) return count_ - 1;
  return static_cast<int64_t>(cell);
}

ParzenEstimator::ParzenEstimator(std::vector<KernelAxis> axes,
                                 absl::Span<const double> observations,
                                 absl::Span<const double> weights,
                                 const ParzenSettings& settings)
    : axes_(std::move(axes)) {
  const size_t n = weights.size();
  const size_t components = n + 1;
  double total = settings.prior_weight;
  for (double w : weights) total += w;
  log_weights_.reserve(components);
  cumulative_weights_.reserve(components);
  double running = 0;
  for (size_t j = 0; j < components; ++j) {
    const double w = j < n ? weights[j] : settings.prior_weight;
    log_weights_.push_back(std::log(w / total));
    running += w / total;
    cumulative_weights_.push_back(running);
  }
  log_constants_ = log_weights_;

  // The normalizing factors of each component's kernels, multiplied across
  // axes and taken out of log_constants_ once every kFoldEvery numeric axes
  // rather than once per kernel: each factor is at least 0.34 * 0.01 (the
  // truncation mass of a kernel centred inside the axis, times the least
  // bandwidth), so the products cannot underflow in between.
  constexpr int kFoldEvery = 64;
  std::vector<double> normalizers(components, 1.0);
  auto fold = [&] {
    for (size_t j = 0; j < components; ++j) {
      log_constants_[j] -= std::log(normalizers[j]);
      normalizers[j] = 1;
    }
  };
  int unfolded = 0;
  std::vector<double> column(n);
  const size_t dims = axes_.size();
  for (size_t a = 0; a < dims; ++a) {
    for (size_t i = 0; i < n; ++i) column[i] = observations[i * dims + a];
    if (axes_[a].kind() == KernelAxis::Kind::kCategorical) {
      FitCategoricalAxis(static_cast<int>(a), column, settings);
      continue;
    }
    FitNumericAxis(static_cast<int>(a), column, settings, normalizers);
    if (++unfolded == kFoldEvery) {
      fold();
      unfolded = 0;
    }
  }
  fold();
  for (double& log_constant : log_constants_) {
    log_constant -= kLogSqrtTwoPi * static_cast<double>(continuous_.size());
  }

  const Eigen::Index continuous_axes =
      static_cast<Eigen::Index>(continuous_.size());
  quadratic_form_.resize(static_cast<Eigen::Index>(components),
                         2 * continuous_axes + 1);
  Eigen::VectorXd constants =
      -2 * Eigen::Map<const Eigen::VectorXd>(
               log_constants_.data(), static_cast<Eigen::Index>(components));
  for (Eigen::Index a = 0; a < continuous_axes; ++a) {
    const NumericKernels& kernels = continuous_[a];
    const Eigen::Map<const Eigen::ArrayXd> means(
        kernels.means.data(), static_cast<Eigen::Index>(components));
    const Eigen::Map<const Eigen::ArrayXd> inverse_sigmas(
        kernels.inverse_sigmas.data(), static_cast<Eigen::Index>(components));
    const Eigen::ArrayXd precisions = inverse_sigmas.square();
    quadratic_form_.col(2 * a) = precisions.matrix();
    quadratic_form_.col(2 * a + 1) = (-2 * means * precisions).matrix();
    constants += (means.square() * precisions).matrix();
  }
  quadratic_form_.col(2 * continuous_axes) = constants;
}

void ParzenEstimator::FitNumericAxis(int axis,
                                     absl::Span<const double> observations,
                                     const ParzenSettings& settings,
                                     std::vector<double>& normalizers) {
  const KernelAxis& kernel_axis = axes_[axis];
  const bool continuous = kernel_axis.kind() == KernelAxis::Kind::kContinuous;
  NumericKernels kernels;
  kernels.axis = axis;
  kernels.means.reserve(observations.size() + 1);
  for (double x : observations) {
    kernels.means.push_back(
        continuous ? x : kernel_axis.CellCentre(static_cast<int64_t>(x)));
  }
  std::vector<double> sigmas =
      settings.bandwidth == ParzenSettings::Bandwidth::kNeighbour
          ? NeighbourBandwidths(kernels.means, settings.consider_endpoints)
          : ScottBandwidths(kernels.means, axes_.size());
  kernels.means.push_back(0.5);
  sigmas.push_back(1);
  kernels.inverse_sigmas.reserve(sigmas.size());
  for (double sigma : sigmas) kernels.inverse_sigmas.push_back(1 / sigma);

  if (continuous) {
    std::vector<double> masses(sigmas.size());
    UnitIntervalMasses(kernels.means, kernels.inverse_sigmas,
                       absl::MakeSpan(masses));
    for (size_t j = 0; j < sigmas.size(); ++j) {
      normalizers[j] *= sigmas[j] * masses[j];
    }
    continuous_.push_back(std::move(kernels));
    return;
  }
  DiscreteKernels discrete =
      DistinctKernels(std::move(kernels), observations, kernel_axis.count());
  const NumericKernels& distinct = discrete.distinct;
  std::vector<double> masses(distinct.means.size());
  UnitIntervalMasses(distinct.means, distinct.inverse_sigmas,
                     absl::MakeSpan(masses));
  for (size_t j = 0; j < sigmas.size(); ++j) {
    normalizers[j] *= masses[discrete.kernel_of[j]];
  }
  discrete_.push_back(std::move(discrete));
}

void ParzenEstimator::FitCategoricalAxis(int axis,
                                         absl::Span<const double> observations,
                                         const ParzenSettings& settings) {
  const double choices = static_cast<double>(axes_[axis].count());
  // Every observation lends its own choice one unit of weight and every
  // choice an even share of the prior weight; the share shrinks as
  // observations accumulate, so that the kernels sharpen with evidence.
  const double share =
      settings.prior_weight / static_cast<double>(observations.size() + 1);
  const double total = 1 + choices * share;
  const double log_hit = std::log((1 + share) / total);
  const double log_miss = std::log(share / total);
  const double log_uniform = -std::log(choices);

  CategoricalKernels kernels;
  kernels.axis = axis;
  kernels.choices.assign(observations.begin(), observations.end());
  kernels.log_hit.assign(observations.size(), log_hit);
  kernels.log_miss.assign(observations.size(), log_miss);
  kernels.choices.push_back(-1);
  kernels.log_hit.push_back(log_uniform);
  kernels.log_miss.push_back(log_uniform);
  categorical_.push_back(std::move(kernels));
}

void ParzenEstimator::Sample(absl::BitGenRef rng,
                             absl::Span<double> point) const {
  const double pick = absl::Uniform<double>(rng, 0, 1);
  const size_t component =
      std::min<size_t>(std::upper_bound(cumulative_weights_.begin(),
                                        cumulative_weights_.end(), pick) -
                           cumulative_weights_.begin(),
                       cumulative_weights_.size() - 1);
  for (const NumericKernels& kernels : continuous_) {
    point[kernels.axis] =
        SampleTruncatedNormal(kernels.means[component],
                              1 / kernels.inverse_sigmas[component], 0, 1, rng);
  }
  for (const DiscreteKernels& kernels : discrete_) {
    const NumericKernels& distinct = kernels.distinct;
    const int kernel = kernels.kernel_of[component];
    const double u = SampleTruncatedNormal(
        distinct.means[kernel], 1 / distinct.inverse_sigmas[kernel], 0, 1, rng);
    point[distinct.axis] = static_cast<double>(axes_[distinct.axis].CellAt(u));
  }
  for (const CategoricalKernels& kernels : categorical_) {
    const int64_t count = axes_[kernels.axis].count();
    const double favoured = kernels.choices[component];
    if (favoured >= 0 &&
        absl::Bernoulli(rng, std::exp(kernels.log_hit[component]))) {
      point[kernels.axis] = favoured;
      continue;
    }
    if (favoured < 0) {
      point[kernels.axis] =
          static_cast<double>(absl::Uniform<int64_t>(rng, 0, count));
      continue;
    }
    // One of the other choices, evenly.
    const int64_t other = absl::Uniform<int64_t>(rng, 0, count - 1);
    point[kernels.axis] = static_cast<double>(
        other >= static_cast<int64_t>(favoured) ? other + 1 : other);
  }
}

void ParzenEstimator::LogDensities(absl::Span<const double> points,
                                   absl::Span<double> log_densities) const {
  const size_t dims = axes_.size();
  const size_t count = log_densities.size();
  const size_t m = log_weights_.size();
  const Eigen::Index continuous_axes =
      static_cast<Eigen::Index>(continuous_.size());
  Eigen::MatrixXd features(static_cast<Eigen::Index>(count),
                           2 * continuous_axes + 1);
  for (size_t p = 0; p < count; ++p) {
    const Eigen::Index row = static_cast<Eigen::Index>(p);
    for (Eigen::Index a = 0; a < continuous_axes; ++a) {
      const double x = points[p * dims + continuous_[a].axis];
      features(row, 2 * a) = x * x;
      features(row, 2 * a + 1) = x;
    }
    features(row, 2 * continuous_axes) = 1;
  }
  // Row p holds the log density of point p under each component.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> terms =
      -0.5 * features * quadratic_form_.transpose();
  std::vector<double> cell_terms;
  std::vector<std::pair<double, size_t>> cells(count);
  for (const DiscreteKernels& kernels : discrete_) {
    const NumericKernels& distinct = kernels.distinct;
    const KernelAxis& axis = axes_[distinct.axis];
    const size_t kernel_count = distinct.means.size();
    cell_terms.resize(kernel_count);
    // Points in the same cell share its masses: compute them once per cell.
    for (size_t p = 0; p < count; ++p) {
      cells[p] = {points[p * dims + distinct.axis], p};
    }
    std::sort(cells.begin(), cells.end());
    for (size_t begin = 0; begin < count;) {
      const int64_t cell = static_cast<int64_t>(cells[begin].first);
      const double start = axis.CellStart(cell);
      const double width = axis.CellStart(cell + 1) - start;
      const double middle = start + 0.5 * width;
      const double log_width = std::log(width);
      for (size_t k = 0; k < kernel_count; ++k) {
        const double inverse_sigma = distinct.inverse_sigmas[k];
        cell_terms[k] = LogNormalMassAround(
            (middle - distinct.means[k]) * inverse_sigma, width * inverse_sigma,
            log_width + kernels.log_inverse_sigmas[k]);
      }
      const int* kernel_of = kernels.kernel_of.data();
      size_t stop = begin;
      for (; stop < count && cells[stop].first == cells[begin].first; ++stop) {
        double* row = terms.data() + cells[stop].second * m;
        for (size_t j = 0; j < m; ++j) row[j] += cell_terms[kernel_of[j]];
      }
      begin = stop;
    }
  }
  for (const CategoricalKernels& kernels : categorical_) {
    const double* choices = kernels.choices.data();
    const double* log_hit = kernels.log_hit.data();
    const double* log_miss = kernels.log_miss.data();
    for (size_t p = 0; p < count; ++p) {
      const double x = points[p * dims + kernels.axis];
      double* row = terms.data() + p * m;
      for (size_t j = 0; j < m; ++j) {
        row[j] += choices[j] == x ? log_hit[j] : log_miss[j];
      }
    }
  }
  Eigen::ArrayXf shifted(static_cast<Eigen::Index>(m));
  for (size_t p = 0; p < count; ++p) {
    const Eigen::Map<const Eigen::ArrayXd> row(terms.data() + p * m,
                                               static_cast<Eigen::Index>(m));
    // Once the largest term is taken out, every exponential is in (0, 1]
    // and summing them in single precision is off by 1e-5 of the sum at
    // worst, far below what separates candidates; Eigen's float exp works
    // on twice as many components at once as its double one.
    const double top = row.maxCoeff();
    shifted = (row - top).cast<float>();
    log_densities[p] = top + std::log(static_cast<double>(shifted.exp().sum()));
  }
}

}  // namespace knob

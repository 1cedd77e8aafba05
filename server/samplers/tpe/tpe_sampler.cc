#include "server/samplers/tpe/tpe_sampler.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "server/model/search_space.h"
#include "server/model/study_config_validation.h"
#include "server/model/trial.h"
#include "server/samplers/observations.h"
#include "server/samplers/random_sampler.h"
#include "server/samplers/tpe/history_split.h"
#include "server/samplers/tpe/parameter_axes.h"
#include "server/samplers/tpe/parzen_estimator.h"
#include "server/samplers/tpe/tpe_options.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

// From this many observations on, the bad density of a joint group uses
// Scott's rule instead of neighbour gaps: per-axis gaps among many points
// are far narrower than the distances between points in several
// dimensions, so the kernels stop overlapping and away from the observed
// points the density falls back to its prior; it then no longer tells which
// regions, or which choices of a categorical, were tried and found bad.
// With fewer observations Scott's wide kernels push proposals away from
// everything tried, which measured worse (and so does it for lone
// parameters, where neighbour gaps have the right scale).
constexpr size_t kScottBadObservations = 50;

class TpeSampler final : public Sampler {
 public:
  TpeSampler(const StudyConfig& config, TpeOptions options)
      : options_(std::move(options)), objectives_(config.objectives.size()) {
    std::vector<const ParameterSpec*> modelled;
    for (const ParameterSpec* spec : SamplingOrder(config)) {
      order_.push_back(*spec);
      if (std::holds_alternative<FixedDomain>(spec->domain)) {
        axis_of_.push_back(-1);
        continue;
      }
      axis_of_.push_back(static_cast<int>(axes_.size()));
      axes_.emplace_back(*spec);
      modelled.push_back(spec);
    }
    groups_ = ParameterGroups(modelled, options_.multivariate, options_.group);
    by_name_.resize(axes_.size());
    std::iota(by_name_.begin(), by_name_.end(), 0);
    std::sort(by_name_.begin(), by_name_.end(), [&](int a, int b) {
      return axes_[a].spec().name < axes_[b].spec().name;
    });
    group_of_.resize(axes_.size());
    for (size_t g = 0; g < groups_.size(); ++g) {
      for (int axis : groups_[g]) group_of_[axis] = static_cast<int>(g);
    }
  }

  absl::StatusOr<ParamAssignment> Sample(
      const SamplingContext& context) override {
    const Observations observations =
        ObserveHistory(context.config, context.trials);
    ParamAssignment params;
    if (observations.completed.size() <
        static_cast<size_t>(options_.n_startup_trials)) {
      for (const ParameterSpec& spec : order_) {
        if (IsActive(spec, params)) {
          params.emplace(spec.name, SampleUniformly(spec.domain, context.rng));
        }
      }
      return params;
    }
    const TrialSplit split = SplitTrials(
        observations, {objectives_, options_.gamma, options_.max_good_trials,
                       options_.constant_liar});
    const std::vector<double> good = Encode(split.good);
    const std::vector<double> bad = Encode(split.bad);
    for (size_t i = 0; i < order_.size(); ++i) {
      const ParameterSpec& spec = order_[i];
      if (params.contains(spec.name) || !IsActive(spec, params)) continue;
      if (axis_of_[i] < 0) {
        params.emplace(spec.name, std::get<FixedDomain>(spec.domain).value);
        continue;
      }
      // The members of a group share this parameter's condition, so they
      // are all active: propose them together.
      SampleGroup(groups_[group_of_[axis_of_[i]]], good, bad, context.rng,
                  params);
    }
    return params;
  }

 private:
  // The coordinates of every modelled parameter in each of `trials`, one
  // row of axes_.size() per trial; NaN where the trial has no value inside
  // the parameter's domain.
  std::vector<double> Encode(absl::Span<const Trial* const> trials) {
    const size_t dims = axes_.size();
    std::vector<double> matrix(trials.size() * dims);
    for (size_t t = 0; t < trials.size(); ++t) {
      const Trial& trial = *trials[t];
      double* row = matrix.data() + t * dims;
      if (!IsFinished(trial.state)) {
        EncodeRow(trial.params, row);
        continue;
      }
      const auto [entry, added] =
          finished_rows_.try_emplace(trial.number, encoded_.size());
      if (added) {
        encoded_.resize(encoded_.size() + dims);
        EncodeRow(trial.params, encoded_.data() + entry->second);
      }
      std::copy_n(encoded_.data() + entry->second, dims, row);
    }
    return matrix;
  }

  // Writes the coordinates of `params` to `row` (axes_.size() entries).
  void EncodeRow(const ParamAssignment& params, double* row) const {
    std::fill_n(row, axes_.size(), std::numeric_limits<double>::quiet_NaN());
    // Both sides are in name order: one pass over the trial's values.
    auto value = params.begin();
    for (int axis : by_name_) {
      const ParameterAxis& parameter = axes_[axis];
      int order = -1;
      while (value != params.end() &&
             (order = value->first.compare(parameter.spec().name)) < 0) {
        ++value;
      }
      if (value == params.end()) break;
      if (order == 0) {
        row[axis] = parameter.Encode(value->second)
                        .value_or(std::numeric_limits<double>::quiet_NaN());
      }
    }
  }

  // The rows of `matrix` (from Encode) where every one of `members` has a
  // coordinate, cut down to those members' columns.
  std::vector<double> Rows(absl::Span<const double> matrix,
                           absl::Span<const int> members) const {
    const size_t dims = axes_.size();
    std::vector<double> rows;
    rows.reserve(matrix.size() / dims * members.size());
    for (size_t start = 0; start < matrix.size(); start += dims) {
      const double* row = matrix.data() + start;
      if (std::any_of(members.begin(), members.end(),
                      [&](int axis) { return std::isnan(row[axis]); })) {
        continue;
      }
      for (int axis : members) rows.push_back(row[axis]);
    }
    return rows;
  }

  // Fits the good and bad densities of the group and adds the best of
  // the candidates drawn from the good one to `params`.
  // `good_trials` and `bad_trials` are the split's trials, encoded.
  void SampleGroup(absl::Span<const int> members,
                   absl::Span<const double> good_trials,
                   absl::Span<const double> bad_trials, absl::BitGenRef rng,
                   ParamAssignment& params) const {
    const size_t dims = members.size();
    std::vector<KernelAxis> kernel_axes;
    kernel_axes.reserve(dims);
    for (int axis : members) kernel_axes.push_back(axes_[axis].kernel_axis());
    const ParzenSettings settings{options_.prior_weight,
                                  options_.consider_endpoints};

    const std::vector<double> good_rows = Rows(good_trials, members);
    const size_t good_count = good_rows.size() / dims;
    // Several objectives: the good trials are a set of trade-offs, none
    // older or better than another.
    const std::vector<double> good_weights = ObservationWeights(
        good_count, objectives_ > 1 ? TpeWeights::kUniform : options_.weights);
    const ParzenEstimator good(kernel_axes, good_rows, good_weights, settings);

    const std::vector<double> bad_rows = Rows(bad_trials, members);
    const std::vector<double> bad_weights =
        ObservationWeights(bad_rows.size() / dims, options_.weights);
    ParzenSettings bad_settings = settings;
    if (dims > 1 && bad_weights.size() >= kScottBadObservations) {
      bad_settings.bandwidth = ParzenSettings::Bandwidth::kScott;
    }
    const ParzenEstimator bad(std::move(kernel_axes), bad_rows, bad_weights,
                              bad_settings);

    const size_t count = static_cast<size_t>(options_.n_ei_candidates);
    std::vector<double> candidates(count * dims);
    for (size_t c = 0; c < count; ++c) {
      good.Sample(rng, absl::MakeSpan(candidates).subspan(c * dims, dims));
    }
    std::vector<double> good_density(count);
    std::vector<double> bad_density(count);
    good.LogDensities(candidates, absl::MakeSpan(good_density));
    bad.LogDensities(candidates, absl::MakeSpan(bad_density));
    size_t best = 0;
    for (size_t c = 1; c < count; ++c) {
      if (good_density[c] - bad_density[c] >
          good_density[best] - bad_density[best]) {
        best = c;
      }
    }
    for (size_t k = 0; k < dims; ++k) {
      const ParameterAxis& parameter = axes_[members[k]];
      params.emplace(parameter.spec().name,
                     parameter.Decode(candidates[best * dims + k]));
    }
  }

  TpeOptions options_;
  size_t objectives_;
  // Every parameter in SamplingOrder, fixed ones included.
  std::vector<ParameterSpec> order_;
  // For each entry of order_, its index in axes_, or -1 when fixed.
  std::vector<int> axis_of_;
  // The non-fixed parameters in SamplingOrder.
  std::vector<ParameterAxis> axes_;
  // Indices into axes_ of the parameters modelled jointly.
  std::vector<std::vector<int>> groups_;
  // For each entry of axes_, its index in groups_.
  std::vector<int> group_of_;
  // The indices of axes_ in the order of parameter names.
  std::vector<int> by_name_;
  // The rows of finished trials, encoded once: a finished trial never
  // changes (trial.h), so its row is what encoding it again would give, and
  // a cold instance (a restarted server, another replica) proposes the
  // same. Keyed by trial number, the offset of its row in encoded_.
  absl::flat_hash_map<int64_t, size_t> finished_rows_;
  std::vector<double> encoded_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Sampler>> CreateTpeSampler(
    const StudyConfig& config, const AlgorithmSpec& spec) {
  ASSIGN_OR_RETURN(TpeOptions options, ParseTpeOptions(spec));
  RETURN_IF_ERROR(ValidateStudyConfig(config));
  return std::make_unique<TpeSampler>(config, std::move(options));
}

}  // namespace knob

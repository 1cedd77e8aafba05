#include "server/samplers/random_sampler.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/random/distributions.h"
#include "server/model/algorithm_options.h"
#include "server/model/search_space.h"
#include "server/model/study_config_validation.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

ParamValue SampleFloat(const FloatDomain& domain, absl::BitGenRef rng) {
  if (domain.step) {
    const int64_t count = *DomainCardinality(domain);
    return DomainPoint(domain, absl::Uniform<int64_t>(rng, 0, count));
  }
  if (domain.log_scale) {
    const double log_value = absl::Uniform(
        absl::IntervalClosed, rng, std::log(domain.min), std::log(domain.max));
    // exp(log(x)) may land an ulp outside the bounds.
    return std::clamp(std::exp(log_value), domain.min, domain.max);
  }
  return absl::Uniform(absl::IntervalClosed, rng, domain.min, domain.max);
}

ParamValue SampleInt(const IntDomain& domain, absl::BitGenRef rng) {
  // Unsigned: max - min overflows int64 for the widest domains.
  const uint64_t step = static_cast<uint64_t>(domain.step);
  const uint64_t last =
      (static_cast<uint64_t>(domain.max) - static_cast<uint64_t>(domain.min)) /
      step;
  uint64_t index;
  if (domain.log_scale) {
    // Widening by half a unit gives the end values their fair share of the
    // log-space mass once rounded.
    const double value = std::exp(
        absl::Uniform(rng, std::log(static_cast<double>(domain.min) - 0.5),
                      std::log(static_cast<double>(domain.max) + 0.5)));
    const double rounded = std::round(
        (value - static_cast<double>(domain.min)) / static_cast<double>(step));
    index = rounded <= 0 ? 0
            : rounded >= static_cast<double>(last)
                ? last
                : static_cast<uint64_t>(rounded);
  } else {
    index = absl::Uniform<uint64_t>(absl::IntervalClosed, rng, 0, last);
  }
  return static_cast<int64_t>(static_cast<uint64_t>(domain.min) + index * step);
}

class RandomSampler final : public Sampler {
 public:
  explicit RandomSampler(std::vector<ParameterSpec> order)
      : order_(std::move(order)) {}

  absl::StatusOr<ParamAssignment> Sample(
      const SamplingContext& context) override {
    ParamAssignment params;
    for (const ParameterSpec& spec : order_) {
      if (IsActive(spec, params)) {
        params.emplace(spec.name, SampleUniformly(spec.domain, context.rng));
      }
    }
    return params;
  }

 private:
  // The study's parameters in SamplingOrder.
  std::vector<ParameterSpec> order_;
};

}  // namespace

ParamValue SampleUniformly(const Domain& domain, absl::BitGenRef rng) {
  if (const auto* d = std::get_if<FloatDomain>(&domain)) {
    return SampleFloat(*d, rng);
  }
  if (const auto* d = std::get_if<IntDomain>(&domain)) {
    return SampleInt(*d, rng);
  }
  if (const auto* d = std::get_if<CategoricalDomain>(&domain)) {
    return d->choices[absl::Uniform<size_t>(rng, 0, d->choices.size())];
  }
  return std::get<FixedDomain>(domain).value;
}

absl::StatusOr<std::unique_ptr<Sampler>> CreateRandomSampler(
    const StudyConfig& config, const AlgorithmSpec& spec) {
  RETURN_IF_ERROR(AlgorithmOptions("sampler", spec).CheckAllUsed());
  // Sampling relies on valid domains (non-empty choices, min < max).
  RETURN_IF_ERROR(ValidateStudyConfig(config));
  std::vector<ParameterSpec> order;
  for (const ParameterSpec* parameter : SamplingOrder(config)) {
    order.push_back(*parameter);
  }
  return std::make_unique<RandomSampler>(std::move(order));
}

}  // namespace knob

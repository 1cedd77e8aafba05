#include "server/samplers/tpe/parameter_axes.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "server/model/search_space.h"

namespace knob {
namespace {

bool IsContinuous(const Domain& domain) {
  const auto* d = std::get_if<FloatDomain>(&domain);
  return d != nullptr && !d->step;
}

KernelAxis KernelAxisFor(const Domain& domain) {
  if (IsContinuous(domain)) return KernelAxis::Continuous();
  const int64_t count = *DomainCardinality(domain);
  if (std::holds_alternative<CategoricalDomain>(domain)) {
    return KernelAxis::Categorical(count);
  }
  if (const auto* d = std::get_if<IntDomain>(&domain); d && d->log_scale) {
    // Validation guarantees step 1 on log scale: the grid is min..max.
    return KernelAxis::LogIntegerCells(d->min, d->max);
  }
  return KernelAxis::EvenCells(count);
}

}  // namespace

ParameterAxis::ParameterAxis(const ParameterSpec& spec)
    : spec_(spec), kernel_axis_(KernelAxisFor(spec.domain)) {
  if (IsContinuous(spec_.domain)) {
    const auto& d = std::get<FloatDomain>(spec_.domain);
    low_ = d.log_scale ? std::log(d.min) : d.min;
    high_ = d.log_scale ? std::log(d.max) : d.max;
  }
}

std::optional<double> ParameterAxis::Encode(const ParamValue& value) const {
  if (!IsContinuous(spec_.domain)) {
    const std::optional<int64_t> index = DomainIndex(spec_.domain, value);
    if (!index) return std::nullopt;
    return static_cast<double>(*index);
  }
  if (!DomainContains(spec_.domain, value)) return std::nullopt;
  const auto& d = std::get<FloatDomain>(spec_.domain);
  const double x = ParamValueAsDouble(value);
  const double t = d.log_scale ? std::log(x) : x;
  return std::clamp((t - low_) / (high_ - low_), 0.0, 1.0);
}

ParamValue ParameterAxis::Decode(double coordinate) const {
  if (!IsContinuous(spec_.domain)) {
    return DomainPoint(spec_.domain, static_cast<int64_t>(coordinate));
  }
  const auto& d = std::get<FloatDomain>(spec_.domain);
  const double t = low_ + coordinate * (high_ - low_);
  // exp(log(x)) and the affine map may land an ulp outside the bounds.
  return std::clamp(d.log_scale ? std::exp(t) : t, d.min, d.max);
}

std::vector<std::vector<int>> ParameterGroups(
    const std::vector<const ParameterSpec*>& parameters, bool multivariate,
    bool group) {
  std::vector<std::vector<int>> groups;
  // The condition each group's members share, or null for a group that
  // takes no further members.
  std::vector<const std::optional<Condition>*> shared;
  for (int i = 0; i < static_cast<int>(parameters.size()); ++i) {
    const std::optional<Condition>& condition = parameters[i]->condition;
    const bool joins = multivariate && (group || !condition);
    if (joins) {
      auto same = std::find_if(shared.begin(), shared.end(),
                               [&](const std::optional<Condition>* c) {
                                 return c != nullptr && *c == condition;
                               });
      if (same != shared.end()) {
        groups[same - shared.begin()].push_back(i);
        continue;
      }
    }
    groups.push_back({i});
    shared.push_back(joins ? &condition : nullptr);
  }
  return groups;
}

}  // namespace knob

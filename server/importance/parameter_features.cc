#include "server/importance/parameter_features.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <variant>

#include "absl/strings/str_cat.h"
#include "server/model/search_space.h"

namespace knob::importance {
namespace {

// The largest value of a stepped float domain.
double LastPoint(const Domain& domain) {
  return ParamValueAsDouble(
      DomainPoint(domain, *DomainCardinality(domain) - 1));
}

bool HasOneValue(const Domain& domain) {
  const std::optional<int64_t> cardinality = DomainCardinality(domain);
  return cardinality && *cardinality <= 1;
}

}  // namespace

std::optional<FeatureSpace> ParameterFeature(const Domain& domain) {
  if (HasOneValue(domain)) return std::nullopt;
  FeatureSpace feature;
  if (const auto* d = std::get_if<FloatDomain>(&domain)) {
    if (!(d->min < d->max)) return std::nullopt;
    if (d->log_scale) {
      feature.low = std::log(d->min);
      feature.high = std::log(d->max);
    } else if (d->step) {
      feature.low = d->min - *d->step / 2;
      feature.high = LastPoint(domain) + *d->step / 2;
    } else {
      feature.low = d->min;
      feature.high = d->max;
    }
    return feature;
  }
  if (const auto* d = std::get_if<IntDomain>(&domain)) {
    if (d->log_scale) {
      feature.low = std::log(static_cast<double>(d->min) - 0.5);
      feature.high = std::log(static_cast<double>(d->max) + 0.5);
    } else {
      // In doubles: a range as wide as int64_t's has no exact last index.
      const double step = static_cast<double>(d->step);
      const double min = static_cast<double>(d->min);
      const double last =
          min + std::floor((static_cast<double>(d->max) - min) / step) * step;
      feature.low = min - step / 2;
      feature.high = last + step / 2;
    }
    return feature;
  }
  if (const auto* d = std::get_if<CategoricalDomain>(&domain)) {
    feature.category_count = static_cast<int>(d->choices.size());
    return feature;
  }
  return std::nullopt;
}

absl::StatusOr<double> FeatureValue(const Domain& domain,
                                    const FeatureSpace& feature,
                                    const ParamValue& value) {
  if (feature.categorical()) {
    const std::optional<int64_t> index = DomainIndex(domain, value);
    if (!index) {
      return absl::InternalError(absl::StrCat(QuotedValue(value),
                                              " is not a choice of ",
                                              DomainDescription(domain)));
    }
    return static_cast<double>(*index);
  }
  double number = ParamValueAsDouble(value);
  const auto* float_domain = std::get_if<FloatDomain>(&domain);
  const auto* int_domain = std::get_if<IntDomain>(&domain);
  const bool log_scale = (float_domain && float_domain->log_scale) ||
                         (int_domain && int_domain->log_scale);
  if (log_scale) number = number > 0 ? std::log(number) : feature.low;
  if (!std::isfinite(number)) {
    return absl::InternalError(absl::StrCat(
        QuotedValue(value), " is not a number of ", DomainDescription(domain)));
  }
  return std::clamp(number, feature.low, feature.high);
}

}  // namespace knob::importance

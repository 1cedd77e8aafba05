#include "server/samplers/unit_cube.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "server/model/search_space.h"

namespace knob {
namespace {

// The interval a numeric coordinate spans before normalisation: in the
// value's own units, or in its log for log-scale domains.
struct Span1d {
  double low = 0;
  double high = 1;
  bool log_scale = false;
};

double Transform(const Span1d& span, double value) {
  return span.log_scale ? std::log(value) : value;
}

double Untransform(const Span1d& span, double x) {
  return span.log_scale ? std::exp(x) : x;
}

Span1d FloatSpan(const FloatDomain& d) {
  if (!d.step) {
    return d.log_scale ? Span1d{std::log(d.min), std::log(d.max), true}
                       : Span1d{d.min, d.max, false};
  }
  const int64_t last = *DomainCardinality(d) - 1;
  const double half = *d.step / 2;
  return {d.min - half, d.min + static_cast<double>(last) * *d.step + half,
          false};
}

Span1d IntSpan(const IntDomain& d) {
  const double half = static_cast<double>(d.step) / 2;
  const double min = static_cast<double>(d.min);
  const double last = min + static_cast<double>(*DomainCardinality(d) - 1) *
                                static_cast<double>(d.step);
  if (d.log_scale) {
    // Validation guarantees min >= 1 and step 1, so min - 0.5 > 0.
    return {std::log(min - half), std::log(last + half), true};
  }
  return {min - half, last + half, false};
}

double Normalize(const Span1d& span, double value) {
  return (Transform(span, value) - span.low) / (span.high - span.low);
}

double Denormalize(const Span1d& span, double u) {
  return Untransform(span, span.low + u * (span.high - span.low));
}

// The nearest grid index to `value` on a grid starting at `min` with
// spacing `step` and `count` points.
int64_t NearestIndex(double value, double min, double step, int64_t count) {
  const double index = std::round((value - min) / step);
  if (!(index > 0)) return 0;
  if (index >= static_cast<double>(count - 1)) return count - 1;
  return static_cast<int64_t>(index);
}

}  // namespace

UnitCube::UnitCube(const StudyConfig& config) {
  const std::vector<const ParameterSpec*> order = SamplingOrder(config);
  order_.reserve(order.size());
  for (const ParameterSpec* spec : order) order_.push_back(*spec);
  for (const ParameterSpec& spec : order_) {
    if (!std::holds_alternative<FixedDomain>(spec.domain)) {
      coordinates_.push_back(&spec);
    }
  }
}

std::optional<int> UnitCube::CoordinateOf(const std::string& name) const {
  for (int i = 0; i < dimensions(); ++i) {
    if (coordinates_[i]->name == name) return i;
  }
  return std::nullopt;
}

bool UnitCube::IsCategorical(int i) const {
  return std::holds_alternative<CategoricalDomain>(coordinates_[i]->domain);
}

std::optional<int64_t> UnitCube::Cardinality(int i) const {
  return DomainCardinality(coordinates_[i]->domain);
}

ParamValue UnitCube::DecodeCoordinate(int i, double u) const {
  u = std::isnan(u) ? 0.5 : std::clamp(u, 0.0, 1.0);
  const Domain& domain = coordinates_[i]->domain;
  if (const auto* d = std::get_if<FloatDomain>(&domain)) {
    if (!d->step) {
      // exp(log(x)) misses x by an ulp; the ends of the range are exact.
      if (u == 0) return d->min;
      if (u == 1) return d->max;
      return std::clamp(Denormalize(FloatSpan(*d), u), d->min, d->max);
    }
    const double value = Denormalize(FloatSpan(*d), u);
    return DomainPoint(domain, NearestIndex(value, d->min, *d->step,
                                            *DomainCardinality(domain)));
  }
  if (const auto* d = std::get_if<IntDomain>(&domain)) {
    const double value = Denormalize(IntSpan(*d), u);
    return DomainPoint(domain, NearestIndex(value, static_cast<double>(d->min),
                                            static_cast<double>(d->step),
                                            *DomainCardinality(domain)));
  }
  const int64_t count = *DomainCardinality(domain);
  const int64_t index = std::min<int64_t>(
      count - 1, static_cast<int64_t>(u * static_cast<double>(count)));
  return DomainPoint(domain, index);
}

std::optional<double> UnitCube::EncodeCoordinate(
    int i, const ParamValue& value) const {
  const Domain& domain = coordinates_[i]->domain;
  if (!DomainContains(domain, value)) return std::nullopt;
  if (const auto* d = std::get_if<FloatDomain>(&domain)) {
    if (!d->step) {
      return std::clamp(Normalize(FloatSpan(*d), ParamValueAsDouble(value)),
                        0.0, 1.0);
    }
    const int64_t index = *DomainIndex(domain, value);
    return Normalize(FloatSpan(*d),
                     d->min + static_cast<double>(index) * *d->step);
  }
  if (const auto* d = std::get_if<IntDomain>(&domain)) {
    return Normalize(IntSpan(*d), ParamValueAsDouble(value));
  }
  const int64_t count = *DomainCardinality(domain);
  return (static_cast<double>(*DomainIndex(domain, value)) + 0.5) /
         static_cast<double>(count);
}

ParamAssignment UnitCube::Decode(absl::Span<const double> point) const {
  ParamAssignment params;
  int coordinate = 0;
  for (const ParameterSpec& spec : order_) {
    const bool fixed = std::holds_alternative<FixedDomain>(spec.domain);
    const int i = fixed ? -1 : coordinate++;
    if (!IsActive(spec, params)) continue;
    params.emplace(spec.name, fixed ? std::get<FixedDomain>(spec.domain).value
                                    : DecodeCoordinate(i, point[i]));
  }
  return params;
}

std::vector<std::optional<double>> UnitCube::Encode(
    const ParamAssignment& params) const {
  std::vector<std::optional<double>> point(coordinates_.size());
  for (int i = 0; i < dimensions(); ++i) {
    auto value = params.find(coordinates_[i]->name);
    if (value != params.end()) point[i] = EncodeCoordinate(i, value->second);
  }
  return point;
}

}  // namespace knob

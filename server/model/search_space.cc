#include "server/model/search_space.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <queue>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace knob {
namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
// Float grids larger than this are treated as having this many points; no
// sampler enumerates them and the index still fits comfortably in int64.
constexpr double kMaxFloatGridIndex = 4.0e18;
// Categorical descriptions list at most this many choices.
constexpr size_t kMaxDescribedChoices = 10;

double Magnitude(const FloatDomain& domain) {
  return std::max(std::abs(domain.min), std::abs(domain.max));
}

// How far a stepped float may sit from its grid point and still count as
// on it: min + k * step carries rounding error of a few ulps of the bounds,
// and users type decimals (0.3) for points computed as 0.1 * 3.
double GridTolerance(const FloatDomain& domain) {
  return std::max(1e-9 * *domain.step, 16 * kEpsilon * Magnitude(domain));
}

// How far a grid point may move when rounded to a short decimal: small
// enough that only rounding noise disappears.
double CanonicalTolerance(const FloatDomain& domain) {
  return std::min(8 * kEpsilon * Magnitude(domain), *domain.step / 4);
}

int64_t FloatLastIndex(const FloatDomain& domain) {
  const double step = *domain.step;
  const double last = std::floor((domain.max - domain.min) / step +
                                 GridTolerance(domain) / step);
  if (!(last < kMaxFloatGridIndex)) {
    return static_cast<int64_t>(kMaxFloatGridIndex);
  }
  return std::max<int64_t>(0, static_cast<int64_t>(last));
}

double FloatRawPoint(const FloatDomain& domain, int64_t index) {
  const double point = domain.min + static_cast<double>(index) * *domain.step;
  return std::min(point, domain.max);
}

// The shortest decimal that denotes the same grid point, so that stored
// labels read 0.3 rather than 0.30000000000000004.
double CanonicalFloat(const FloatDomain& domain, double raw) {
  if (raw == domain.min || raw == domain.max) return raw;
  const double tolerance = CanonicalTolerance(domain);
  for (int precision = 1; precision < 17; ++precision) {
    const std::string text = absl::StrFormat("%.*g", precision, raw);
    const double candidate = std::strtod(text.c_str(), nullptr);
    if (std::abs(candidate - raw) <= tolerance && candidate >= domain.min &&
        candidate <= domain.max) {
      return candidate;
    }
  }
  return raw;
}

std::optional<double> NumericValue(const ParamValue& value) {
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<int64_t>(&value)) {
    return static_cast<double>(*i);
  }
  return std::nullopt;
}

std::optional<int64_t> FloatIndex(const FloatDomain& domain,
                                  const ParamValue& value) {
  const std::optional<double> x = NumericValue(value);
  if (!x || !std::isfinite(*x) || *x < domain.min || *x > domain.max) {
    return std::nullopt;
  }
  const int64_t last = FloatLastIndex(domain);
  const double rounded = std::round((*x - domain.min) / *domain.step);
  const int64_t index =
      rounded >= static_cast<double>(last)
          ? last
          : std::max<int64_t>(0, static_cast<int64_t>(rounded));
  if (std::abs(*x - FloatRawPoint(domain, index)) > GridTolerance(domain)) {
    return std::nullopt;
  }
  return index;
}

// Unsigned arithmetic: max - min overflows int64 for the widest domains.
uint64_t IntLastIndex(const IntDomain& domain) {
  const uint64_t step =
      static_cast<uint64_t>(std::max<int64_t>(1, domain.step));
  return (static_cast<uint64_t>(domain.max) -
          static_cast<uint64_t>(domain.min)) /
         step;
}

// The index of `value` on the domain's grid, which may exceed INT64_MAX
// for the widest domains.
std::optional<uint64_t> IntGridIndex(const IntDomain& domain,
                                     const ParamValue& value) {
  const auto* x = std::get_if<int64_t>(&value);
  if (x == nullptr || *x < domain.min || *x > domain.max) return std::nullopt;
  const uint64_t step =
      static_cast<uint64_t>(std::max<int64_t>(1, domain.step));
  const uint64_t offset =
      static_cast<uint64_t>(*x) - static_cast<uint64_t>(domain.min);
  if (offset % step != 0) return std::nullopt;
  return offset / step;
}

std::optional<int64_t> IntIndex(const IntDomain& domain,
                                const ParamValue& value) {
  const std::optional<uint64_t> index = IntGridIndex(domain, value);
  if (!index ||
      *index > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  return static_cast<int64_t>(*index);
}

std::optional<int64_t> ChoiceIndex(const std::vector<ParamValue>& choices,
                                   const ParamValue& value) {
  for (size_t i = 0; i < choices.size(); ++i) {
    if (SameValue(choices[i], value)) return static_cast<int64_t>(i);
  }
  return std::nullopt;
}

std::string ParameterField(absl::string_view name) {
  return absl::StrCat("parameters[\"", name, "\"]");
}

// Why a conditional parameter is inactive, e.g. `"optimizer" is "adam";
// active when it is one of "sgd", "momentum"`.
std::string InactiveReason(const Condition& condition,
                           const ParamAssignment& assigned) {
  auto parent = assigned.find(condition.parent);
  std::vector<std::string> values;
  for (const ParamValue& value : condition.values) {
    values.push_back(QuotedValue(value));
  }
  return absl::StrCat(
      "\"", condition.parent, "\" is ",
      parent == assigned.end() ? "inactive" : QuotedValue(parent->second),
      "; active when it is one of ", absl::StrJoin(values, ", "));
}

absl::StatusOr<ParamValue> NormalizeValue(const ParameterSpec& spec,
                                          const ParamValue& value) {
  if (!DomainContains(spec.domain, value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        ParameterField(spec.name), ": ", ParamValueKindName(value), " ",
        QuotedValue(value), " is not in ", DomainDescription(spec.domain)));
  }
  if (const auto* d = std::get_if<FloatDomain>(&spec.domain)) {
    if (d->step) return DomainPoint(spec.domain, *DomainIndex(*d, value));
    return ParamValueAsDouble(value);
  }
  if (std::holds_alternative<IntDomain>(spec.domain)) return value;
  return DomainPoint(spec.domain, *DomainIndex(spec.domain, value));
}

}  // namespace

std::vector<const ParameterSpec*> SamplingOrder(const StudyConfig& config) {
  const std::vector<ParameterSpec>& parameters = config.parameters;
  absl::flat_hash_map<absl::string_view, size_t> index_of;
  for (size_t i = 0; i < parameters.size(); ++i) {
    index_of.emplace(parameters[i].name, i);
  }
  // Kahn's algorithm, always taking the earliest-declared ready parameter,
  // gives the declaration-order-preserving topological order.
  std::vector<std::vector<size_t>> children(parameters.size());
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < parameters.size(); ++i) {
    const auto& condition = parameters[i].condition;
    auto parent = condition ? index_of.find(condition->parent) : index_of.end();
    if (parent == index_of.end() || parent->second == i) {
      ready.push(i);
    } else {
      children[parent->second].push_back(i);
    }
  }
  std::vector<const ParameterSpec*> order;
  std::vector<bool> emitted(parameters.size(), false);
  while (!ready.empty()) {
    const size_t i = ready.top();
    ready.pop();
    order.push_back(&parameters[i]);
    emitted[i] = true;
    for (size_t child : children[i]) ready.push(child);
  }
  // Only a cycle leaves parameters behind; keep them rather than lose them.
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (!emitted[i]) order.push_back(&parameters[i]);
  }
  return order;
}

bool IsActive(const ParameterSpec& spec, const ParamAssignment& assigned) {
  if (!spec.condition) return true;
  auto parent = assigned.find(spec.condition->parent);
  if (parent == assigned.end()) return false;
  return std::any_of(spec.condition->values.begin(),
                     spec.condition->values.end(),
                     [&](const ParamValue& value) {
                       return SameValue(value, parent->second);
                     });
}

bool SameValue(const ParamValue& a, const ParamValue& b) {
  if (a.index() == b.index()) return a == b;
  const auto* i = std::get_if<int64_t>(&a);
  const auto* d = std::get_if<double>(&b);
  if (i == nullptr) {
    i = std::get_if<int64_t>(&b);
    d = std::get_if<double>(&a);
  }
  if (i == nullptr || d == nullptr) return false;
  // Compare exactly: converting a large int to double would round it.
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (!(*d >= -kTwoTo63 && *d < kTwoTo63) || std::trunc(*d) != *d) {
    return false;
  }
  return static_cast<int64_t>(*d) == *i;
}

bool DomainContains(const Domain& domain, const ParamValue& value) {
  if (const auto* d = std::get_if<FloatDomain>(&domain)) {
    if (d->step) return FloatIndex(*d, value).has_value();
    const std::optional<double> x = NumericValue(value);
    return x && std::isfinite(*x) && *x >= d->min && *x <= d->max;
  }
  if (const auto* d = std::get_if<IntDomain>(&domain)) {
    return IntGridIndex(*d, value).has_value();
  }
  return DomainIndex(domain, value).has_value();
}

std::optional<int64_t> DomainCardinality(const Domain& domain) {
  if (const auto* d = std::get_if<FloatDomain>(&domain)) {
    if (!d->step) return std::nullopt;
    return FloatLastIndex(*d) + 1;
  }
  if (const auto* d = std::get_if<IntDomain>(&domain)) {
    const uint64_t last = IntLastIndex(*d);
    constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
    return last >= kMax ? static_cast<int64_t>(kMax)
                        : static_cast<int64_t>(last + 1);
  }
  if (const auto* d = std::get_if<CategoricalDomain>(&domain)) {
    return static_cast<int64_t>(d->choices.size());
  }
  return 1;
}

ParamValue DomainPoint(const Domain& domain, int64_t index) {
  if (const auto* d = std::get_if<FloatDomain>(&domain)) {
    return CanonicalFloat(*d, FloatRawPoint(*d, index));
  }
  if (const auto* d = std::get_if<IntDomain>(&domain)) {
    return static_cast<int64_t>(static_cast<uint64_t>(d->min) +
                                static_cast<uint64_t>(index) *
                                    static_cast<uint64_t>(d->step));
  }
  if (const auto* d = std::get_if<CategoricalDomain>(&domain)) {
    return d->choices[index];
  }
  return std::get<FixedDomain>(domain).value;
}

std::optional<int64_t> DomainIndex(const Domain& domain,
                                   const ParamValue& value) {
  if (const auto* d = std::get_if<FloatDomain>(&domain)) {
    if (!d->step) return std::nullopt;
    return FloatIndex(*d, value);
  }
  if (const auto* d = std::get_if<IntDomain>(&domain)) {
    return IntIndex(*d, value);
  }
  if (const auto* d = std::get_if<CategoricalDomain>(&domain)) {
    return ChoiceIndex(d->choices, value);
  }
  if (SameValue(std::get<FixedDomain>(domain).value, value)) return 0;
  return std::nullopt;
}

std::string DomainDescription(const Domain& domain) {
  if (const auto* d = std::get_if<FloatDomain>(&domain)) {
    return absl::StrCat(
        "float [", ParamValueLabel(d->min), ", ", ParamValueLabel(d->max), "]",
        d->log_scale ? " log" : "",
        d->step ? absl::StrCat(" step ", ParamValueLabel(*d->step)) : "");
  }
  if (const auto* d = std::get_if<IntDomain>(&domain)) {
    return absl::StrCat("int [", d->min, ", ", d->max, "]",
                        d->log_scale ? " log" : "",
                        d->step != 1 ? absl::StrCat(" step ", d->step) : "");
  }
  if (const auto* d = std::get_if<CategoricalDomain>(&domain)) {
    std::vector<std::string> shown;
    for (size_t i = 0; i < d->choices.size() && i < kMaxDescribedChoices; ++i) {
      shown.push_back(QuotedValue(d->choices[i]));
    }
    if (d->choices.size() > kMaxDescribedChoices) {
      shown.push_back(absl::StrCat("... (", d->choices.size(), " choices)"));
    }
    return absl::StrCat("categorical {", absl::StrJoin(shown, ", "), "}");
  }
  return absl::StrCat("fixed ",
                      QuotedValue(std::get<FixedDomain>(domain).value));
}

std::string QuotedValue(const ParamValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    return absl::StrCat("\"", *s, "\"");
  }
  return ParamValueLabel(value);
}

absl::StatusOr<ParamAssignment> NormalizeAssignment(
    const StudyConfig& config, const ParamAssignment& given) {
  absl::flat_hash_set<absl::string_view> known;
  for (const ParameterSpec& spec : config.parameters) known.insert(spec.name);
  for (const auto& [name, value] : given) {
    if (!known.contains(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(ParameterField(name), ": not in the search space"));
    }
  }
  ParamAssignment normalized;
  for (const ParameterSpec* spec : SamplingOrder(config)) {
    auto value = given.find(spec->name);
    if (!IsActive(*spec, normalized)) {
      if (value != given.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            ParameterField(spec->name), ": given as ",
            QuotedValue(value->second), ", but the parameter is inactive (",
            InactiveReason(*spec->condition, normalized), ")"));
      }
      continue;
    }
    if (value == given.end()) {
      if (const auto* fixed = std::get_if<FixedDomain>(&spec->domain)) {
        normalized.emplace(spec->name, fixed->value);
        continue;
      }
      return absl::InvalidArgumentError(
          absl::StrCat(ParameterField(spec->name), ": required"));
    }
    absl::StatusOr<ParamValue> normal = NormalizeValue(*spec, value->second);
    if (!normal.ok()) return normal.status();
    normalized.emplace(spec->name, *std::move(normal));
  }
  return normalized;
}

}  // namespace knob

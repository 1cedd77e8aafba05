#include "server/model/study_config_validation.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "server/model/constraints.h"
#include "server/model/search_space.h"
#include "server/model/value.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

constexpr size_t kMaxNameLength = 128;
// Far beyond any real search space; guards the server against runaway
// generated configs.
constexpr size_t kMaxParameters = 1000;
// A point lost this many times is the trial's fault, not its workers'.
constexpr int32_t kMaxStaleRetries = 100;

template <typename... Args>
absl::Status Invalid(const Args&... args) {
  return absl::InvalidArgumentError(absl::StrCat(args...));
}

// Empty when `name` is acceptable, otherwise what is wrong with it.
std::string NameProblem(absl::string_view name, absl::string_view extra_chars) {
  if (name.empty()) return "must not be empty";
  if (name.size() > kMaxNameLength) {
    return absl::StrCat("is ", name.size(), " characters long, more than ",
                        kMaxNameLength);
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                    c == '-' || extra_chars.find(c) != absl::string_view::npos;
    if (!ok) {
      return absl::StrCat("contains '", absl::CHexEscape(std::string(1, c)),
                          "' at position ", i,
                          "; allowed: letters, digits, '_', '.', '-'",
                          extra_chars.empty() ? "" : ", '/'");
    }
  }
  return "";
}

// Parameter and metric names may also use '/' to group related names.
absl::Status CheckName(absl::string_view field, absl::string_view name) {
  const std::string problem = NameProblem(name, "/");
  if (problem.empty()) return absl::OkStatus();
  if (name.empty()) return Invalid(field, ": ", problem);
  return Invalid(field, " \"", absl::CHexEscape(name), "\": ", problem);
}

absl::Status CheckFloatDomain(const std::string& field, const FloatDomain& d) {
  const std::string bounds = absl::StrCat("min=", ParamValueLabel(d.min),
                                          ", max=", ParamValueLabel(d.max));
  if (!std::isfinite(d.min) || !std::isfinite(d.max)) {
    return Invalid(field, ": float_domain bounds must be finite, got ", bounds);
  }
  if (d.min >= d.max) {
    return Invalid(field, ": float_domain requires min < max, got ", bounds,
                   " (use fixed_value for a single value)");
  }
  if (!std::isfinite(d.max - d.min)) {
    return Invalid(field, ": float_domain range max - min overflows, got ",
                   bounds);
  }
  if (d.log_scale && d.min <= 0) {
    return Invalid(field, ": float_domain.log_scale requires min > 0, got min=",
                   ParamValueLabel(d.min));
  }
  if (!d.step) return absl::OkStatus();
  const std::string step = ParamValueLabel(*d.step);
  if (d.log_scale) {
    return Invalid(
        field, ": float_domain.log_scale cannot have a step, got step=", step);
  }
  if (!std::isfinite(*d.step) || *d.step <= 0) {
    return Invalid(field, ": float_domain.step must be > 0, got step=", step);
  }
  if (*d.step > d.max - d.min) {
    return Invalid(field, ": float_domain.step must be at most max - min = ",
                   ParamValueLabel(d.max - d.min), ", got step=", step);
  }
  // A grid point is recognised within a few ulps of the bounds (0.1 * 3 is
  // 0.3) and numbered by a double division. Points much closer than that
  // tolerance could not be told apart, nor their numbers counted exactly:
  // such a grid would hand back other values than the ones it was given.
  constexpr double kMinRelativeStep = 1e-12;
  const double magnitude = std::max(std::abs(d.min), std::abs(d.max));
  if (*d.step < kMinRelativeStep * magnitude) {
    return Invalid(field, ": float_domain.step must be at least ",
                   ParamValueLabel(kMinRelativeStep),
                   " times the largest bound's magnitude ",
                   ParamValueLabel(magnitude), ", got step=", step,
                   " (leave step unset for a continuous domain)");
  }
  return absl::OkStatus();
}

absl::Status CheckIntDomain(const std::string& field, const IntDomain& d) {
  if (d.min >= d.max) {
    return Invalid(field, ": int_domain requires min < max, got min=", d.min,
                   ", max=", d.max, " (use fixed_value for a single value)");
  }
  if (d.step < 1) {
    return Invalid(field, ": int_domain.step must be >= 1, got step=", d.step);
  }
  const uint64_t range =
      static_cast<uint64_t>(d.max) - static_cast<uint64_t>(d.min);
  if (static_cast<uint64_t>(d.step) > range) {
    return Invalid(field,
                   ": int_domain.step must be at most max - min = ", range,
                   ", got step=", d.step);
  }
  if (d.log_scale && d.min < 1) {
    return Invalid(field,
                   ": int_domain.log_scale requires min >= 1, got min=", d.min);
  }
  if (d.log_scale && d.step != 1) {
    return Invalid(field,
                   ": int_domain.log_scale requires step 1, got step=", d.step);
  }
  return absl::OkStatus();
}

bool IsNan(const ParamValue& value) {
  const auto* d = std::get_if<double>(&value);
  return d != nullptr && std::isnan(*d);
}

absl::Status CheckCategoricalDomain(const std::string& field,
                                    const CategoricalDomain& d) {
  if (d.choices.empty()) {
    return Invalid(field, ": categorical_domain.choices must not be empty");
  }
  absl::flat_hash_map<std::string, size_t> first_with_label;
  for (size_t i = 0; i < d.choices.size(); ++i) {
    const std::string choice =
        absl::StrCat(field, ": categorical_domain.choices[", i, "]");
    if (IsNan(d.choices[i])) return Invalid(choice, " is NaN");
    // Labels are what PostgreSQL stores, so they must tell choices apart.
    auto [it, inserted] =
        first_with_label.emplace(ParamValueLabel(d.choices[i]), i);
    if (!inserted) {
      return Invalid(choice, " ", QuotedValue(d.choices[i]),
                     ": duplicate label of choices[", it->second, "]");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDomain(const std::string& field, const Domain& domain) {
  if (const auto* d = std::get_if<FloatDomain>(&domain)) {
    return CheckFloatDomain(field, *d);
  }
  if (const auto* d = std::get_if<IntDomain>(&domain)) {
    return CheckIntDomain(field, *d);
  }
  if (const auto* d = std::get_if<CategoricalDomain>(&domain)) {
    return CheckCategoricalDomain(field, *d);
  }
  if (IsNan(std::get<FixedDomain>(domain).value)) {
    return Invalid(field, ": fixed_value is NaN");
  }
  return absl::OkStatus();
}

std::string ParameterField(size_t index, const ParameterSpec& spec) {
  return absl::StrCat("parameters[", index, "] \"", spec.name, "\"");
}

absl::Status CheckCondition(
    const std::vector<ParameterSpec>& parameters, size_t index,
    const absl::flat_hash_map<absl::string_view, size_t>& index_of) {
  const ParameterSpec& spec = parameters[index];
  const Condition& condition = *spec.condition;
  const std::string field = ParameterField(index, spec);
  if (condition.parent.empty()) {
    return Invalid(field, ": condition.parent must not be empty");
  }
  const std::string parent_field =
      absl::StrCat(field, ": condition.parent \"", condition.parent, "\"");
  if (condition.parent == spec.name) {
    return Invalid(parent_field,
                   ": a parameter cannot be conditioned on itself");
  }
  auto parent_index = index_of.find(condition.parent);
  if (parent_index == index_of.end()) {
    return Invalid(parent_field, ": no such parameter");
  }
  const Domain& parent = parameters[parent_index->second].domain;
  if (!DomainCardinality(parent)) {
    return Invalid(parent_field, " is a continuous float (",
                   DomainDescription(parent),
                   "), whose values never match exactly; condition on a "
                   "categorical, int, fixed or stepped float parameter");
  }
  if (condition.values.empty()) {
    return Invalid(field, ": condition.values must not be empty");
  }
  for (size_t i = 0; i < condition.values.size(); ++i) {
    const ParamValue& value = condition.values[i];
    const std::string value_field =
        absl::StrCat(field, ": condition.values[", i, "] ", QuotedValue(value));
    if (!DomainContains(parent, value)) {
      return Invalid(value_field, " (", ParamValueKindName(value),
                     ") is not a value parent \"", condition.parent,
                     "\" can take (", DomainDescription(parent), ")");
    }
    // Activity is decided by exact comparison with the parent's value, and
    // samplers assign a stepped float its canonical grid point.
    const auto* stepped = std::get_if<FloatDomain>(&parent);
    if (stepped == nullptr) continue;
    const ParamValue canonical =
        DomainPoint(parent, *DomainIndex(*stepped, value));
    if (!SameValue(canonical, value)) {
      return Invalid(value_field, " must be written as ",
                     QuotedValue(canonical), " to match parent \"",
                     condition.parent, "\" (", DomainDescription(parent), ")");
    }
  }
  return absl::OkStatus();
}

// Conditions form a forest when every parameter has at most one parent and
// following parents never returns to where it started.
absl::Status CheckNoConditionCycles(
    const std::vector<ParameterSpec>& parameters,
    const absl::flat_hash_map<absl::string_view, size_t>& index_of) {
  enum class Mark { kUnvisited, kOnPath, kDone };
  std::vector<Mark> marks(parameters.size(), Mark::kUnvisited);
  for (size_t start = 0; start < parameters.size(); ++start) {
    std::vector<size_t> path;
    size_t current = start;
    while (marks[current] == Mark::kUnvisited) {
      marks[current] = Mark::kOnPath;
      path.push_back(current);
      const auto& condition = parameters[current].condition;
      if (!condition) break;
      current = index_of.at(condition->parent);
    }
    if (marks[current] == Mark::kOnPath && parameters[current].condition) {
      std::vector<absl::string_view> cycle;
      size_t i = 0;
      while (path[i] != current) ++i;
      for (; i < path.size(); ++i) cycle.push_back(parameters[path[i]].name);
      cycle.push_back(parameters[current].name);
      return Invalid(ParameterField(current, parameters[current]),
                     ": condition cycle (each conditioned on the next) ",
                     absl::StrJoin(cycle, " -> "));
    }
    for (size_t visited : path) marks[visited] = Mark::kDone;
  }
  return absl::OkStatus();
}

absl::Status CheckParameters(const std::vector<ParameterSpec>& parameters) {
  if (parameters.size() > kMaxParameters) {
    return Invalid("parameters: ", parameters.size(),
                   " parameters exceed the sanity limit of ", kMaxParameters);
  }
  absl::flat_hash_map<absl::string_view, size_t> index_of;
  for (size_t i = 0; i < parameters.size(); ++i) {
    const ParameterSpec& spec = parameters[i];
    RETURN_IF_ERROR(
        CheckName(absl::StrCat("parameters[", i, "].name"), spec.name));
    auto [it, inserted] = index_of.emplace(spec.name, i);
    if (!inserted) {
      return Invalid("parameters[", i, "].name \"", spec.name,
                     "\": duplicate of parameters[", it->second, "]");
    }
    RETURN_IF_ERROR(CheckDomain(ParameterField(i, spec), spec.domain));
  }
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (parameters[i].condition) {
      RETURN_IF_ERROR(CheckCondition(parameters, i, index_of));
    }
  }
  return CheckNoConditionCycles(parameters, index_of);
}

absl::Status CheckMetrics(const StudyConfig& config) {
  if (config.objectives.empty()) {
    return Invalid("objectives: at least one objective is required");
  }
  absl::flat_hash_map<absl::string_view, std::string> first_field;
  auto check = [&](std::string field, const std::string& metric) {
    RETURN_IF_ERROR(CheckName(field, metric));
    auto [it, inserted] = first_field.emplace(metric, field);
    if (!inserted) {
      return Invalid(field, " \"", metric, "\": duplicate of ", it->second);
    }
    return absl::OkStatus();
  };
  for (size_t i = 0; i < config.objectives.size(); ++i) {
    RETURN_IF_ERROR(check(absl::StrCat("objectives[", i, "].metric"),
                          config.objectives[i].metric));
  }
  for (size_t i = 0; i < config.extra_metrics.size(); ++i) {
    RETURN_IF_ERROR(
        check(absl::StrCat("extra_metrics[", i, "]"), config.extra_metrics[i]));
  }
  return absl::OkStatus();
}

const char* BoundField(OutcomeConstraint::Kind kind) {
  return kind == OutcomeConstraint::Kind::kMax ? "max" : "min";
}

absl::Status CheckConstraints(const StudyConfig& config) {
  // Where each metric's max and min constraints are.
  struct Bounds {
    std::optional<size_t> max;
    std::optional<size_t> min;
  };
  absl::flat_hash_map<absl::string_view, Bounds> bounds_of;
  for (size_t i = 0; i < config.constraints.size(); ++i) {
    const OutcomeConstraint& constraint = config.constraints[i];
    const std::string field = absl::StrCat("constraints[", i, "]");
    const std::string metric_field =
        absl::StrCat(field, ".metric \"", constraint.metric, "\"");
    if (constraint.metric.empty()) {
      return Invalid(field, ".metric: must not be empty");
    }
    if (!absl::c_linear_search(config.extra_metrics, constraint.metric)) {
      const bool is_objective =
          absl::c_any_of(config.objectives, [&](const Objective& objective) {
            return objective.metric == constraint.metric;
          });
      if (is_objective) {
        return Invalid(metric_field,
                       ": is an objective; constraints bound extra_metrics "
                       "(report the value under a second, extra metric name "
                       "to bound it)");
      }
      return Invalid(metric_field, ": not declared in extra_metrics [",
                     absl::StrJoin(config.extra_metrics, ", "), "]");
    }
    if (!std::isfinite(constraint.bound)) {
      return Invalid(field, ".", BoundField(constraint.kind),
                     ": must be a finite number, got ",
                     ParamValueLabel(constraint.bound));
    }
    const std::string described =
        absl::StrCat(field, " \"", DescribeConstraint(constraint), "\"");
    Bounds& bounds = bounds_of[constraint.metric];
    const bool is_max = constraint.kind == OutcomeConstraint::Kind::kMax;
    std::optional<size_t>& same = is_max ? bounds.max : bounds.min;
    if (same) {
      return Invalid(described, ": duplicate ", BoundField(constraint.kind),
                     " of metric \"", constraint.metric, "\" (constraints[",
                     *same, "]); a metric takes at most one max and one min");
    }
    same = i;
    if (const std::optional<size_t> other = is_max ? bounds.min : bounds.max) {
      const OutcomeConstraint& opposite = config.constraints[*other];
      const double max = is_max ? constraint.bound : opposite.bound;
      const double min = is_max ? opposite.bound : constraint.bound;
      if (min > max) {
        return Invalid(described, ": contradicts constraints[", *other, "] \"",
                       DescribeConstraint(opposite),
                       "\"; no value can meet both, so no trial could be "
                       "feasible");
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckBudgets(const StudyConfig& config) {
  const StoppingCriteria& stopping = config.stopping;
  if (stopping.max_trials && *stopping.max_trials < 0) {
    return Invalid("stopping.max_trials must be >= 0, got ",
                   *stopping.max_trials);
  }
  if (stopping.max_failed_trials && *stopping.max_failed_trials < 0) {
    return Invalid("stopping.max_failed_trials must be >= 0, got ",
                   *stopping.max_failed_trials);
  }
  if (stopping.max_wall_time) {
    const absl::Duration wall_time = *stopping.max_wall_time;
    if (wall_time < absl::ZeroDuration()) {
      return Invalid("stopping.max_wall_time must be >= 0, got ",
                     absl::FormatDuration(wall_time));
    }
    if (wall_time == absl::InfiniteDuration()) {
      return Invalid(
          "stopping.max_wall_time must be finite (leave it unset for no "
          "limit), got ",
          absl::FormatDuration(wall_time));
    }
  }
  if (stopping.target_value) {
    if (!std::isfinite(*stopping.target_value)) {
      return Invalid("stopping.target_value must be finite, got ",
                     *stopping.target_value);
    }
    if (config.objectives.size() != 1) {
      return Invalid(
          "stopping.target_value needs a study with one objective; this one "
          "has ",
          config.objectives.size());
    }
  }
  if (stopping.patience) {
    if (*stopping.patience < 0) {
      return Invalid("stopping.patience must be >= 0, got ",
                     *stopping.patience);
    }
    if (config.objectives.size() != 1) {
      return Invalid(
          "stopping.patience needs a study with one objective; this one has ",
          config.objectives.size());
    }
  }
  if (config.lease_duration <= absl::ZeroDuration() ||
      config.lease_duration == absl::InfiniteDuration()) {
    return Invalid("lease_duration must be > 0 and finite, got ",
                   absl::FormatDuration(config.lease_duration));
  }
  if (config.max_stale_retries < 0 ||
      config.max_stale_retries > kMaxStaleRetries) {
    return Invalid("max_stale_retries must be between 0 and ", kMaxStaleRetries,
                   ", got ", config.max_stale_retries);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateStudyConfig(const StudyConfig& config) {
  RETURN_IF_ERROR(CheckParameters(config.parameters));
  RETURN_IF_ERROR(CheckMetrics(config));
  RETURN_IF_ERROR(CheckConstraints(config));
  return CheckBudgets(config);
}

absl::Status ValidateStudyName(std::string_view name) {
  const absl::string_view view(name.data(), name.size());
  const std::string problem = NameProblem(view, "");
  if (problem.empty()) return absl::OkStatus();
  if (view.empty()) return Invalid("name: ", problem);
  return Invalid("name \"", absl::CHexEscape(view), "\": ", problem);
}

}  // namespace knob

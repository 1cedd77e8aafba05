#include "server/core/config_diff.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "server/model/constraints.h"

namespace knob {
namespace {

std::string Describe(const ParamValue& value) {
  return absl::StrCat(ParamValueKindName(value), " ", ParamValueLabel(value));
}

std::string Describe(const Domain& domain) {
  struct Visitor {
    std::string operator()(const FloatDomain& d) const {
      return absl::StrCat("float_domain{min=", d.min, " max=", d.max,
                          " log_scale=", d.log_scale,
                          " step=", d.step ? absl::StrCat(*d.step) : "none",
                          "}");
    }
    std::string operator()(const IntDomain& d) const {
      return absl::StrCat("int_domain{min=", d.min, " max=", d.max,
                          " log_scale=", d.log_scale, " step=", d.step, "}");
    }
    std::string operator()(const CategoricalDomain& d) const {
      return absl::StrCat(
          "categorical_domain{",
          absl::StrJoin(d.choices, ", ",
                        [](std::string* out, const ParamValue& v) {
                          out->append(Describe(v));
                        }),
          "}");
    }
    std::string operator()(const FixedDomain& d) const {
      return absl::StrCat("fixed_value{", Describe(d.value), "}");
    }
  };
  return std::visit(Visitor{}, domain);
}

std::string Describe(const std::optional<Condition>& condition) {
  if (!condition) return "none";
  return absl::StrCat("parent=", condition->parent, " values=[",
                      absl::StrJoin(condition->values, ", ",
                                    [](std::string* out, const ParamValue& v) {
                                      out->append(Describe(v));
                                    }),
                      "]");
}

std::string Describe(const AlgorithmSpec& spec) {
  return absl::StrCat(spec.name, "{",
                      absl::StrJoin(spec.options, ", ",
                                    [](std::string* out, const auto& option) {
                                      absl::StrAppend(out, option.first, "=",
                                                      Describe(option.second));
                                    }),
                      "}");
}

template <typename T>
std::string Describe(const std::optional<T>& value) {
  if (!value) return "unset";
  return absl::StrCat(*value);
}

std::string Describe(const std::optional<absl::Duration>& value) {
  if (!value) return "unset";
  return absl::FormatDuration(*value);
}

std::string Differs(const std::string& field, const std::string& existing,
                    const std::string& requested) {
  return absl::StrCat(field, " is ", existing, " in the existing study, ",
                      requested, " in the request");
}

std::optional<std::string> ParameterDifference(const StudyConfig& existing,
                                               const StudyConfig& requested) {
  if (existing.parameters.size() != requested.parameters.size()) {
    return Differs("config.parameters count",
                   absl::StrCat(existing.parameters.size()),
                   absl::StrCat(requested.parameters.size()));
  }
  for (size_t i = 0; i < existing.parameters.size(); ++i) {
    const ParameterSpec& a = existing.parameters[i];
    const ParameterSpec& b = requested.parameters[i];
    const std::string field = absl::StrCat("config.parameters[", i, "]");
    if (a.name != b.name) {
      return Differs(absl::StrCat(field, ".name"), a.name, b.name);
    }
    const std::string named = absl::StrCat(field, " \"", a.name, "\"");
    if (a.domain != b.domain) {
      return Differs(named, Describe(a.domain), Describe(b.domain));
    }
    if (a.condition != b.condition) {
      return Differs(absl::StrCat(named, ".condition"), Describe(a.condition),
                     Describe(b.condition));
    }
  }
  return std::nullopt;
}

std::optional<std::string> ObjectiveDifference(const StudyConfig& existing,
                                               const StudyConfig& requested) {
  auto describe = [](const std::vector<Objective>& objectives) {
    return absl::StrJoin(
        objectives, ", ", [](std::string* out, const Objective& objective) {
          absl::StrAppend(out, objective.metric, " ",
                          objective.direction == Direction::kMinimize
                              ? "minimize"
                              : "maximize");
        });
  };
  if (existing.objectives != requested.objectives) {
    return Differs("config.objectives",
                   absl::StrCat("[", describe(existing.objectives), "]"),
                   absl::StrCat("[", describe(requested.objectives), "]"));
  }
  if (existing.extra_metrics != requested.extra_metrics) {
    return Differs(
        "config.extra_metrics",
        absl::StrCat("[", absl::StrJoin(existing.extra_metrics, ", "), "]"),
        absl::StrCat("[", absl::StrJoin(requested.extra_metrics, ", "), "]"));
  }
  return std::nullopt;
}

std::optional<std::string> ConstraintDifference(const StudyConfig& existing,
                                                const StudyConfig& requested) {
  const std::vector<OutcomeConstraint>& a = existing.constraints;
  const std::vector<OutcomeConstraint>& b = requested.constraints;
  if (a == b) return std::nullopt;
  auto quoted = [](const OutcomeConstraint& constraint) {
    return absl::StrCat("\"", DescribeConstraint(constraint), "\"");
  };
  if (a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] != b[i]) {
        return Differs(absl::StrCat("config.constraints[", i, "]"),
                       quoted(a[i]), quoted(b[i]));
      }
    }
  }
  auto describe = [](const std::vector<OutcomeConstraint>& constraints) {
    return absl::StrCat(
        "[",
        absl::StrJoin(constraints, ", ",
                      [](std::string* out, const OutcomeConstraint& c) {
                        out->append(DescribeConstraint(c));
                      }),
        "]");
  };
  return Differs("config.constraints", describe(a), describe(b));
}

}  // namespace

std::optional<std::string> FirstConfigDifference(const StudyConfig& existing,
                                                 const StudyConfig& requested) {
  if (auto difference = ParameterDifference(existing, requested)) {
    return difference;
  }
  if (auto difference = ObjectiveDifference(existing, requested)) {
    return difference;
  }
  if (auto difference = ConstraintDifference(existing, requested)) {
    return difference;
  }
  if (existing.sampler != requested.sampler) {
    return Differs("config.sampler", Describe(existing.sampler),
                   Describe(requested.sampler));
  }
  if (existing.pruner != requested.pruner) {
    return Differs("config.pruner", Describe(existing.pruner),
                   Describe(requested.pruner));
  }
  if (existing.seed != requested.seed) {
    return Differs("config.seed", absl::StrCat(existing.seed),
                   absl::StrCat(requested.seed));
  }
  const StoppingCriteria& a = existing.stopping;
  const StoppingCriteria& b = requested.stopping;
  if (a.max_trials != b.max_trials) {
    return Differs("config.stopping.max_trials", Describe(a.max_trials),
                   Describe(b.max_trials));
  }
  if (a.max_failed_trials != b.max_failed_trials) {
    return Differs("config.stopping.max_failed_trials",
                   Describe(a.max_failed_trials),
                   Describe(b.max_failed_trials));
  }
  if (a.max_wall_time != b.max_wall_time) {
    return Differs("config.stopping.max_wall_time", Describe(a.max_wall_time),
                   Describe(b.max_wall_time));
  }
  if (a.target_value != b.target_value) {
    return Differs("config.stopping.target_value", Describe(a.target_value),
                   Describe(b.target_value));
  }
  if (a.patience != b.patience) {
    return Differs("config.stopping.patience", Describe(a.patience),
                   Describe(b.patience));
  }
  if (existing.lease_duration != requested.lease_duration) {
    return Differs("config.lease_duration",
                   absl::FormatDuration(existing.lease_duration),
                   absl::FormatDuration(requested.lease_duration));
  }
  if (existing.max_stale_retries != requested.max_stale_retries) {
    return Differs("config.max_stale_retries",
                   absl::StrCat(existing.max_stale_retries),
                   absl::StrCat(requested.max_stale_retries));
  }
  return std::nullopt;
}

}  // namespace knob

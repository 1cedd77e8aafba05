#include "client/knobctl/describe.h"

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "client/knobctl/format.h"
#include "client/values.h"

namespace knob::knobctl {
namespace {

std::string ValueList(
    const google::protobuf::RepeatedPtrField<v1::Value>& values) {
  std::vector<std::string> labels;
  for (const v1::Value& value : values) labels.push_back(ValueLabel(value));
  return absl::StrCat("{", absl::StrJoin(labels, ", "), "}");
}

std::string Algorithm(const v1::AlgorithmSpec& spec, const char* fallback) {
  std::string text = spec.name().empty() ? fallback : spec.name();
  if (spec.options().empty()) return text;
  // Sorted, since proto maps have no stable order.
  const std::map<std::string, v1::Value> options(spec.options().begin(),
                                                 spec.options().end());
  std::vector<std::string> parts;
  for (const auto& [name, value] : options) {
    parts.push_back(absl::StrCat(name, "=", ValueLabel(value)));
  }
  return absl::StrCat(text, " (", absl::StrJoin(parts, ", "), ")");
}

std::string Duration(const google::protobuf::Duration& duration) {
  return absl::FormatDuration(absl::Seconds(duration.seconds()) +
                              absl::Nanoseconds(duration.nanos()));
}

std::string Direction(v1::Direction direction) {
  switch (direction) {
    case v1::DIRECTION_MINIMIZE:
      return "minimize";
    case v1::DIRECTION_MAXIMIZE:
      return "maximize";
    default:
      return "unspecified direction";
  }
}

void Line(std::string* out, const char* key, const std::string& value) {
  absl::StrAppendFormat(out, "  %-14s %s\n", absl::StrCat(key, ":"), value);
}

}  // namespace

std::string DescribeParameter(const v1::ParameterSpec& spec) {
  std::string text;
  switch (spec.domain_case()) {
    case v1::ParameterSpec::kFloatDomain: {
      const v1::FloatDomain& d = spec.float_domain();
      text = absl::StrCat("float [", FormatDouble(d.min()), ", ",
                          FormatDouble(d.max()), "]");
      if (d.log_scale()) absl::StrAppend(&text, " log");
      if (d.step() > 0)
        absl::StrAppend(&text, " step ", FormatDouble(d.step()));
      break;
    }
    case v1::ParameterSpec::kIntDomain: {
      const v1::IntDomain& d = spec.int_domain();
      text = absl::StrCat("int [", d.min(), ", ", d.max(), "]");
      if (d.log_scale()) absl::StrAppend(&text, " log");
      if (d.step() > 1) absl::StrAppend(&text, " step ", d.step());
      break;
    }
    case v1::ParameterSpec::kCategoricalDomain:
      text = absl::StrCat("categorical ",
                          ValueList(spec.categorical_domain().choices()));
      break;
    case v1::ParameterSpec::kFixedValue:
      text = absl::StrCat("fixed ", ValueLabel(spec.fixed_value()));
      break;
    case v1::ParameterSpec::DOMAIN_NOT_SET:
      text = "no domain";
      break;
  }
  if (spec.has_condition()) {
    absl::StrAppend(&text, "  if ", spec.condition().parent(), " in ",
                    ValueList(spec.condition().values()));
  }
  return text;
}

std::string DescribeConstraint(const v1::OutcomeConstraint& constraint) {
  switch (constraint.bound_case()) {
    case v1::OutcomeConstraint::kMax:
      return absl::StrCat(constraint.metric(),
                          " <= ", FormatDouble(constraint.max()));
    case v1::OutcomeConstraint::kMin:
      return absl::StrCat(constraint.metric(),
                          " >= ", FormatDouble(constraint.min()));
    case v1::OutcomeConstraint::BOUND_NOT_SET:
      break;
  }
  return absl::StrCat(constraint.metric(), " (no bound)");
}

std::vector<std::string> UnmetConstraints(const v1::StudyConfig& config,
                                          const v1::Trial& trial) {
  std::vector<std::string> unmet;
  for (const v1::OutcomeConstraint& constraint : config.constraints()) {
    const auto it = trial.metrics().find(constraint.metric());
    if (it == trial.metrics().end()) {
      unmet.push_back(
          absl::StrCat(DescribeConstraint(constraint), " (not reported)"));
      continue;
    }
    const double value = it->second;
    const bool met = constraint.has_max()   ? value <= constraint.max()
                     : constraint.has_min() ? value >= constraint.min()
                                            : true;
    if (!met) {
      unmet.push_back(absl::StrCat(DescribeConstraint(constraint), " (got ",
                                   FormatDouble(value), ")"));
    }
  }
  return unmet;
}

std::string DescribeStudy(const v1::Study& study) {
  const v1::StudyConfig& config = study.config();
  std::string out =
      absl::StrFormat("Study %d \"%s\"\n", study.id(), study.name());
  std::string state = StudyStateName(study.state());
  if (!study.state_reason().empty()) {
    absl::StrAppend(&state, " (", study.state_reason(), ")");
  }
  Line(&out, "state", state);
  Line(&out, "created", FormatTimestamp(study.create_time()));
  Line(&out, "updated", FormatTimestamp(study.update_time()));
  const v1::TrialCounts& c = study.trial_counts();
  const int64_t total = c.waiting() + c.running() + c.completed() + c.pruned() +
                        c.failed() + c.stale();
  Line(&out, "trials",
       absl::StrFormat("%d (waiting %d, running %d, completed %d, pruned %d, "
                       "failed %d, stale %d%s)",
                       total, c.waiting(), c.running(), c.completed(),
                       c.pruned(), c.failed(), c.stale(),
                       c.retried() > 0
                           ? absl::StrCat(" of which retried ", c.retried())
                           : ""));
  std::vector<std::string> objectives;
  for (const v1::Objective& objective : config.objectives()) {
    objectives.push_back(absl::StrCat(objective.metric(), " (",
                                      Direction(objective.direction()), ")"));
  }
  Line(&out, "objectives", absl::StrJoin(objectives, ", "));
  if (!config.extra_metrics().empty()) {
    Line(&out, "extra metrics", absl::StrJoin(config.extra_metrics(), ", "));
  }
  if (!config.constraints().empty()) {
    std::vector<std::string> constraints;
    for (const v1::OutcomeConstraint& constraint : config.constraints()) {
      constraints.push_back(DescribeConstraint(constraint));
    }
    Line(&out, "constraints", absl::StrJoin(constraints, ", "));
  }
  Line(&out, "sampler", Algorithm(config.sampler(), "random"));
  Line(&out, "pruner", Algorithm(config.pruner(), "none"));
  Line(&out, "seed",
       config.has_seed() ? absl::StrCat(config.seed()) : "chosen by server");
  std::vector<std::string> stopping;
  if (config.stopping().max_trials() > 0) {
    stopping.push_back(
        absl::StrCat("max_trials=", config.stopping().max_trials()));
  }
  if (config.stopping().max_failed_trials() > 0) {
    stopping.push_back(absl::StrCat("max_failed_trials=",
                                    config.stopping().max_failed_trials()));
  }
  if (config.stopping().has_max_wall_time()) {
    stopping.push_back(absl::StrCat(
        "max_wall_time=", Duration(config.stopping().max_wall_time())));
  }
  if (config.stopping().has_target_value()) {
    stopping.push_back(
        absl::StrCat("target_value=", config.stopping().target_value()));
  }
  if (config.stopping().patience() > 0) {
    stopping.push_back(absl::StrCat("patience=", config.stopping().patience()));
  }
  Line(&out, "stopping",
       stopping.empty() ? "none" : absl::StrJoin(stopping, " "));
  Line(&out, "lease",
       config.has_lease_duration() ? Duration(config.lease_duration())
                                   : "server default");
  Line(&out, "lost trials",
       config.max_stale_retries() > 0
           ? absl::StrCat("retried up to ", config.max_stale_retries(),
                          " time(s) per point")
           : "not retried");
  absl::StrAppend(&out, "  parameters:\n");
  size_t name_width = 0;
  for (const v1::ParameterSpec& spec : config.parameters()) {
    name_width = std::max(name_width, spec.name().size());
  }
  for (const v1::ParameterSpec& spec : config.parameters()) {
    absl::StrAppendFormat(&out, "    %-*s  %s\n", static_cast<int>(name_width),
                          spec.name(), DescribeParameter(spec));
  }
  if (!study.metadata().empty()) {
    absl::StrAppend(&out, "  metadata:\n");
    const std::map<std::string, std::string> metadata(study.metadata().begin(),
                                                      study.metadata().end());
    for (const auto& [key, value] : metadata) {
      absl::StrAppend(&out, "    ", key, ": ", value, "\n");
    }
  }
  return out;
}

}  // namespace knob::knobctl

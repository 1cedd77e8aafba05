#include "server/dashboard/study_json.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "server/dashboard/objectives.h"

namespace knob::dashboard {
namespace {

using nlohmann::json;

// "TRIAL_STATE_COMPLETED" → "completed".
std::string EnumWord(const std::string& name, absl::string_view prefix) {
  return absl::AsciiStrToLower(absl::StripPrefix(name, prefix));
}

bool IsSet(const google::protobuf::Timestamp& time) {
  return time.seconds() != 0 || time.nanos() != 0;
}

json ConditionJson(const v1::Condition& condition) {
  json values = json::array();
  for (const v1::Value& value : condition.values()) {
    values.push_back(ValueJson(value));
  }
  return {{"parent", condition.parent()}, {"values", std::move(values)}};
}

json ParamJson(const v1::ParameterSpec& spec) {
  json param = {{"name", spec.name()}};
  switch (spec.domain_case()) {
    case v1::ParameterSpec::kFloatDomain: {
      const v1::FloatDomain& domain = spec.float_domain();
      param["type"] = "float";
      param["log"] = domain.log_scale();
      param["min"] = domain.min();
      param["max"] = domain.max();
      param["step"] = domain.step() > 0 ? json(domain.step()) : json(nullptr);
      break;
    }
    case v1::ParameterSpec::kIntDomain: {
      const v1::IntDomain& domain = spec.int_domain();
      param["type"] = "int";
      param["log"] = domain.log_scale();
      param["min"] = domain.min();
      param["max"] = domain.max();
      param["step"] = domain.step() > 0 ? domain.step() : int64_t{1};
      break;
    }
    case v1::ParameterSpec::kCategoricalDomain: {
      json choices = json::array();
      for (const v1::Value& choice : spec.categorical_domain().choices()) {
        choices.push_back(ValueJson(choice));
      }
      param["type"] = "categorical";
      param["choices"] = std::move(choices);
      break;
    }
    case v1::ParameterSpec::kFixedValue:
      param["type"] = "fixed";
      param["value"] = ValueJson(spec.fixed_value());
      break;
    case v1::ParameterSpec::DOMAIN_NOT_SET:
      param["type"] = "unknown";
      break;
  }
  if (spec.has_condition())
    param["condition"] = ConditionJson(spec.condition());
  return param;
}

}  // namespace

std::string StateName(v1::StudyState state) {
  return EnumWord(v1::StudyState_Name(state), "STUDY_STATE_");
}

std::string StateName(v1::TrialState state) {
  return EnumWord(v1::TrialState_Name(state), "TRIAL_STATE_");
}

std::string DirectionName(v1::Direction direction) {
  return EnumWord(v1::Direction_Name(direction), "DIRECTION_");
}

json TimeJson(const google::protobuf::Timestamp& time) {
  if (!IsSet(time)) return nullptr;
  return google::protobuf::util::TimeUtil::ToString(time);
}

json ValueJson(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kDoubleValue:
      return value.double_value();
    case v1::Value::kIntValue:
      return value.int_value();
    case v1::Value::kStringValue:
      return value.string_value();
    case v1::Value::kBoolValue:
      return value.bool_value();
    case v1::Value::KIND_NOT_SET:
      return nullptr;
  }
  return nullptr;
}

json CountsJson(const v1::TrialCounts& counts) {
  return {{"waiting", counts.waiting()},
          {"running", counts.running()},
          {"completed", counts.completed()},
          {"pruned", counts.pruned()},
          {"failed", counts.failed()},
          {"stale", counts.stale()},
          {"retried", counts.retried()},
          {"total", counts.waiting() + counts.running() + counts.completed() +
                        counts.pruned() + counts.failed() + counts.stale()}};
}

json BestValuesJson(const v1::Study& study, TrialSpan trials) {
  const v1::StudyConfig& config = study.config();
  if (study.trial_counts().completed() == 0) return nullptr;
  json best = json::array();
  if (config.objectives_size() != 1) {
    for (int i = 0; i < config.objectives_size(); ++i) best.push_back(nullptr);
    return best;
  }
  const std::optional<double> value = BestValue(config, trials);
  best.push_back(value.has_value() ? json(*value) : json(nullptr));
  return best;
}

json StudySummaryJson(const v1::Study& study, TrialSpan trials) {
  json directions = json::array();
  json objectives = json::array();
  for (const v1::Objective& objective : study.config().objectives()) {
    directions.push_back(DirectionName(objective.direction()));
    objectives.push_back(objective.metric());
  }
  return {{"id", study.id()},
          {"name", study.name()},
          {"state", StateName(study.state())},
          {"state_reason", study.state_reason()},
          {"sampler", study.config().sampler().name()},
          {"directions", std::move(directions)},
          {"objectives", std::move(objectives)},
          {"counts", CountsJson(study.trial_counts())},
          {"best_values", BestValuesJson(study, trials)},
          {"create_time", TimeJson(study.create_time())},
          {"update_time", TimeJson(study.update_time())},
          {"sequence", study.sequence()}};
}

json StudyDetailJson(const v1::Study& study, TrialSpan trials) {
  json detail = StudySummaryJson(study, trials);
  json metadata = json::object();
  for (const auto& [key, value] : study.metadata()) metadata[key] = value;
  detail["metadata"] = std::move(metadata);
  detail["params"] = ParamsJson(study.config());
  std::string config;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (google::protobuf::util::MessageToJsonString(study.config(), &config,
                                                  options)
          .ok()) {
    detail["config"] = json::parse(config);
  } else {
    detail["config"] = nullptr;
  }
  return detail;
}

json ParamsJson(const v1::StudyConfig& config) {
  json params = json::array();
  for (const v1::ParameterSpec& spec : config.parameters()) {
    params.push_back(ParamJson(spec));
  }
  return params;
}

json TrialRowJson(const v1::Trial& trial) {
  json params = json::object();
  for (const auto& [name, value] : trial.parameters()) {
    params[name] = ValueJson(value);
  }
  json metrics = json::object();
  for (const auto& [name, value] : trial.metrics()) metrics[name] = value;
  json values = nullptr;
  if (trial.state() == v1::TRIAL_STATE_COMPLETED) {
    values =
        json(std::vector<double>(trial.values().begin(), trial.values().end()));
  }
  json duration = nullptr;
  if (IsSet(trial.start_time()) && IsSet(trial.end_time())) {
    duration = google::protobuf::util::TimeUtil::DurationToNanoseconds(
                   trial.end_time() - trial.start_time()) /
               1e9;
  }
  return {{"number", trial.number()},
          {"state", StateName(trial.state())},
          {"values", std::move(values)},
          {"params", std::move(params)},
          {"metrics", std::move(metrics)},
          {"worker_id", trial.worker_id()},
          {"start_time", TimeJson(trial.start_time())},
          {"end_time", TimeJson(trial.end_time())},
          {"duration_s", std::move(duration)}};
}

json TrialDetailJson(const v1::Trial& trial) {
  json detail = TrialRowJson(trial);
  json environment = json::object();
  for (const auto& [key, value] : trial.environment()) {
    environment[key] = value;
  }
  json intermediate = json::array();
  for (const v1::IntermediateValue& value : trial.intermediate_values()) {
    intermediate.push_back({{"step", value.step()},
                            {"metric", value.metric()},
                            {"value", value.value()},
                            {"should_prune", value.should_prune()},
                            {"prune_reason", value.prune_reason()}});
  }
  detail["environment"] = std::move(environment);
  detail["fail_reason"] = trial.fail_reason();
  detail["create_time"] = TimeJson(trial.create_time());
  detail["lease_deadline"] = TimeJson(trial.lease_deadline());
  detail["retry_of"] =
      trial.has_retry_of() ? json(trial.retry_of()) : json(nullptr);
  detail["intermediate_values"] = std::move(intermediate);
  return detail;
}

json ImportanceJson(const v1::GetParamImportancesResponse& response) {
  json importances = json::array();
  for (const v1::ParamImportance& entry : response.importances()) {
    importances.push_back(
        {{"param", entry.parameter()}, {"importance", entry.importance()}});
  }
  return {{"importances", std::move(importances)}};
}

json ImportanceUnavailableJson(const std::string& reason) {
  return {{"importances", json::array()}, {"reason", reason}};
}

}  // namespace knob::dashboard

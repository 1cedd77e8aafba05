#include "server/storage/postgres/study_config_json.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

using Json = nlohmann::json;

constexpr int kFormat = 1;

absl::Status Malformed(absl::string_view path, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("study config JSON: ", path, ": ", problem));
}

std::string DoubleText(double value) { return ParamValueLabel(value); }

Json DurationToJson(absl::Duration duration) {
  int64_t seconds = absl::IDivDuration(duration, absl::Seconds(1), &duration);
  return {{"seconds", seconds}, {"nanos", absl::ToInt64Nanoseconds(duration)}};
}

Json DomainToJson(const Domain& domain) {
  struct Visitor {
    Json operator()(const FloatDomain& d) const {
      Json body = {{"min", DoubleText(d.min)},
                   {"max", DoubleText(d.max)},
                   {"log_scale", d.log_scale}};
      if (d.step.has_value()) body["step"] = DoubleText(*d.step);
      return {{"float", std::move(body)}};
    }
    Json operator()(const IntDomain& d) const {
      return {{"int",
               {{"min", d.min},
                {"max", d.max},
                {"log_scale", d.log_scale},
                {"step", d.step}}}};
    }
    Json operator()(const CategoricalDomain& d) const {
      Json choices = Json::array();
      for (const ParamValue& choice : d.choices) {
        choices.push_back(ParamValueToJson(choice));
      }
      return {{"categorical", {{"choices", std::move(choices)}}}};
    }
    Json operator()(const FixedDomain& d) const {
      return {{"fixed", {{"value", ParamValueToJson(d.value)}}}};
    }
  };
  return std::visit(Visitor{}, domain);
}

Json AlgorithmToJson(const AlgorithmSpec& spec) {
  Json options = Json::object();
  for (const auto& [name, value] : spec.options) {
    options[name] = ParamValueToJson(value);
  }
  return {{"name", spec.name}, {"options", std::move(options)}};
}

// Readers: each takes the JSON value and its path for error messages.

absl::StatusOr<const Json*> Member(const Json& object, absl::string_view path,
                                   absl::string_view key, bool required) {
  if (!object.is_object()) return Malformed(path, "expected an object");
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) {
      return Malformed(path, absl::StrCat("missing \"", key, "\""));
    }
    return nullptr;
  }
  return &*it;
}

absl::StatusOr<std::string> ReadString(const Json& json,
                                       absl::string_view path) {
  if (!json.is_string()) return Malformed(path, "expected a string");
  return json.get<std::string>();
}

absl::StatusOr<bool> ReadBool(const Json& json, absl::string_view path) {
  if (!json.is_boolean()) return Malformed(path, "expected true or false");
  return json.get<bool>();
}

absl::StatusOr<int64_t> ReadInt64(const Json& json, absl::string_view path) {
  if (json.is_number_unsigned() &&
      json.get<uint64_t>() <=
          static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(json.get<uint64_t>());
  }
  if (json.is_number_integer() && !json.is_number_unsigned()) {
    return json.get<int64_t>();
  }
  return Malformed(path, "expected a 64-bit integer");
}

absl::StatusOr<uint64_t> ReadUint64(const Json& json, absl::string_view path) {
  if (json.is_number_unsigned()) return json.get<uint64_t>();
  return Malformed(path, "expected an unsigned 64-bit integer");
}

absl::StatusOr<double> ReadDouble(const Json& json, absl::string_view path) {
  if (json.is_number()) return json.get<double>();
  if (!json.is_string()) return Malformed(path, "expected a number");
  const std::string& text = json.get_ref<const std::string&>();
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end) {
    return Malformed(path, absl::StrCat("\"", text, "\" is not a number"));
  }
  return value;
}

absl::StatusOr<absl::Duration> ReadDuration(const Json& json,
                                            absl::string_view path) {
  ASSIGN_OR_RETURN(const Json* seconds, Member(json, path, "seconds", true));
  ASSIGN_OR_RETURN(const Json* nanos, Member(json, path, "nanos", true));
  ASSIGN_OR_RETURN(int64_t s,
                   ReadInt64(*seconds, absl::StrCat(path, ".seconds")));
  ASSIGN_OR_RETURN(int64_t n, ReadInt64(*nanos, absl::StrCat(path, ".nanos")));
  return absl::Seconds(s) + absl::Nanoseconds(n);
}

template <typename T, typename ReadFn>
absl::StatusOr<std::optional<T>> ReadOptional(const Json& object,
                                              absl::string_view path,
                                              absl::string_view key,
                                              ReadFn read) {
  ASSIGN_OR_RETURN(const Json* member, Member(object, path, key, false));
  if (member == nullptr || member->is_null()) return std::optional<T>();
  ASSIGN_OR_RETURN(T value, read(*member, absl::StrCat(path, ".", key)));
  return std::optional<T>(std::move(value));
}

absl::StatusOr<ParamValue> ReadParamValue(const Json& json,
                                          absl::string_view path) {
  if (!json.is_object() || json.size() != 1) {
    return Malformed(path, "expected {\"<kind>\": value}");
  }
  const auto& [kind, value] = *json.items().begin();
  std::string value_path = absl::StrCat(path, ".", kind);
  if (kind == "double") {
    ASSIGN_OR_RETURN(double d, ReadDouble(value, value_path));
    return ParamValue(d);
  }
  if (kind == "int") {
    ASSIGN_OR_RETURN(int64_t i, ReadInt64(value, value_path));
    return ParamValue(i);
  }
  if (kind == "string") {
    ASSIGN_OR_RETURN(std::string s, ReadString(value, value_path));
    return ParamValue(std::move(s));
  }
  if (kind == "bool") {
    ASSIGN_OR_RETURN(bool b, ReadBool(value, value_path));
    return ParamValue(b);
  }
  return Malformed(path, absl::StrCat("unknown value kind \"", kind, "\""));
}

absl::StatusOr<std::vector<ParamValue>> ReadParamValues(
    const Json& json, absl::string_view path) {
  if (!json.is_array()) return Malformed(path, "expected an array");
  std::vector<ParamValue> values;
  for (size_t i = 0; i < json.size(); ++i) {
    ASSIGN_OR_RETURN(ParamValue value,
                     ReadParamValue(json[i], absl::StrCat(path, "[", i, "]")));
    values.push_back(std::move(value));
  }
  return values;
}

absl::StatusOr<Domain> ReadDomain(const Json& parameter,
                                  absl::string_view path) {
  for (const char* kind : {"float", "int", "categorical", "fixed"}) {
    ASSIGN_OR_RETURN(const Json* body, Member(parameter, path, kind, false));
    if (body == nullptr) continue;
    std::string body_path = absl::StrCat(path, ".", kind);
    const absl::string_view k = kind;
    if (k == "float") {
      FloatDomain d;
      ASSIGN_OR_RETURN(const Json* min, Member(*body, body_path, "min", true));
      ASSIGN_OR_RETURN(const Json* max, Member(*body, body_path, "max", true));
      ASSIGN_OR_RETURN(const Json* log,
                       Member(*body, body_path, "log_scale", true));
      ASSIGN_OR_RETURN(d.min,
                       ReadDouble(*min, absl::StrCat(body_path, ".min")));
      ASSIGN_OR_RETURN(d.max,
                       ReadDouble(*max, absl::StrCat(body_path, ".max")));
      ASSIGN_OR_RETURN(d.log_scale,
                       ReadBool(*log, absl::StrCat(body_path, ".log_scale")));
      ASSIGN_OR_RETURN(
          d.step, ReadOptional<double>(*body, body_path, "step", ReadDouble));
      return Domain(d);
    }
    if (k == "int") {
      IntDomain d;
      ASSIGN_OR_RETURN(const Json* min, Member(*body, body_path, "min", true));
      ASSIGN_OR_RETURN(const Json* max, Member(*body, body_path, "max", true));
      ASSIGN_OR_RETURN(const Json* log,
                       Member(*body, body_path, "log_scale", true));
      ASSIGN_OR_RETURN(const Json* step,
                       Member(*body, body_path, "step", true));
      ASSIGN_OR_RETURN(d.min, ReadInt64(*min, absl::StrCat(body_path, ".min")));
      ASSIGN_OR_RETURN(d.max, ReadInt64(*max, absl::StrCat(body_path, ".max")));
      ASSIGN_OR_RETURN(d.log_scale,
                       ReadBool(*log, absl::StrCat(body_path, ".log_scale")));
      ASSIGN_OR_RETURN(d.step,
                       ReadInt64(*step, absl::StrCat(body_path, ".step")));
      return Domain(d);
    }
    if (k == "categorical") {
      CategoricalDomain d;
      ASSIGN_OR_RETURN(const Json* choices,
                       Member(*body, body_path, "choices", true));
      ASSIGN_OR_RETURN(
          d.choices,
          ReadParamValues(*choices, absl::StrCat(body_path, ".choices")));
      return Domain(std::move(d));
    }
    ASSIGN_OR_RETURN(const Json* value,
                     Member(*body, body_path, "value", true));
    ASSIGN_OR_RETURN(ParamValue fixed,
                     ReadParamValue(*value, absl::StrCat(body_path, ".value")));
    return Domain(FixedDomain{std::move(fixed)});
  }
  return Malformed(path, "expected one of float, int, categorical, fixed");
}

absl::StatusOr<ParameterSpec> ReadParameter(const Json& json,
                                            absl::string_view path) {
  ParameterSpec spec;
  ASSIGN_OR_RETURN(const Json* name, Member(json, path, "name", true));
  ASSIGN_OR_RETURN(spec.name, ReadString(*name, absl::StrCat(path, ".name")));
  ASSIGN_OR_RETURN(spec.domain, ReadDomain(json, path));
  ASSIGN_OR_RETURN(const Json* condition,
                   Member(json, path, "condition", false));
  if (condition != nullptr && !condition->is_null()) {
    std::string condition_path = absl::StrCat(path, ".condition");
    ASSIGN_OR_RETURN(const Json* parent,
                     Member(*condition, condition_path, "parent", true));
    ASSIGN_OR_RETURN(const Json* values,
                     Member(*condition, condition_path, "values", true));
    Condition c;
    ASSIGN_OR_RETURN(
        c.parent, ReadString(*parent, absl::StrCat(condition_path, ".parent")));
    ASSIGN_OR_RETURN(
        c.values,
        ReadParamValues(*values, absl::StrCat(condition_path, ".values")));
    spec.condition = std::move(c);
  }
  return spec;
}

absl::StatusOr<Objective> ReadObjective(const Json& json,
                                        absl::string_view path) {
  Objective objective;
  ASSIGN_OR_RETURN(const Json* metric, Member(json, path, "metric", true));
  ASSIGN_OR_RETURN(const Json* direction,
                   Member(json, path, "direction", true));
  ASSIGN_OR_RETURN(objective.metric,
                   ReadString(*metric, absl::StrCat(path, ".metric")));
  ASSIGN_OR_RETURN(std::string d,
                   ReadString(*direction, absl::StrCat(path, ".direction")));
  if (d == "minimize") {
    objective.direction = Direction::kMinimize;
  } else if (d == "maximize") {
    objective.direction = Direction::kMaximize;
  } else {
    return Malformed(absl::StrCat(path, ".direction"),
                     absl::StrCat("unknown direction \"", d, "\""));
  }
  return objective;
}

absl::StatusOr<OutcomeConstraint> ReadConstraint(const Json& json,
                                                 absl::string_view path) {
  OutcomeConstraint constraint;
  ASSIGN_OR_RETURN(const Json* metric, Member(json, path, "metric", true));
  ASSIGN_OR_RETURN(const Json* kind, Member(json, path, "kind", true));
  ASSIGN_OR_RETURN(const Json* bound, Member(json, path, "bound", true));
  ASSIGN_OR_RETURN(constraint.metric,
                   ReadString(*metric, absl::StrCat(path, ".metric")));
  ASSIGN_OR_RETURN(std::string k,
                   ReadString(*kind, absl::StrCat(path, ".kind")));
  if (k == "max") {
    constraint.kind = OutcomeConstraint::Kind::kMax;
  } else if (k == "min") {
    constraint.kind = OutcomeConstraint::Kind::kMin;
  } else {
    return Malformed(absl::StrCat(path, ".kind"),
                     absl::StrCat("unknown kind \"", k, "\""));
  }
  ASSIGN_OR_RETURN(constraint.bound,
                   ReadDouble(*bound, absl::StrCat(path, ".bound")));
  return constraint;
}

absl::StatusOr<AlgorithmSpec> ReadAlgorithm(const Json& json,
                                            absl::string_view path) {
  AlgorithmSpec spec;
  ASSIGN_OR_RETURN(const Json* name, Member(json, path, "name", true));
  ASSIGN_OR_RETURN(const Json* options, Member(json, path, "options", true));
  ASSIGN_OR_RETURN(spec.name, ReadString(*name, absl::StrCat(path, ".name")));
  if (!options->is_object()) {
    return Malformed(absl::StrCat(path, ".options"), "expected an object");
  }
  for (const auto& [key, value] : options->items()) {
    ASSIGN_OR_RETURN(
        ParamValue option,
        ReadParamValue(value, absl::StrCat(path, ".options.", key)));
    spec.options.emplace(key, std::move(option));
  }
  return spec;
}

template <typename T, typename ReadFn>
absl::StatusOr<std::vector<T>> ReadArray(const Json& object,
                                         absl::string_view key, ReadFn read,
                                         bool required = true) {
  ASSIGN_OR_RETURN(const Json* array, Member(object, "config", key, required));
  if (array == nullptr) return std::vector<T>();
  if (!array->is_array()) return Malformed(key, "expected an array");
  std::vector<T> items;
  for (size_t i = 0; i < array->size(); ++i) {
    ASSIGN_OR_RETURN(T item, read((*array)[i], absl::StrCat(key, "[", i, "]")));
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace

Json ParamValueToJson(const ParamValue& value) {
  struct Visitor {
    Json operator()(double v) const { return {{"double", DoubleText(v)}}; }
    Json operator()(int64_t v) const { return {{"int", v}}; }
    Json operator()(const std::string& v) const { return {{"string", v}}; }
    Json operator()(bool v) const { return {{"bool", v}}; }
  };
  return std::visit(Visitor{}, value);
}

absl::StatusOr<ParamValue> ParamValueFromJson(const Json& json) {
  return ReadParamValue(json, "value");
}

Json StudyConfigToJson(const StudyConfig& config) {
  Json parameters = Json::array();
  for (const ParameterSpec& spec : config.parameters) {
    Json parameter = DomainToJson(spec.domain);
    parameter["name"] = spec.name;
    if (spec.condition.has_value()) {
      Json values = Json::array();
      for (const ParamValue& value : spec.condition->values) {
        values.push_back(ParamValueToJson(value));
      }
      parameter["condition"] = {{"parent", spec.condition->parent},
                                {"values", std::move(values)}};
    }
    parameters.push_back(std::move(parameter));
  }
  Json objectives = Json::array();
  for (const Objective& objective : config.objectives) {
    objectives.push_back(
        {{"metric", objective.metric},
         {"direction", objective.direction == Direction::kMaximize
                           ? "maximize"
                           : "minimize"}});
  }
  Json constraints = Json::array();
  for (const OutcomeConstraint& constraint : config.constraints) {
    constraints.push_back(
        {{"metric", constraint.metric},
         {"kind",
          constraint.kind == OutcomeConstraint::Kind::kMax ? "max" : "min"},
         {"bound", DoubleText(constraint.bound)}});
  }
  Json stopping = Json::object();
  if (config.stopping.max_trials.has_value()) {
    stopping["max_trials"] = *config.stopping.max_trials;
  }
  if (config.stopping.max_failed_trials.has_value()) {
    stopping["max_failed_trials"] = *config.stopping.max_failed_trials;
  }
  if (config.stopping.max_wall_time.has_value()) {
    stopping["max_wall_time"] = DurationToJson(*config.stopping.max_wall_time);
  }
  if (config.stopping.target_value.has_value()) {
    stopping["target_value"] = DoubleText(*config.stopping.target_value);
  }
  if (config.stopping.patience.has_value()) {
    stopping["patience"] = *config.stopping.patience;
  }
  return {{"format", kFormat},
          {"parameters", std::move(parameters)},
          {"objectives", std::move(objectives)},
          {"extra_metrics", config.extra_metrics},
          {"constraints", std::move(constraints)},
          {"sampler", AlgorithmToJson(config.sampler)},
          {"pruner", AlgorithmToJson(config.pruner)},
          {"seed", config.seed},
          {"stopping", std::move(stopping)},
          {"lease_duration", DurationToJson(config.lease_duration)},
          {"max_stale_retries", config.max_stale_retries}};
}

absl::StatusOr<StudyConfig> StudyConfigFromJson(const Json& json) {
  ASSIGN_OR_RETURN(const Json* format, Member(json, "config", "format", true));
  if (!format->is_number_integer() || format->get<int64_t>() != kFormat) {
    return Malformed("format",
                     absl::StrCat("unsupported format ", format->dump(),
                                  ", expected ", kFormat));
  }
  StudyConfig config;
  ASSIGN_OR_RETURN(config.parameters,
                   ReadArray<ParameterSpec>(json, "parameters", ReadParameter));
  ASSIGN_OR_RETURN(config.objectives,
                   ReadArray<Objective>(json, "objectives", ReadObjective));
  ASSIGN_OR_RETURN(config.extra_metrics,
                   ReadArray<std::string>(json, "extra_metrics", ReadString));
  // Configs stored before constraints existed have none.
  ASSIGN_OR_RETURN(config.constraints, ReadArray<OutcomeConstraint>(
                                           json, "constraints", ReadConstraint,
                                           /*required=*/false));
  ASSIGN_OR_RETURN(const Json* sampler,
                   Member(json, "config", "sampler", true));
  ASSIGN_OR_RETURN(config.sampler, ReadAlgorithm(*sampler, "sampler"));
  ASSIGN_OR_RETURN(const Json* pruner, Member(json, "config", "pruner", true));
  ASSIGN_OR_RETURN(config.pruner, ReadAlgorithm(*pruner, "pruner"));
  ASSIGN_OR_RETURN(const Json* seed, Member(json, "config", "seed", true));
  ASSIGN_OR_RETURN(config.seed, ReadUint64(*seed, "seed"));
  ASSIGN_OR_RETURN(const Json* stopping,
                   Member(json, "config", "stopping", true));
  ASSIGN_OR_RETURN(
      config.stopping.max_trials,
      ReadOptional<int64_t>(*stopping, "stopping", "max_trials", ReadInt64));
  ASSIGN_OR_RETURN(config.stopping.max_failed_trials,
                   ReadOptional<int64_t>(*stopping, "stopping",
                                         "max_failed_trials", ReadInt64));
  ASSIGN_OR_RETURN(config.stopping.max_wall_time,
                   ReadOptional<absl::Duration>(*stopping, "stopping",
                                                "max_wall_time", ReadDuration));
  ASSIGN_OR_RETURN(
      config.stopping.target_value,
      ReadOptional<double>(*stopping, "stopping", "target_value", ReadDouble));
  ASSIGN_OR_RETURN(
      config.stopping.patience,
      ReadOptional<int64_t>(*stopping, "stopping", "patience", ReadInt64));
  ASSIGN_OR_RETURN(const Json* lease,
                   Member(json, "config", "lease_duration", true));
  ASSIGN_OR_RETURN(config.lease_duration,
                   ReadDuration(*lease, "lease_duration"));
  // Configs stored before stale trials could be retried never retry them.
  ASSIGN_OR_RETURN(
      std::optional<int64_t> retries,
      ReadOptional<int64_t>(json, "config", "max_stale_retries", ReadInt64));
  if (retries.has_value()) {
    if (*retries < 0 || *retries > std::numeric_limits<int32_t>::max()) {
      return Malformed("max_stale_retries",
                       absl::StrCat("out of range: ", *retries));
    }
    config.max_stale_retries = static_cast<int32_t>(*retries);
  }
  return config;
}

absl::StatusOr<StudyConfig> ParseStudyConfigJson(absl::string_view text) {
  Json json = Json::parse(text.begin(), text.end(), nullptr,
                          /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return absl::InvalidArgumentError("study config JSON: not valid JSON");
  }
  return StudyConfigFromJson(json);
}

}  // namespace knob

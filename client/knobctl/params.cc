#include "client/knobctl/params.h"

#include <cmath>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/values.h"

namespace knob::knobctl {
namespace {

const v1::ParameterSpec* FindSpec(const v1::StudyConfig& config,
                                  const std::string& name) {
  for (const v1::ParameterSpec& spec : config.parameters()) {
    if (spec.name() == name) return &spec;
  }
  return nullptr;
}

v1::Value FitToSpec(const v1::ParameterSpec& spec, const std::string& text,
                    v1::Value value) {
  switch (spec.domain_case()) {
    case v1::ParameterSpec::kFloatDomain:
      if (value.has_int_value()) {
        value.set_double_value(static_cast<double>(value.int_value()));
      }
      break;
    case v1::ParameterSpec::kIntDomain:
      if (value.has_double_value() &&
          std::trunc(value.double_value()) == value.double_value() &&
          std::abs(value.double_value()) <
              static_cast<double>(std::numeric_limits<int64_t>::max())) {
        value.set_int_value(static_cast<int64_t>(value.double_value()));
      }
      break;
    case v1::ParameterSpec::kCategoricalDomain:
      for (const v1::Value& choice : spec.categorical_domain().choices()) {
        if (ValueLabel(choice) == text) return choice;
      }
      break;
    case v1::ParameterSpec::kFixedValue:
      if (ValueLabel(spec.fixed_value()) == text) return spec.fixed_value();
      break;
    case v1::ParameterSpec::DOMAIN_NOT_SET:
      break;
  }
  return value;
}

}  // namespace

v1::Value ParseScalar(const std::string& text) {
  v1::Value value;
  int64_t int_value = 0;
  double double_value = 0;
  if (absl::SimpleAtoi(text, &int_value)) {
    value.set_int_value(int_value);
  } else if (absl::SimpleAtod(text, &double_value)) {
    value.set_double_value(double_value);
  } else if (text == "true" || text == "false") {
    value.set_bool_value(text == "true");
  } else {
    value.set_string_value(text);
  }
  return value;
}

absl::StatusOr<std::map<std::string, v1::Value>> ParseAssignments(
    const std::vector<std::string>& arguments, const v1::StudyConfig& config) {
  std::map<std::string, v1::Value> parameters;
  for (const std::string& argument : arguments) {
    const size_t equals = argument.find('=');
    if (equals == std::string::npos || equals == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"", argument, "\" is not a parameter assignment name=value"));
    }
    const std::string name = argument.substr(0, equals);
    const std::string text = argument.substr(equals + 1);
    v1::Value value = ParseScalar(text);
    if (const v1::ParameterSpec* spec = FindSpec(config, name)) {
      value = FitToSpec(*spec, text, std::move(value));
    }
    if (!parameters.emplace(name, std::move(value)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter \"", name, "\" is given twice"));
    }
  }
  return parameters;
}

}  // namespace knob::knobctl

#include "server/model/algorithm_options.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace knob {

AlgorithmOptions::AlgorithmOptions(std::string field, const AlgorithmSpec& spec)
    : field_(std::move(field)), algorithm_(spec.name), options_(spec.options) {}

const ParamValue* AlgorithmOptions::Find(const std::string& name) {
  used_.insert(name);
  auto it = options_.find(name);
  return it == options_.end() ? nullptr : &it->second;
}

absl::Status AlgorithmOptions::WrongKind(const std::string& name,
                                         const char* expected,
                                         const ParamValue& got) const {
  return absl::InvalidArgumentError(absl::StrCat(
      field_, ".options.", name, ": ", algorithm_, " expects ", expected,
      ", got ", ParamValueKindName(got), " \"", ParamValueLabel(got), "\""));
}

absl::StatusOr<int64_t> AlgorithmOptions::Int(const std::string& name,
                                              int64_t default_value) {
  const ParamValue* value = Find(name);
  if (value == nullptr) return default_value;
  if (const auto* i = std::get_if<int64_t>(value)) return *i;
  return WrongKind(name, "an int", *value);
}

absl::StatusOr<double> AlgorithmOptions::Double(const std::string& name,
                                                double default_value) {
  const ParamValue* value = Find(name);
  if (value == nullptr) return default_value;
  if (const auto* d = std::get_if<double>(value)) return *d;
  if (const auto* i = std::get_if<int64_t>(value)) {
    return static_cast<double>(*i);
  }
  return WrongKind(name, "a number", *value);
}

absl::StatusOr<bool> AlgorithmOptions::Bool(const std::string& name,
                                            bool default_value) {
  const ParamValue* value = Find(name);
  if (value == nullptr) return default_value;
  if (const auto* b = std::get_if<bool>(value)) return *b;
  return WrongKind(name, "a bool", *value);
}

absl::StatusOr<std::string> AlgorithmOptions::String(
    const std::string& name, std::string default_value) {
  const ParamValue* value = Find(name);
  if (value == nullptr) return default_value;
  if (const auto* s = std::get_if<std::string>(value)) return *s;
  return WrongKind(name, "a string", *value);
}

absl::Status AlgorithmOptions::CheckAllUsed() const {
  for (const auto& [name, value] : options_) {
    if (!used_.contains(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field_, ".options.", name, ": unknown option for ",
                       field_, " \"", algorithm_, "\""));
    }
  }
  return absl::OkStatus();
}

}  // namespace knob

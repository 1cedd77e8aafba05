#include "client/knobctl/spec.h"

#include <google/protobuf/util/json_util.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "client/knobctl/yaml_to_json.h"
#include "nlohmann/json.hpp"

namespace knob::knobctl {
namespace {

using nlohmann::json;

// The proto JSON mapping accepts both spellings of a field name; so do the
// shorthands.
std::string LowerCamel(std::string_view snake) {
  std::string camel;
  bool upper = false;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
    } else {
      camel += upper ? absl::ascii_toupper(c) : c;
      upper = false;
    }
  }
  return camel;
}

json* Member(json* object, std::string_view snake) {
  if (object == nullptr || !object->is_object()) return nullptr;
  for (const std::string& key : {std::string(snake), LowerCamel(snake)}) {
    auto it = object->find(key);
    if (it != object->end()) return &*it;
  }
  return nullptr;
}

void ExpandValue(json* value) {
  if (value == nullptr) return;
  if (value->is_number_integer()) {
    *value = json{{"int_value", value->get<int64_t>()}};
  } else if (value->is_number_unsigned()) {
    // Beyond int64: let the proto parser report it as out of range.
    *value = json{{"int_value", value->get<uint64_t>()}};
  } else if (value->is_number_float()) {
    *value = json{{"double_value", value->get<double>()}};
  } else if (value->is_string()) {
    *value = json{{"string_value", value->get<std::string>()}};
  } else if (value->is_boolean()) {
    *value = json{{"bool_value", value->get<bool>()}};
  }
}

void ExpandValueList(json* values) {
  if (values == nullptr || !values->is_array()) return;
  for (json& value : *values) ExpandValue(&value);
}

void ExpandAlgorithm(json* algorithm) {
  json* options = Member(algorithm, "options");
  if (options == nullptr || !options->is_object()) return;
  for (auto& [name, value] : options->items()) ExpandValue(&value);
}

void ExpandDirection(json* direction) {
  if (direction == nullptr || !direction->is_string()) return;
  const std::string text = absl::AsciiStrToLower(direction->get<std::string>());
  if (text == "minimize" || text == "min") *direction = "DIRECTION_MINIMIZE";
  if (text == "maximize" || text == "max") *direction = "DIRECTION_MAXIMIZE";
}

// The proto JSON form of a duration: seconds with a fractional part and an
// "s" suffix.
std::string ProtoDuration(absl::Duration duration) {
  const int64_t nanos = absl::ToInt64Nanoseconds(duration);
  if (nanos % 1000000000 == 0) return absl::StrCat(nanos / 1000000000, "s");
  return absl::StrFormat("%.9fs", absl::ToDoubleSeconds(duration));
}

absl::Status ExpandDuration(json* duration, const std::string& field) {
  if (duration == nullptr) return absl::OkStatus();
  if (duration->is_number()) {
    *duration = ProtoDuration(absl::Seconds(duration->get<double>()));
    return absl::OkStatus();
  }
  if (!duration->is_string()) return absl::OkStatus();
  const std::string text = duration->get<std::string>();
  absl::Duration parsed;
  if (!absl::ParseDuration(text, &parsed) ||
      parsed == absl::InfiniteDuration() ||
      parsed == -absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": \"", text,
        "\" is not a duration (write e.g. 300, \"300s\", \"5m\" or "
        "\"1h30m\")"));
  }
  *duration = ProtoDuration(parsed);
  return absl::OkStatus();
}

absl::Status ExpandShorthands(json* request) {
  json* config = Member(request, "config");
  if (config == nullptr) return absl::OkStatus();
  if (json* parameters = Member(config, "parameters");
      parameters != nullptr && parameters->is_array()) {
    for (json& parameter : *parameters) {
      ExpandValueList(
          Member(Member(&parameter, "categorical_domain"), "choices"));
      ExpandValue(Member(&parameter, "fixed_value"));
      ExpandValueList(Member(Member(&parameter, "condition"), "values"));
    }
  }
  if (json* objectives = Member(config, "objectives");
      objectives != nullptr && objectives->is_array()) {
    for (json& objective : *objectives) {
      ExpandDirection(Member(&objective, "direction"));
    }
  }
  ExpandAlgorithm(Member(config, "sampler"));
  ExpandAlgorithm(Member(config, "pruner"));
  if (absl::Status status = ExpandDuration(Member(config, "lease_duration"),
                                           "config.lease_duration");
      !status.ok()) {
    return status;
  }
  return ExpandDuration(Member(Member(config, "stopping"), "max_wall_time"),
                        "config.stopping.max_wall_time");
}

// JSON text has no infinities or NaN; the proto JSON mapping spells them
// as strings.
void SpellNonFinite(json* node) {
  if (node->is_number_float()) {
    const double value = node->get<double>();
    if (std::isnan(value)) *node = "NaN";
    if (std::isinf(value)) *node = value > 0 ? "Infinity" : "-Infinity";
  } else if (node->is_structured()) {
    for (json& child : *node) SpellNonFinite(&child);
  }
}

absl::StatusOr<json> ParseTree(const std::string& text, SpecFormat format) {
  if (format == SpecFormat::kSniff) {
    const size_t first = text.find_first_not_of(" \t\r\n");
    format = first != std::string::npos && text[first] == '{'
                 ? SpecFormat::kJson
                 : SpecFormat::kYaml;
  }
  if (format == SpecFormat::kYaml) return YamlToJson(text);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // Drops the "[json.exception.parse_error.101] " prefix.
    std::string message = e.what();
    const size_t end = message.find("] ");
    if (end != std::string::npos) message = message.substr(end + 2);
    return absl::InvalidArgumentError(message);
  }
}

absl::Status InFile(const std::string& source, const absl::Status& status) {
  return absl::Status(status.code(),
                      absl::StrCat(source, ": ", status.message()));
}

}  // namespace

SpecFormat SpecFormatForPath(const std::string& path) {
  const std::string lower = absl::AsciiStrToLower(path);
  if (absl::EndsWith(lower, ".json")) return SpecFormat::kJson;
  if (absl::EndsWith(lower, ".yaml") || absl::EndsWith(lower, ".yml")) {
    return SpecFormat::kYaml;
  }
  return SpecFormat::kSniff;
}

absl::StatusOr<v1::CreateStudyRequest> ParseStudySpec(
    const std::string& text, SpecFormat format, const std::string& source) {
  absl::StatusOr<json> tree = ParseTree(text, format);
  if (!tree.ok()) return InFile(source, tree.status());
  if (tree->is_null()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": the file holds no study spec"));
  }
  if (!tree->is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": a study spec is a map with name and config, not a ",
        tree->type_name()));
  }
  if (absl::Status status = ExpandShorthands(&*tree); !status.ok()) {
    return InFile(source, status);
  }
  SpellNonFinite(&*tree);

  v1::CreateStudyRequest request;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      tree->dump(), &request, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": ", std::string(status.message())));
  }
  return request;
}

absl::StatusOr<v1::CreateStudyRequest> ReadStudySpecFile(
    const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    const int error = errno;
    std::string message = absl::StrCat(
        path, ": cannot read the spec file: ", std::strerror(error));
    return error == EACCES ? absl::PermissionDeniedError(message)
                           : absl::NotFoundError(message);
  }
  std::stringstream text;
  text << file.rdbuf();
  return ParseStudySpec(text.str(), SpecFormatForPath(path), path);
}

}  // namespace knob::knobctl

#include "client/knobctl/yaml_to_json.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <regex>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace knob::knobctl {
namespace {

using nlohmann::json;

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

std::string Where(const YAML::Mark& mark) {
  return absl::StrCat("line ", mark.line + 1, ", column ", mark.column + 1);
}

absl::Status ErrorAt(const YAML::Node& node, std::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(Where(node.Mark()), ": ", std::string(message)));
}

bool IsNull(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> AsBool(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

// nullopt: not an integer. An error: an integer that does not fit.
absl::StatusOr<std::optional<int64_t>> AsInt(const YAML::Node& node,
                                             const std::string& s) {
  static const std::regex kDecimal("[-+]?[0-9]+");
  static const std::regex kOctal("0o[0-7]+");
  static const std::regex kHex("0x[0-9a-fA-F]+");
  int base = 0;
  std::string digits = s;
  if (std::regex_match(s, kDecimal)) {
    base = 10;
  } else if (std::regex_match(s, kOctal)) {
    base = 8;
    digits = s.substr(2);
  } else if (std::regex_match(s, kHex)) {
    base = 16;
    digits = s.substr(2);
  } else {
    return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(digits.c_str(), &end, base);
  if (errno == ERANGE) {
    return ErrorAt(node,
                   absl::StrCat("integer ", s, " does not fit in 64 bits"));
  }
  return static_cast<int64_t>(value);
}

std::optional<double> AsFloat(const std::string& s) {
  static const std::regex kNumber(
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  static const std::regex kInfinity("[-+]?\\.(inf|Inf|INF)");
  static const std::regex kNan("\\.(nan|NaN|NAN)");
  if (std::regex_match(s, kNumber)) return std::strtod(s.c_str(), nullptr);
  if (std::regex_match(s, kInfinity)) {
    return s[0] == '-' ? -std::numeric_limits<double>::infinity()
                       : std::numeric_limits<double>::infinity();
  }
  if (std::regex_match(s, kNan))
    return std::numeric_limits<double>::quiet_NaN();
  return std::nullopt;
}

// Plain (unquoted, untagged) scalars per the YAML 1.2 core schema.
absl::StatusOr<json> ResolvePlain(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (IsNull(s)) return json(nullptr);
  if (std::optional<bool> b = AsBool(s)) return json(*b);
  absl::StatusOr<std::optional<int64_t>> i = AsInt(node, s);
  if (!i.ok()) return i.status();
  if (i->has_value()) return json(**i);
  if (std::optional<double> d = AsFloat(s)) return json(*d);
  return json(s);
}

absl::StatusOr<json> ResolveTagged(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  const std::string& s = node.Scalar();
  if (tag.rfind(kTagPrefix, 0) != 0) {
    return ErrorAt(node, absl::StrCat("unsupported tag ", tag));
  }
  const std::string kind = tag.substr(kTagPrefix.size());
  if (kind == "str") return json(s);
  if (kind == "null" && IsNull(s)) return json(nullptr);
  if (kind == "bool") {
    if (std::optional<bool> b = AsBool(s)) return json(*b);
  } else if (kind == "int") {
    absl::StatusOr<std::optional<int64_t>> i = AsInt(node, s);
    if (!i.ok()) return i.status();
    if (i->has_value()) return json(**i);
  } else if (kind == "float") {
    if (std::optional<double> d = AsFloat(s)) return json(*d);
  }
  return ErrorAt(node, absl::StrCat("\"", s, "\" is not a valid !!", kind));
}

absl::StatusOr<json> Convert(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return json(nullptr);
    case YAML::NodeType::Scalar:
      if (node.Tag() == "?") return ResolvePlain(node);
      // "!" marks a quoted scalar without a tag: always a string.
      if (node.Tag() == "!") return json(node.Scalar());
      return ResolveTagged(node);
    case YAML::NodeType::Sequence: {
      json array = json::array();
      for (const YAML::Node& element : node) {
        absl::StatusOr<json> converted = Convert(element);
        if (!converted.ok()) return converted.status();
        array.push_back(*std::move(converted));
      }
      return array;
    }
    case YAML::NodeType::Map: {
      json object = json::object();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          return ErrorAt(entry.first, "a map key must be a plain scalar");
        }
        absl::StatusOr<json> converted = Convert(entry.second);
        if (!converted.ok()) return converted.status();
        object[entry.first.Scalar()] = *std::move(converted);
      }
      return object;
    }
  }
  return ErrorAt(node, "unsupported YAML node");
}

}  // namespace

absl::StatusOr<json> YamlToJson(const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(Where(e.mark), ": ", e.msg));
  }
  return Convert(root);
}

}  // namespace knob::knobctl

#include "server/storage/postgres/internal/codec.h"

#include <charconv>
#include <cmath>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace knob::postgres_internal {

absl::Time TruncateToMicros(absl::Time time) {
  return absl::FromUnixMicros(absl::ToUnixMicros(time));
}

std::string TimestampLiteral(absl::Time time) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", TruncateToMicros(time),
                          absl::UTCTimeZone());
}

std::string IntervalLiteral(absl::Duration duration) {
  return absl::StrCat(absl::ToInt64Microseconds(duration), " microseconds");
}

std::string MicrosOf(absl::string_view column) {
  // date_part's double, not extract's numeric: the numeric arithmetic was
  // about half of PostgreSQL's time to read a study's trial rows. It is
  // exact all the same from 1901 to 2106: the seconds since 1970 as a
  // double are within 0.24 us of the stored time, the product adds at most
  // 0.25 us, and ::bigint rounds to the nearest microsecond.
  return absl::StrCat("(date_part('epoch', ", column, ") * 1000000)::bigint");
}

absl::Time FromMicros(int64_t micros) { return absl::FromUnixMicros(micros); }

std::string DoubleLiteral(double value) { return ParamValueLabel(value); }

absl::StatusOr<double> ParseDouble(absl::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end) {
    return absl::InternalError(
        absl::StrCat("malformed double \"", text, "\" in the database"));
  }
  return value;
}

absl::StatusOr<int64_t> ParseInt64(absl::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end) {
    return absl::InternalError(
        absl::StrCat("malformed integer \"", text, "\" in the database"));
  }
  return value;
}

std::string ArrayLiteral(const std::vector<std::string>& tokens) {
  return absl::StrCat("{", absl::StrJoin(tokens, ","), "}");
}

std::string ArrayLiteral(const std::vector<int64_t>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ","), "}");
}

std::string StringMapToJson(const std::map<std::string, std::string>& map) {
  return DumpJson(nlohmann::json(map));
}

absl::StatusOr<std::map<std::string, std::string>> StringMapFromJson(
    absl::string_view json) {
  // What most trials carry (jsonb prints an empty object so), read by the
  // hundred thousand when a large study is loaded.
  if (json == "{}") return std::map<std::string, std::string>();
  nlohmann::json parsed = nlohmann::json::parse(
      json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return absl::InternalError(
        absl::StrCat("expected a JSON object of strings, got ", json));
  }
  std::map<std::string, std::string> map;
  for (const auto& [key, value] : parsed.items()) {
    if (!value.is_string()) {
      return absl::InternalError(
          absl::StrCat("expected a JSON object of strings, got ", json));
    }
    map.emplace(key, value.get<std::string>());
  }
  return map;
}

absl::StatusOr<ParamValue> ParamValueFromLabel(absl::string_view kind,
                                               absl::string_view label) {
  if (kind == "double") {
    absl::StatusOr<double> value = ParseDouble(label);
    if (!value.ok()) return value.status();
    return ParamValue(*value);
  }
  if (kind == "int") {
    absl::StatusOr<int64_t> value = ParseInt64(label);
    if (!value.ok()) return value.status();
    return ParamValue(*value);
  }
  if (kind == "string") return ParamValue(std::string(label));
  if (kind == "bool" && (label == "true" || label == "false")) {
    return ParamValue(label == "true");
  }
  return absl::InternalError(absl::StrCat("malformed parameter value: kind \"",
                                          kind, "\", label \"", label, "\""));
}

const char* OrNull(const std::optional<std::string>& text) {
  return text.has_value() ? text->c_str() : nullptr;
}

std::string DumpJson(const nlohmann::json& json) {
  return json.dump(-1, ' ', /*ensure_ascii=*/false,
                   nlohmann::json::error_handler_t::strict);
}

}  // namespace knob::postgres_internal

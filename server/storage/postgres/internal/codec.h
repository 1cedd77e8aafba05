// Conversions between the model's values and what travels to and from
// PostgreSQL: timestamps, doubles, string maps, typed parameter values, and
// the JSON documents that carry rows for set-based INSERTs.
#ifndef KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_CODEC_H_
#define KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_CODEC_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "server/model/value.h"

namespace knob::postgres_internal {

// PostgreSQL keeps microseconds: times are floored to them on the way in.
absl::Time TruncateToMicros(absl::Time time);

// A timestamptz literal in UTC with microseconds,
// e.g. "2024-05-01 12:00:00.250000+00".
std::string TimestampLiteral(absl::Time time);

// An interval literal, e.g. "300000000 microseconds".
std::string IntervalLiteral(absl::Duration duration);

// SQL expression turning the timestamptz expression `column` into
// microseconds since the epoch (bigint), which FromMicros reads back.
std::string MicrosOf(absl::string_view column);
absl::Time FromMicros(int64_t micros);

// Shortest text that reads back to exactly `value`; "inf", "-inf", "nan"
// for the non-finite ones (PostgreSQL's float8 accepts all of these).
std::string DoubleLiteral(double value);
// Reads float8 output ("0.1", "Infinity", "NaN"...). INTERNAL if malformed.
absl::StatusOr<double> ParseDouble(absl::string_view text);
absl::StatusOr<int64_t> ParseInt64(absl::string_view text);

// A text[] / bigint[] literal of simple tokens (state names, ids).
std::string ArrayLiteral(const std::vector<std::string>& tokens);
std::string ArrayLiteral(const std::vector<int64_t>& values);

// A JSON object of strings, as stored in jsonb columns (metadata,
// environment). The decoder fails with INTERNAL on anything else.
std::string StringMapToJson(const std::map<std::string, std::string>& map);
absl::StatusOr<std::map<std::string, std::string>> StringMapFromJson(
    absl::string_view json);

// A parameter value from its stored kind ("double", "int", "string",
// "bool") and label. INTERNAL if they do not form a value.
absl::StatusOr<ParamValue> ParamValueFromLabel(absl::string_view kind,
                                               absl::string_view label);

// A statement parameter that is NULL when `text` has no value: libpqxx sends a
// null for a null `const char*`.
const char* OrNull(const std::optional<std::string>& text);

// Serializes a request document; throws nlohmann::json::exception for
// strings that are not UTF-8 (Guard turns it into INVALID_ARGUMENT).
std::string DumpJson(const nlohmann::json& json);

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_CODEC_H_

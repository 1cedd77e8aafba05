// Knob's structured log: one line per event on stderr, either a JSON object
// (for log collectors) or a short human-readable line.
//
// A JSON line always holds "time" (RFC 3339, UTC, microseconds), "level"
// ("info", "warning" or "error") and "message", then the event's fields
// (e.g. "study_id", "trial_id") in the order given. Strings are escaped as
// JSON requires (quotes, backslashes, control characters such as newlines);
// other bytes pass through unchanged, so UTF-8 text stays readable.
//
// Thread safety: every function may be called from any thread; lines from
// concurrent calls never interleave.
#ifndef KNOB_SERVER_OBSERVABILITY_LOG_H_
#define KNOB_SERVER_OBSERVABILITY_LOG_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace knob {

enum class LogFormat { kJson, kText };
enum class LogLevel { kInfo, kWarning, kError };

// A named value of a log line: text or an integer (ids, counts).
struct LogField {
  LogField(absl::string_view key, absl::string_view text)
      : key(key), value(std::string(text)) {}
  LogField(absl::string_view key, const char* text)
      : LogField(key, absl::string_view(text)) {}
  LogField(absl::string_view key, const std::string& text)
      : LogField(key, absl::string_view(text)) {}
  template <typename Integer,
            std::enable_if_t<std::is_integral_v<Integer> &&
                                 !std::is_same_v<Integer, bool>,
                             int> = 0>
  LogField(absl::string_view key, Integer number)
      : key(key), value(static_cast<int64_t>(number)) {}

  std::string key;
  std::variant<std::string, int64_t> value;
};

// "json" or "text"; INVALID_ARGUMENT naming the value otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name);

// The format of every later line of this process. Default: kJson.
void SetLogFormat(LogFormat format);

// Writes one line to stderr in the process's format.
void Log(LogLevel level, absl::string_view message,
         absl::Span<const LogField> fields = {});

// The line Log writes, without its final newline.
std::string FormatLogLine(LogFormat format, absl::Time time, LogLevel level,
                          absl::string_view message,
                          absl::Span<const LogField> fields);

}  // namespace knob

#endif  // KNOB_SERVER_OBSERVABILITY_LOG_H_

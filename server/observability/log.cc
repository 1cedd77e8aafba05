#include "server/observability/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/util/json_string.h"

namespace knob {
namespace {

std::atomic<LogFormat> process_format{LogFormat::kJson};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "error";
}

std::string JsonLine(absl::Time time, LogLevel level, absl::string_view message,
                     absl::Span<const LogField> fields) {
  std::string line = "{\"time\":";
  AppendJsonString(line, absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time,
                                          absl::UTCTimeZone()));
  line.append(",\"level\":");
  AppendJsonString(line, LevelName(level));
  line.append(",\"message\":");
  AppendJsonString(line, message);
  for (const LogField& field : fields) {
    line.push_back(',');
    AppendJsonString(line, field.key);
    line.push_back(':');
    if (const auto* text = std::get_if<std::string>(&field.value)) {
      AppendJsonString(line, *text);
    } else {
      absl::StrAppend(&line, std::get<int64_t>(field.value));
    }
  }
  line.push_back('}');
  return line;
}

// Text that a reader can split on spaces stays bare; anything else is
// quoted with C escapes, so that a line is always one line.
void AppendTextValue(std::string& out, absl::string_view text) {
  const bool bare =
      !text.empty() && text.find_first_of(" \"=\\") == absl::string_view::npos;
  bool printable = true;
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20) printable = false;
  }
  if (bare && printable) {
    out.append(text.data(), text.size());
    return;
  }
  absl::StrAppend(&out, "\"", absl::CEscape(text), "\"");
}

std::string TextLine(LogLevel level, absl::string_view message,
                     absl::Span<const LogField> fields) {
  std::string line = "knob-server: ";
  if (level != LogLevel::kInfo) absl::StrAppend(&line, LevelName(level), ": ");
  for (const char c : message) {
    line.push_back(c == '\n' || c == '\r' ? ' ' : c);
  }
  for (const LogField& field : fields) {
    absl::StrAppend(&line, " ", field.key, "=");
    if (const auto* text = std::get_if<std::string>(&field.value)) {
      AppendTextValue(line, *text);
    } else {
      absl::StrAppend(&line, std::get<int64_t>(field.value));
    }
  }
  return line;
}

// One write(2) per line under a lock: stdio may split a long line, and
// several threads log at once.
void WriteLine(const std::string& line) {
  static absl::Mutex mu(absl::kConstInit);
  absl::MutexLock lock(&mu);
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n =
        ::write(STDERR_FILENO, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    // Nowhere left to report a failing stderr.
    if (n <= 0) return;
    written += static_cast<size_t>(n);
  }
}

}  // namespace

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name) {
  if (name == "json") return LogFormat::kJson;
  if (name == "text") return LogFormat::kText;
  return absl::InvalidArgumentError(
      absl::StrCat("--log_format: expected json or text, got \"", name, "\""));
}

void SetLogFormat(LogFormat format) { process_format.store(format); }

void Log(LogLevel level, absl::string_view message,
         absl::Span<const LogField> fields) {
  std::string line =
      FormatLogLine(process_format.load(), absl::Now(), level, message, fields);
  line.push_back('\n');
  WriteLine(line);
}

std::string FormatLogLine(LogFormat format, absl::Time time, LogLevel level,
                          absl::string_view message,
                          absl::Span<const LogField> fields) {
  return format == LogFormat::kJson ? JsonLine(time, level, message, fields)
                                    : TextLine(level, message, fields);
}

}  // namespace knob

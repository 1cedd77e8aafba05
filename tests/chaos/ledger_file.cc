#include "tests/chaos/ledger_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace knob::chaos {

absl::StatusOr<std::unique_ptr<LedgerFile>> LedgerFile::Open(
    const std::string& path) {
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::ErrnoToStatus(errno,
                               absl::StrCat("cannot open ledger ", path));
  }
  return std::unique_ptr<LedgerFile>(new LedgerFile(fd));
}

LedgerFile::~LedgerFile() { close(fd_); }

void LedgerFile::Suggested(int64_t study_id, const v1::Trial& trial) {
  Append({{"op", "suggest"},
          {"trial", trial.id()},
          {"number", trial.number()},
          {"study", study_id}});
}

void LedgerFile::Reported(int64_t trial_id, int64_t step, double value) {
  Append({{"op", "report"},
          {"trial", trial_id},
          {"step", step},
          {"value", value}});
}

void LedgerFile::Completed(int64_t trial_id, v1::TrialState state,
                           const std::vector<double>& values) {
  Append({{"op", "complete"},
          {"trial", trial_id},
          {"state", LedgerStateName(state)},
          {"values", values}});
}

void LedgerFile::Refused(std::string_view call, int64_t trial_id,
                         const absl::Status& status) {
  Append({{"op", "refused"},
          {"call", call},
          {"trial", trial_id},
          {"code", absl::StatusCodeToString(status.code())},
          {"details", status.message()}});
}

void LedgerFile::Done(std::string_view reason) {
  Append({{"op", "done"}, {"reason", reason}});
}

void LedgerFile::Append(const nlohmann::json& entry) {
  // The replacement handler keeps a server message that is not UTF-8
  // from aborting the line; numbers are written in their shortest
  // round-trip form, so the checker compares exact doubles.
  const std::string line =
      entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
      "\n";
  absl::MutexLock lock(&write_mu_);
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = write(fd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::fprintf(stderr, "chaos worker: cannot write its ledger: %s\n",
                   std::strerror(errno));
      std::abort();
    }
    written += static_cast<size_t>(n);
  }
}

std::string LedgerStateName(v1::TrialState state) {
  constexpr std::string_view kPrefix = "TRIAL_STATE_";
  const std::string name = v1::TrialState_Name(state);
  return name.starts_with(kPrefix) ? name.substr(kPrefix.size()) : name;
}

}  // namespace knob::chaos

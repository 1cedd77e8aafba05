// The ledger of one C++ chaos worker: one JSON object per line for every
// write the server acknowledged and every call it refused for good, in
// the format tests/chaos/ledger.py checks against the database (described
// in chaos_worker.py, whose Python workers write the same lines).
//
// Each line is handed to the kernel (write(2)) before the method returns,
// so a worker killed with SIGKILL right after still leaves it behind; only
// a kill inside that call can tear the last line, which the checker skips
// as never acknowledged to anyone.
//
// Thread safety: the methods may be called from any thread; lines do not
// interleave.
#ifndef KNOB_TESTS_CHAOS_LEDGER_FILE_H_
#define KNOB_TESTS_CHAOS_LEDGER_FILE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "knob/v1/trial.pb.h"
#include "nlohmann/json.hpp"

namespace knob::chaos {

class LedgerFile final {
 public:
  // Opens `path` for appending, creating it. When that fails, the status
  // of the system's error (e.g. NOT_FOUND for a missing directory), naming
  // the path.
  static absl::StatusOr<std::unique_ptr<LedgerFile>> Open(
      const std::string& path);
  ~LedgerFile();

  LedgerFile(const LedgerFile&) = delete;
  LedgerFile& operator=(const LedgerFile&) = delete;

  // SuggestTrials handed out `trial` of `study_id`.
  void Suggested(int64_t study_id, const v1::Trial& trial);
  // ReportIntermediate stored `value` at `step`.
  void Reported(int64_t trial_id, int64_t step, double value);
  // CompleteTrial recorded the trial as `state` with objective `values`.
  void Completed(int64_t trial_id, v1::TrialState state,
                 const std::vector<double>& values);
  // `call` ("report" or "complete") failed with `status`, which the client
  // does not retry.
  void Refused(std::string_view call, int64_t trial_id,
               const absl::Status& status);
  // SuggestTrials declared the study done.
  void Done(std::string_view reason);

 private:
  explicit LedgerFile(int fd) : fd_(fd) {}

  // Aborts when the line cannot be written: a ledger with holes would
  // make the checker's "lost" figures meaningless.
  void Append(const nlohmann::json& entry);

  const int fd_;
  // Held across each line's write(2), so that lines never interleave.
  absl::Mutex write_mu_;
};

// The ledger's name of a trial state: "COMPLETED", "PRUNED", ….
std::string LedgerStateName(v1::TrialState state);

}  // namespace knob::chaos

#endif  // KNOB_TESTS_CHAOS_LEDGER_FILE_H_

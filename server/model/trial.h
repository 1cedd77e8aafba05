// Trials in the server's own terms.
#ifndef KNOB_SERVER_MODEL_TRIAL_H_
#define KNOB_SERVER_MODEL_TRIAL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "server/model/value.h"

namespace knob {

enum class TrialState {
  kWaiting,
  kRunning,
  kCompleted,
  kPruned,
  kFailed,
  kStale
};

// "WAITING", "RUNNING", "COMPLETED", "PRUNED", "FAILED", "STALE": the text
// PostgreSQL stores.
const char* TrialStateName(TrialState state);
std::optional<TrialState> TrialStateFromName(std::string_view name);

// COMPLETED, PRUNED, FAILED and STALE trials never change again.
bool IsFinished(TrialState state);

struct IntermediateValue {
  int64_t step = 0;
  std::string metric;
  double value = 0;
  // The report call's request id (may be empty) and the answer it got, so
  // that a retried report returns the original answer.
  std::string request_id;
  bool should_prune = false;
  std::string prune_reason;
  bool operator==(const IntermediateValue&) const = default;
};

struct Trial {
  int64_t id = 0;
  int64_t study_id = 0;
  int64_t number = 0;
  TrialState state = TrialState::kRunning;
  ParamAssignment params;
  // One per objective, in the study's order; set when COMPLETED.
  std::vector<double> values;
  std::map<std::string, double> metrics;
  // In the order reported.
  std::vector<IntermediateValue> intermediate_values;
  std::string worker_id;
  std::map<std::string, std::string> environment;
  std::string fail_reason;
  absl::Time create_time;
  std::optional<absl::Time> start_time;
  std::optional<absl::Time> end_time;
  std::optional<absl::Time> lease_deadline;
  // The study sequence of the trial's last change.
  int64_t sequence = 0;
  // Client request ids of the calls that enqueued, started and ended the
  // trial; a retried call with the same id gets the original answer.
  std::string enqueue_request_id;
  std::string suggest_request_id;
  std::string complete_request_id;
  // The number of the STALE trial whose parameters this one runs again.
  std::optional<int64_t> retry_of;
  bool operator==(const Trial&) const = default;
};

// Number of trials per state.
struct TrialCounts {
  int64_t waiting = 0;
  int64_t running = 0;
  int64_t completed = 0;
  int64_t pruned = 0;
  int64_t failed = 0;
  int64_t stale = 0;
  // STALE trials whose parameters were enqueued again (counted in `stale`
  // too): the trial retrying each one takes its place in the budgets.
  int64_t retried = 0;

  int64_t& For(TrialState state);
  // Counts `trial` in (or out of) its state, and as the retry it may be.
  void Add(const Trial& trial);
  void Remove(const Trial& trial);
  // Trials handed out to workers: all but WAITING, and but the lost ones a
  // retry replaces.
  int64_t Started() const {
    return running + completed + pruned + failed + stale - retried;
  }
  // Trials that ended FAILED, or STALE and not retried.
  int64_t Failed() const { return failed + stale - retried; }
  bool operator==(const TrialCounts&) const = default;
};

}  // namespace knob

#endif  // KNOB_SERVER_MODEL_TRIAL_H_

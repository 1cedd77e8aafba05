// The committed trials of one in-memory study, kept by number together
// with the indexes that the storage's queries use, so that answering "what
// changed", "which is waiting", "whose lease ran out" or "what did this
// request create" costs the size of the answer rather than of the history.
//
// Not thread-safe: the owner guards it.
#ifndef KNOB_SERVER_STORAGE_MEMORY_TRIAL_TABLE_H_
#define KNOB_SERVER_STORAGE_MEMORY_TRIAL_TABLE_H_

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "server/model/trial.h"

namespace knob::memory_internal {

class TrialTable {
 public:
  // Trials are numbered 0 .. size() - 1.
  int64_t size() const { return static_cast<int64_t>(trials_.size()); }

  // Requires 0 <= number < size().
  const Trial& at(int64_t number) const { return trials_[number]; }

  // Replaces the trial with trial.number, or appends it when its number is
  // size(). Requires 0 <= trial.number <= size().
  void Put(Trial trial);

  // Numbers of the trials whose sequence is greater than `after`, ascending.
  std::vector<int64_t> ChangedSince(int64_t after) const;

  // Numbers of the WAITING trials, ascending.
  const std::set<int64_t>& waiting() const { return waiting_; }

  // Numbers of the RUNNING trials whose lease deadline is before `now`,
  // ascending.
  std::vector<int64_t> LeasesExpiredBefore(absl::Time now) const;
  bool AnyLeaseExpiredBefore(absl::Time now) const;

  // Numbers of the trials whose suggest_request_id is `request_id`,
  // ascending.
  std::vector<int64_t> BySuggestRequest(const std::string& request_id) const;

  // Whether a trial retries the one numbered `number`.
  bool IsRetried(int64_t number) const { return retried_.contains(number); }

  const TrialCounts& counts() const { return counts_; }

 private:
  void Index(const Trial& trial);
  void Unindex(const Trial& trial);

  std::vector<Trial> trials_;
  std::set<std::pair<int64_t, int64_t>> by_sequence_;
  std::set<int64_t> waiting_;
  // Only RUNNING trials, by (deadline, number).
  std::set<std::pair<absl::Time, int64_t>> leases_;
  std::set<std::pair<std::string, int64_t>> by_suggest_request_;
  // Numbers of the trials that some trial retries.
  std::set<int64_t> retried_;
  TrialCounts counts_;
};

}  // namespace knob::memory_internal

#endif  // KNOB_SERVER_STORAGE_MEMORY_TRIAL_TABLE_H_

#include "server/storage/memory/trial_table.h"

#include <algorithm>
#include <cassert>
#include <limits>

namespace knob::memory_internal {
namespace {

constexpr int64_t kMinNumber = std::numeric_limits<int64_t>::min();

bool HoldsLease(const Trial& trial) {
  return trial.state == TrialState::kRunning &&
         trial.lease_deadline.has_value();
}

}  // namespace

void TrialTable::Put(Trial trial) {
  assert(trial.number >= 0 && trial.number <= size());
  if (trial.number < size()) {
    Trial& slot = trials_[trial.number];
    Unindex(slot);
    slot = std::move(trial);
    Index(slot);
    return;
  }
  trials_.push_back(std::move(trial));
  Index(trials_.back());
}

std::vector<int64_t> TrialTable::ChangedSince(int64_t after) const {
  std::vector<int64_t> numbers;
  for (auto it = by_sequence_.upper_bound(
           {after, std::numeric_limits<int64_t>::max()});
       it != by_sequence_.end(); ++it) {
    numbers.push_back(it->second);
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

std::vector<int64_t> TrialTable::LeasesExpiredBefore(absl::Time now) const {
  std::vector<int64_t> numbers;
  for (auto it = leases_.begin(); it != leases_.end() && it->first < now;
       ++it) {
    numbers.push_back(it->second);
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

bool TrialTable::AnyLeaseExpiredBefore(absl::Time now) const {
  return !leases_.empty() && leases_.begin()->first < now;
}

std::vector<int64_t> TrialTable::BySuggestRequest(
    const std::string& request_id) const {
  std::vector<int64_t> numbers;
  for (auto it = by_suggest_request_.lower_bound({request_id, kMinNumber});
       it != by_suggest_request_.end() && it->first == request_id; ++it) {
    numbers.push_back(it->second);
  }
  return numbers;
}

void TrialTable::Index(const Trial& trial) {
  by_sequence_.emplace(trial.sequence, trial.number);
  if (trial.state == TrialState::kWaiting) waiting_.insert(trial.number);
  if (HoldsLease(trial)) leases_.emplace(*trial.lease_deadline, trial.number);
  by_suggest_request_.emplace(trial.suggest_request_id, trial.number);
  if (trial.retry_of.has_value()) retried_.insert(*trial.retry_of);
  counts_.Add(trial);
}

void TrialTable::Unindex(const Trial& trial) {
  by_sequence_.erase({trial.sequence, trial.number});
  waiting_.erase(trial.number);
  if (HoldsLease(trial)) leases_.erase({*trial.lease_deadline, trial.number});
  by_suggest_request_.erase({trial.suggest_request_id, trial.number});
  if (trial.retry_of.has_value()) retried_.erase(*trial.retry_of);
  counts_.Remove(trial);
}

}  // namespace knob::memory_internal

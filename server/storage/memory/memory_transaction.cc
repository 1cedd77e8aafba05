#include "server/storage/memory/memory_transaction.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/util/status_macros.h"

namespace knob::memory_internal {
namespace {

constexpr char kLeaseExpiredReason[] = "lease expired";

absl::Status RequireRunning(const Trial& trial, const char* action) {
  if (trial.state == TrialState::kRunning) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("cannot ", action, " trial ", trial.id, ": it is ",
                   TrialStateName(trial.state), ", not RUNNING"));
}

}  // namespace

MemoryTransaction::MemoryTransaction(Tables& tables, StudyData& data,
                                     Study study)
    : tables_(tables), data_(data), study_(std::move(study)) {}

void MemoryTransaction::Commit() {
  absl::MutexLock lock(&tables_.mu);
  // Ascending numbers: replaced trials first, then new ones in the order
  // TrialTable::Put appends them.
  for (auto& [number, trial] : staged_) {
    if (number >= data_.trials.size()) {
      tables_.trial_locations[trial.id] = {study_.id, number};
    }
    data_.trials.Put(std::move(trial));
  }
  Study& committed = data_.study;
  committed.sequence = sequence();
  committed.next_trial_number += created_;
  if (state_.has_value()) {
    committed.state = *state_;
    committed.state_reason = state_reason_;
  }
  if (metadata_.has_value()) committed.metadata = *std::move(metadata_);
  if (sampler_state_.has_value()) {
    committed.sampler_state = *std::move(sampler_state_);
  }
  if (update_time_.has_value()) committed.update_time = *update_time_;
}

absl::StatusOr<std::vector<Trial>> MemoryTransaction::TrialsChangedSince(
    int64_t after) {
  absl::ReaderMutexLock lock(&tables_.mu);
  std::vector<int64_t> numbers = data_.trials.ChangedSince(after);
  if (sequence() > after) {
    for (const auto& [number, trial] : staged_) numbers.push_back(number);
    std::sort(numbers.begin(), numbers.end());
    numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  }
  return CurrentTrials(numbers);
}

absl::StatusOr<TrialCounts> MemoryTransaction::CountTrials() {
  absl::ReaderMutexLock lock(&tables_.mu);
  TrialCounts counts = data_.trials.counts();
  for (const auto& [number, trial] : staged_) {
    if (number < data_.trials.size()) counts.Remove(data_.trials.at(number));
    counts.Add(trial);
  }
  return counts;
}

absl::StatusOr<Trial> MemoryTransaction::CreateTrial(const NewTrial& new_trial,
                                                     absl::Time now) {
  RETURN_IF_ERROR(CheckNewTrial(new_trial));
  if (new_trial.retry_of.has_value()) {
    RETURN_IF_ERROR(CheckRetriable(*new_trial.retry_of));
  }
  const bool running = new_trial.state == TrialState::kRunning;
  Trial trial;
  {
    absl::MutexLock lock(&tables_.mu);
    trial.id = ++tables_.last_trial_id;
  }
  trial.study_id = study_.id;
  trial.number = study_.next_trial_number + created_;
  trial.state = new_trial.state;
  trial.params = new_trial.params;
  trial.worker_id = new_trial.worker_id;
  trial.environment = new_trial.environment;
  trial.create_time = now;
  if (running) {
    trial.start_time = now;
    trial.lease_deadline = new_trial.lease_deadline;
  }
  (running ? trial.suggest_request_id : trial.enqueue_request_id) =
      new_trial.request_id;
  trial.retry_of = new_trial.retry_of;
  ++created_;
  new_trial_numbers_[trial.id] = trial.number;
  return Stage(std::move(trial));
}

absl::StatusOr<std::optional<Trial>> MemoryTransaction::OldestWaitingTrial() {
  absl::ReaderMutexLock lock(&tables_.mu);
  std::optional<int64_t> oldest;
  for (int64_t number : data_.trials.waiting()) {
    if (!staged_.contains(number)) {
      oldest = number;
      break;
    }
  }
  for (const auto& [number, trial] : staged_) {
    if (oldest.has_value() && number > *oldest) break;
    if (trial.state == TrialState::kWaiting) {
      oldest = number;
      break;
    }
  }
  if (!oldest.has_value()) return std::nullopt;
  return CurrentTrial(*oldest);
}

absl::StatusOr<Trial> MemoryTransaction::StartWaitingTrial(
    const Trial& known, const std::string& worker_id,
    const std::map<std::string, std::string>& environment,
    absl::Time lease_deadline, const std::string& request_id, absl::Time now) {
  // The stored trial, not the caller's copy, decides.
  ASSIGN_OR_RETURN(Trial trial, Load(known.id));
  if (trial.state != TrialState::kWaiting) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot start trial ", trial.id, ": it is ",
                     TrialStateName(trial.state), ", not WAITING"));
  }
  ApplyStart(trial, worker_id, environment, lease_deadline, request_id, now);
  return Stage(std::move(trial));
}

absl::StatusOr<std::vector<Trial>> MemoryTransaction::TrialsBySuggestRequest(
    const std::string& request_id) {
  absl::ReaderMutexLock lock(&tables_.mu);
  std::vector<int64_t> numbers;
  for (int64_t number : data_.trials.BySuggestRequest(request_id)) {
    if (!staged_.contains(number)) numbers.push_back(number);
  }
  for (const auto& [number, trial] : staged_) {
    if (trial.suggest_request_id == request_id) numbers.push_back(number);
  }
  std::sort(numbers.begin(), numbers.end());
  return CurrentTrials(numbers);
}

absl::StatusOr<Trial> MemoryTransaction::ExtendLease(
    const Trial& known, absl::Time lease_deadline) {
  ASSIGN_OR_RETURN(Trial trial, Load(known.id));
  RETURN_IF_ERROR(RequireRunning(trial, "extend the lease of"));
  trial.lease_deadline = lease_deadline;
  return Stage(std::move(trial));
}

absl::StatusOr<Trial> MemoryTransaction::AddIntermediateValue(
    const Trial& known, const IntermediateValue& value) {
  ASSIGN_OR_RETURN(Trial trial, Load(known.id));
  RETURN_IF_ERROR(RequireRunning(trial, "report an intermediate value of"));
  ApplyIntermediateValue(trial, value);
  return Stage(std::move(trial));
}

absl::StatusOr<Trial> MemoryTransaction::FinishTrial(
    const Trial& known, const TrialOutcome& outcome, absl::Time now) {
  RETURN_IF_ERROR(CheckOutcome(outcome));
  ASSIGN_OR_RETURN(Trial trial, Load(known.id));
  RETURN_IF_ERROR(RequireRunning(trial, "finish"));
  ApplyOutcome(trial, outcome, now);
  return Stage(std::move(trial));
}

absl::StatusOr<std::vector<Trial>> MemoryTransaction::ExpireLeases(
    absl::Time now) {
  std::vector<Trial> expired;
  {
    absl::ReaderMutexLock lock(&tables_.mu);
    std::vector<int64_t> numbers;
    for (int64_t number : data_.trials.LeasesExpiredBefore(now)) {
      if (!staged_.contains(number)) numbers.push_back(number);
    }
    for (const auto& [number, trial] : staged_) {
      if (trial.state == TrialState::kRunning &&
          trial.lease_deadline.has_value() && *trial.lease_deadline < now) {
        numbers.push_back(number);
      }
    }
    std::sort(numbers.begin(), numbers.end());
    expired = CurrentTrials(numbers);
  }
  TrialOutcome outcome;
  outcome.state = TrialState::kStale;
  outcome.fail_reason = kLeaseExpiredReason;
  for (Trial& trial : expired) {
    ApplyOutcome(trial, outcome, now);
    trial = Stage(std::move(trial));
  }
  return expired;
}

absl::Status MemoryTransaction::SetStudyState(StudyState state,
                                              const std::string& reason,
                                              absl::Time now) {
  state_ = state;
  state_reason_ = reason;
  update_time_ = now;
  study_changed_ = true;
  return absl::OkStatus();
}

absl::Status MemoryTransaction::SetStudyMetadata(
    const std::map<std::string, std::string>& metadata, absl::Time now) {
  metadata_ = metadata;
  update_time_ = now;
  study_changed_ = true;
  return absl::OkStatus();
}

absl::Status MemoryTransaction::SetSamplerState(const std::string& state) {
  sampler_state_ = state;
  study_changed_ = true;
  return absl::OkStatus();
}

absl::Status MemoryTransaction::CheckRetriable(int64_t number) {
  absl::ReaderMutexLock lock(&tables_.mu);
  if (number < 0 || number >= study_.next_trial_number + created_) {
    return absl::NotFoundError(
        absl::StrCat("study ", study_.id, " has no trial number ", number));
  }
  const Trial retried = CurrentTrial(number);
  if (retried.state != TrialState::kStale) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot retry trial ", retried.id, ": it is ",
                     TrialStateName(retried.state), ", not STALE"));
  }
  // Committed trials keep the retry_of they were created with, so only the
  // trials this transaction created can add a retry.
  bool already_retried = data_.trials.IsRetried(number);
  for (const auto& [created_number, trial] : staged_) {
    if (created_number >= data_.trials.size() && trial.retry_of == number) {
      already_retried = true;
    }
  }
  if (already_retried) {
    return absl::AlreadyExistsError(
        absl::StrCat("trial ", retried.id, " is already retried"));
  }
  return absl::OkStatus();
}

Trial MemoryTransaction::CurrentTrial(int64_t number) const {
  auto staged = staged_.find(number);
  if (staged != staged_.end()) return staged->second;
  return data_.trials.at(number);
}

std::vector<Trial> MemoryTransaction::CurrentTrials(
    const std::vector<int64_t>& numbers) const {
  std::vector<Trial> trials;
  trials.reserve(numbers.size());
  for (int64_t number : numbers) trials.push_back(CurrentTrial(number));
  return trials;
}

absl::StatusOr<Trial> MemoryTransaction::Load(int64_t trial_id) {
  auto created = new_trial_numbers_.find(trial_id);
  if (created != new_trial_numbers_.end()) {
    return staged_.at(created->second);
  }
  absl::ReaderMutexLock lock(&tables_.mu);
  auto location = tables_.trial_locations.find(trial_id);
  if (location == tables_.trial_locations.end() ||
      location->second.study_id != study_.id) {
    return absl::NotFoundError(absl::StrCat(
        "trial ", trial_id, " is not a trial of study ", study_.id));
  }
  return CurrentTrial(location->second.number);
}

Trial MemoryTransaction::Stage(Trial trial) {
  trial.sequence = sequence();
  const int64_t number = trial.number;
  return staged_.insert_or_assign(number, std::move(trial)).first->second;
}

}  // namespace knob::memory_internal

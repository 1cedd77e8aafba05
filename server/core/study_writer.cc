#include "server/core/study_writer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/util/status_macros.h"

namespace knob {

StudyWriter::StudyWriter(StudyRuntime& runtime, StudyTransaction& transaction,
                         absl::Time now)
    : runtime_(runtime),
      transaction_(transaction),
      now_(now),
      sequence_(transaction.sequence()),
      study_(transaction.study()),
      counts_(runtime.counts()) {}

const Trial* StudyWriter::FindTrial(int64_t trial_id) const {
  auto it = changed_index_by_id_.find(trial_id);
  if (it != changed_index_by_id_.end()) return &changed_[it->second];
  return runtime_.FindTrial(trial_id);
}

absl::StatusOr<const Trial*> StudyWriter::GetTrial(int64_t trial_id) const {
  const Trial* trial = FindTrial(trial_id);
  if (trial == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("trial_id: no trial ", trial_id, " in study ", study_.id));
  }
  return trial;
}

absl::Span<const Trial* const> StudyWriter::AllTrials() const {
  if (!all_trials_.has_value()) {
    absl::Span<const Trial* const> committed = runtime_.trials();
    all_trials_.emplace(committed.begin(), committed.end());
    for (const Trial& trial : changed_) PointAllTrialsAt(trial);
  }
  return *all_trials_;
}

void StudyWriter::PointAllTrialsAt(const Trial& trial) const {
  std::vector<const Trial*>& all = *all_trials_;
  if (trial.number >= static_cast<int64_t>(all.size())) {
    all.resize(trial.number + 1, nullptr);
  }
  all[trial.number] = &trial;
}

const Trial* StudyWriter::OldestWaitingTrial() const {
  for (int64_t number : runtime_.waiting_numbers()) {
    const Trial* trial = FindTrial(runtime_.TrialByNumber(number).id);
    if (trial->state == TrialState::kWaiting) return trial;
  }
  // Trials enqueued by this same transaction.
  for (const Trial& trial : changed_) {
    if (trial.state == TrialState::kWaiting) return &trial;
  }
  return nullptr;
}

std::vector<const Trial*> StudyWriter::TrialsOfSuggestRequest(
    const std::string& request_id) const {
  std::vector<const Trial*> trials;
  for (const Trial* committed : runtime_.TrialsOfSuggestRequest(request_id)) {
    const Trial* current = FindTrial(committed->id);
    if (current->suggest_request_id == request_id) trials.push_back(current);
  }
  // Several requests of a group share a transaction, and a retried request
  // may be in the same group as its first attempt.
  for (const Trial& changed : changed_) {
    const Trial* before = runtime_.FindTrial(changed.id);
    if (changed.suggest_request_id == request_id &&
        (before == nullptr || before->suggest_request_id != request_id)) {
      trials.push_back(&changed);
    }
  }
  std::sort(trials.begin(), trials.end(), [](const Trial* a, const Trial* b) {
    return a->number < b->number;
  });
  return trials;
}

absl::StatusOr<Trial> StudyWriter::Record(absl::StatusOr<Trial> trial) {
  if (!trial.ok()) return trial;
  changed_anything_ = true;
  ++mutations_;
  auto [it, inserted] =
      changed_index_by_id_.try_emplace(trial->id, changed_.size());
  if (inserted) {
    const Trial* before = runtime_.FindTrial(trial->id);
    if (before != nullptr) {
      counts_.Remove(*before);
    } else {
      ++created_;
    }
    changed_.push_back(*trial);
    // push_back may have moved the trials AllTrials() points at; a group
    // changes few enough trials to point at them all again.
    if (all_trials_.has_value()) {
      for (const Trial& changed : changed_) PointAllTrialsAt(changed);
    }
  } else {
    counts_.Remove(changed_[it->second]);
    changed_[it->second] = *trial;
  }
  counts_.Add(*trial);
  return trial;
}

absl::StatusOr<Trial> StudyWriter::CreateTrial(const NewTrial& trial) {
  return Record(transaction_.CreateTrial(trial, now_));
}

absl::StatusOr<Trial> StudyWriter::StartWaitingTrial(
    int64_t trial_id, const std::string& worker_id,
    const std::map<std::string, std::string>& environment,
    absl::Time lease_deadline, const std::string& request_id) {
  ASSIGN_OR_RETURN(const Trial* trial, GetTrial(trial_id));
  return Record(transaction_.StartWaitingTrial(
      *trial, worker_id, environment, lease_deadline, request_id, now_));
}

absl::StatusOr<Trial> StudyWriter::ExtendLease(int64_t trial_id,
                                               absl::Time deadline) {
  ASSIGN_OR_RETURN(const Trial* trial, GetTrial(trial_id));
  return Record(transaction_.ExtendLease(*trial, deadline));
}

absl::StatusOr<Trial> StudyWriter::AddIntermediateValue(
    int64_t trial_id, const IntermediateValue& value) {
  ASSIGN_OR_RETURN(const Trial* trial, GetTrial(trial_id));
  return Record(transaction_.AddIntermediateValue(*trial, value));
}

absl::StatusOr<Trial> StudyWriter::FinishTrial(int64_t trial_id,
                                               const TrialOutcome& outcome) {
  ASSIGN_OR_RETURN(const Trial* trial, GetTrial(trial_id));
  return Record(transaction_.FinishTrial(*trial, outcome, now_));
}

absl::StatusOr<std::vector<Trial>> StudyWriter::ExpireLeases() {
  ASSIGN_OR_RETURN(std::vector<Trial> expired, transaction_.ExpireLeases(now_));
  for (const Trial& trial : expired) RETURN_IF_ERROR(Record(trial).status());
  return expired;
}

absl::Status StudyWriter::SetStudyState(StudyState state,
                                        const std::string& reason) {
  RETURN_IF_ERROR(transaction_.SetStudyState(state, reason, now_));
  changed_anything_ = true;
  ++mutations_;
  study_.state = state;
  study_.state_reason = reason;
  study_.update_time = now_;
  return absl::OkStatus();
}

absl::Status StudyWriter::SetStudyMetadata(
    const std::map<std::string, std::string>& metadata) {
  RETURN_IF_ERROR(transaction_.SetStudyMetadata(metadata, now_));
  changed_anything_ = true;
  ++mutations_;
  study_.metadata = metadata;
  study_.update_time = now_;
  return absl::OkStatus();
}

absl::Status StudyWriter::SetSamplerState(const std::string& state) {
  RETURN_IF_ERROR(transaction_.SetSamplerState(state));
  changed_anything_ = true;
  ++mutations_;
  study_.sampler_state = state;
  return absl::OkStatus();
}

Study StudyWriter::committed_study() const {
  Study study = study_;
  study.sequence = committed_sequence();
  study.next_trial_number = next_trial_number();
  return study;
}

}  // namespace knob

#include "server/core/study_runtime.h"

#include <utility>

#include "server/observability/log.h"
#include "server/util/status_macros.h"

namespace knob {

absl::StatusOr<std::unique_ptr<StudyRuntime>> StudyRuntime::Create(
    const Study& study, const SamplerRegistry& samplers,
    const PrunerRegistry& pruners) {
  ASSIGN_OR_RETURN(std::unique_ptr<Sampler> sampler,
                   samplers.Create(study.config, study.config.sampler));
  ASSIGN_OR_RETURN(std::unique_ptr<Pruner> pruner,
                   pruners.Create(study.config, study.config.pruner));
  auto runtime = std::unique_ptr<StudyRuntime>(
      new StudyRuntime(study, std::move(sampler), std::move(pruner)));
  runtime->LoadSamplerState();
  return runtime;
}

StudyRuntime::StudyRuntime(const Study& study, std::unique_ptr<Sampler> sampler,
                           std::unique_ptr<Pruner> pruner)
    : study_(study), sampler_(std::move(sampler)), pruner_(std::move(pruner)) {}

absl::Status StudyRuntime::Sync(StudyTransaction& transaction) {
  const Study& locked = transaction.study();
  // A transaction that sampled and did not commit left the sampler ahead
  // of the stored state (the callback may even be this transaction's
  // previous attempt).
  bool reload = sampled_;
  if (locked.sequence != sequence_) {
    ASSIGN_OR_RETURN(std::vector<Trial> changed,
                     transaction.TrialsChangedSince(sequence_));
    // After a restart this is the whole history: the indexes grow once,
    // and the trials are moved, not copied.
    number_by_id_.reserve(number_by_id_.size() + changed.size());
    numbers_by_request_.reserve(numbers_by_request_.size() + changed.size());
    for (Trial& trial : changed) Merge(std::move(trial));
    sequence_ = locked.sequence;
    // Another process stored a new state with the trials it sampled.
    reload = reload || locked.sampler_state != study_.sampler_state;
  }
  study_ = locked;
  if (reload) LoadSamplerState();
  return absl::OkStatus();
}

void StudyRuntime::Commit(const Study& study, absl::Span<const Trial> changed,
                          int64_t sequence) {
  for (const Trial& trial : changed) Merge(trial);
  study_ = study;
  study_.sequence = sequence;
  sequence_ = sequence;
  // The transaction stored whatever its sampling changed.
  sampled_ = false;
}

absl::StatusOr<ParamAssignment> StudyRuntime::Sample(
    const SamplingContext& context) {
  sampled_ = true;
  ++samples_;
  return sampler_->Sample(context);
}

std::optional<std::string> StudyRuntime::ChangedSamplerState() const {
  if (!sampled_) return std::nullopt;
  std::string state = sampler_->SaveState();
  if (state == study_.sampler_state) return std::nullopt;
  return state;
}

void StudyRuntime::LoadSamplerState() {
  sampled_ = false;
  const absl::Status loaded = sampler_->LoadState(study_.sampler_state);
  if (loaded.ok()) return;
  Log(LogLevel::kWarning,
      "cannot load the sampler's state; the sampler starts over",
      {{"study_id", study_.id}, {"error", loaded.ToString()}});
  // Empty bytes always load (the Sampler contract): they mean "start over".
  sampler_->LoadState("").IgnoreError();
}

void StudyRuntime::Merge(Trial trial) {
  while (static_cast<int64_t>(trials_.size()) <= trial.number) {
    // Numbers are dense, so a gap is only ever filled by the trials that
    // arrive next in the same batch; the placeholder is never exposed.
    trials_.emplace_back();
    trials_.back().number = static_cast<int64_t>(trials_.size()) - 1;
    trials_.back().id = -1;
    trial_pointers_.push_back(&trials_.back());
  }
  Trial& slot = trials_[trial.number];
  if (slot.id >= 0) {
    counts_.Remove(slot);
    waiting_.erase(slot.number);
  }
  if (!slot.suggest_request_id.empty() &&
      slot.suggest_request_id != trial.suggest_request_id) {
    std::vector<int64_t>& numbers =
        numbers_by_request_[slot.suggest_request_id];
    std::erase(numbers, slot.number);
  }
  const bool newly_requested =
      !trial.suggest_request_id.empty() &&
      (slot.id < 0 || slot.suggest_request_id != trial.suggest_request_id);
  slot = std::move(trial);
  counts_.Add(slot);
  if (slot.state == TrialState::kWaiting) waiting_.insert(slot.number);
  number_by_id_[slot.id] = slot.number;
  if (newly_requested) {
    numbers_by_request_[slot.suggest_request_id].push_back(slot.number);
  }
}

const Trial* StudyRuntime::FindTrial(int64_t trial_id) const {
  auto it = number_by_id_.find(trial_id);
  return it == number_by_id_.end() ? nullptr : &trials_[it->second];
}

std::vector<const Trial*> StudyRuntime::TrialsOfSuggestRequest(
    const std::string& request_id) const {
  std::vector<const Trial*> result;
  auto it = numbers_by_request_.find(request_id);
  if (it == numbers_by_request_.end()) return result;
  for (int64_t number : it->second) result.push_back(&trials_[number]);
  return result;
}

}  // namespace knob

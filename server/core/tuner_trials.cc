// Trial-level operations of the Tuner: suggest, heartbeat, report,
// complete, enqueue, reads and lease expiry.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "server/core/best_trials.h"
#include "server/core/tuner.h"
#include "server/model/constraints.h"
#include "server/model/search_space.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

// The randomness of one trial derives from (study seed, trial number) only,
// so a study replayed on the same history proposes the same trials. The
// pair is mixed into one 64-bit seed (SplitMix64's finalizer): seeding the
// engine through std::seed_seq cost more than sampling a random trial.
std::mt19937_64 TrialRng(uint64_t seed, int64_t number) {
  auto mix = [](uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  };
  // One-to-one in the number for a given seed: no two trials of a study
  // share their randomness.
  return std::mt19937_64(mix(mix(seed) + static_cast<uint64_t>(number)));
}

// Whether the best trial's value meets the study's target, or the trials
// finished since the best one have used up its patience; only read when
// the study sets either, since it looks at every trial.
std::optional<std::string> ProgressStoppingReason(
    const StudyConfig& config, absl::Span<const Trial* const> trials) {
  const StoppingCriteria& stopping = config.stopping;
  const std::vector<const Trial*> best = BestTrials(config, trials);
  if (best.empty() || !IsFeasible(config, *best.front())) return std::nullopt;
  const Trial& leader = *best.front();
  const double value = leader.values.front();
  if (stopping.target_value) {
    const bool minimize =
        config.objectives.front().direction == Direction::kMinimize;
    if (minimize ? value <= *stopping.target_value
                 : value >= *stopping.target_value) {
      return absl::StrCat("target_value=", *stopping.target_value,
                          " reached by trial ", leader.number, " (", value,
                          ")");
    }
  }
  if (stopping.patience) {
    int64_t since_best = 0;
    for (const Trial* trial : trials) {
      if (trial->number > leader.number &&
          (trial->state == TrialState::kCompleted ||
           trial->state == TrialState::kPruned)) {
        ++since_best;
      }
    }
    if (since_best >= *stopping.patience) {
      return absl::StrCat("patience=", *stopping.patience,
                          " reached: ", since_best,
                          " trials finished after trial ", leader.number, " (",
                          value, ") without beating it");
    }
  }
  return std::nullopt;
}

// Whether the study has handed out all the trials its budget allows.
bool BudgetSpent(const StudyWriter& writer) {
  const std::optional<int64_t>& max_trials =
      writer.study().config.stopping.max_trials;
  return max_trials && writer.counts().Started() >= *max_trials;
}

// Whether a study that spent its budget must still wait for its running
// trials: one of them may be lost, and its retry then takes its place.
bool AwaitsPossibleRetries(const StudyWriter& writer) {
  return writer.study().config.max_stale_retries > 0 &&
         writer.counts().running > 0;
}

// Why the study must stop handing out trials, if it must.
std::optional<std::string> StoppingReason(const StudyWriter& writer) {
  const Study& study = writer.study();
  const TrialCounts& counts = writer.counts();
  const absl::Time now = writer.now();
  const StoppingCriteria& stopping = study.config.stopping;
  if (BudgetSpent(writer) && !AwaitsPossibleRetries(writer)) {
    return absl::StrCat("max_trials=", *stopping.max_trials, " reached");
  }
  if (stopping.max_failed_trials &&
      counts.Failed() >= *stopping.max_failed_trials) {
    return absl::StrCat("max_failed_trials=", *stopping.max_failed_trials,
                        " reached");
  }
  if (stopping.max_wall_time &&
      now - study.create_time >= *stopping.max_wall_time) {
    return absl::StrCat(
        "max_wall_time=", absl::FormatDuration(*stopping.max_wall_time),
        " reached");
  }
  if (stopping.target_value || stopping.patience) {
    return ProgressStoppingReason(study.config, writer.AllTrials());
  }
  return std::nullopt;
}

// Completes a RUNNING study whose stopping criteria are met.
absl::Status CompleteIfDone(StudyWriter& writer) {
  if (writer.study().state != StudyState::kRunning) return absl::OkStatus();
  auto reason = StoppingReason(writer);
  if (!reason) return absl::OkStatus();
  return writer.SetStudyState(StudyState::kCompleted, *reason);
}

absl::Status CheckFinite(const std::string& field, double value) {
  if (std::isfinite(value)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must be a finite number, got ", value));
}

bool IsStudyMetric(const StudyConfig& config, const std::string& metric) {
  for (const Objective& objective : config.objectives) {
    if (objective.metric == metric) return true;
  }
  for (const std::string& extra : config.extra_metrics) {
    if (extra == metric) return true;
  }
  return false;
}

absl::Status CheckOutcome(const StudyConfig& config,
                          const TrialOutcome& outcome) {
  const bool completed = outcome.state == TrialState::kCompleted;
  if (completed && outcome.values.size() != config.objectives.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "values: the study has ", config.objectives.size(),
        " objective(s), got ", outcome.values.size(), " value(s)"));
  }
  if (outcome.state == TrialState::kPruned && !outcome.values.empty() &&
      outcome.values.size() != config.objectives.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "values: the study has ", config.objectives.size(),
        " objective(s), got ", outcome.values.size(), " value(s)"));
  }
  if (outcome.state == TrialState::kFailed && !outcome.values.empty()) {
    return absl::InvalidArgumentError(
        "values: a FAILED trial has no objective values");
  }
  for (size_t i = 0; i < outcome.values.size(); ++i) {
    RETURN_IF_ERROR(
        CheckFinite(absl::StrCat("values[", i, "]"), outcome.values[i]));
  }
  for (const auto& [name, value] : outcome.metrics) {
    if (!IsStudyMetric(config, name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "metrics[\"", name,
          "\"]: not a metric of the study (declare it in extra_metrics)"));
    }
    RETURN_IF_ERROR(
        CheckFinite(absl::StrCat("metrics[\"", name, "\"]"), value));
  }
  if (completed) {
    RETURN_IF_ERROR(CheckConstrainedMetricsReported(config, outcome.metrics));
  }
  return absl::OkStatus();
}

// The value a report with this request id recorded, if any.
const IntermediateValue* ReportWithRequestId(const Trial& trial,
                                             const std::string& request_id) {
  if (request_id.empty()) return nullptr;
  for (const IntermediateValue& value : trial.intermediate_values) {
    if (value.request_id == request_id) return &value;
  }
  return nullptr;
}

// The trial that runs `trial`'s parameters again, if any.
const Trial* RetryOf(const StudyWriter& writer, const Trial& trial) {
  if (trial.state != TrialState::kStale) return nullptr;
  for (const Trial* other : writer.AllTrials()) {
    if (other != nullptr && other->retry_of == trial.number) return other;
  }
  return nullptr;
}

// How many retries of the same point preceded `trial`.
int RetriesBefore(const StudyWriter& writer, const Trial& trial) {
  const absl::Span<const Trial* const> by_number = writer.AllTrials();
  int retries = 0;
  for (std::optional<int64_t> retried = trial.retry_of; retried.has_value();
       retried = by_number[*retried]->retry_of) {
    ++retries;
  }
  return retries;
}

absl::Status NotRunning(const StudyWriter& writer, const Trial& trial,
                        const std::string& action) {
  std::string message =
      absl::StrCat("trial_id: trial ", trial.id, " is ",
                   TrialStateName(trial.state), "; cannot ", action);
  if (!trial.fail_reason.empty()) {
    absl::StrAppend(&message, " (", trial.fail_reason, ")");
  }
  if (const Trial* retry = RetryOf(writer, trial)) {
    absl::StrAppend(&message, "; its parameters run again as trial ", retry->id,
                    " (number ", retry->number, ")");
  }
  return absl::FailedPreconditionError(message);
}

// Enqueues the parameters of trials that just went STALE again, as the
// study's retry policy allows. A stopped or completed study does not run
// them.
absl::Status RetryLostTrials(StudyWriter& writer,
                             const std::vector<Trial>& stale) {
  const Study& study = writer.study();
  if (study.state != StudyState::kRunning &&
      study.state != StudyState::kPaused) {
    return absl::OkStatus();
  }
  for (const Trial& lost : stale) {
    if (RetriesBefore(writer, lost) >= study.config.max_stale_retries) {
      continue;
    }
    NewTrial retry;
    retry.state = TrialState::kWaiting;
    retry.params = lost.params;
    retry.retry_of = lost.number;
    RETURN_IF_ERROR(writer.CreateTrial(retry).status());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Tuner::SuggestInTransaction(const SuggestInput& input,
                                         StudyWriter& writer,
                                         SuggestResult& result) {
  result = SuggestResult{};
  if (!input.request_id.empty()) {
    for (const Trial* trial : writer.TrialsOfSuggestRequest(input.request_id)) {
      result.trials.push_back(*trial);
    }
    if (!result.trials.empty()) return absl::OkStatus();
  }
  RETURN_IF_ERROR(CompleteIfDone(writer));
  const StudyConfig& config = writer.study().config;
  for (int i = 0; i < input.count; ++i) {
    if (writer.study().state != StudyState::kRunning || BudgetSpent(writer)) {
      break;
    }
    const absl::Time lease_deadline = writer.now() + config.lease_duration;
    if (const Trial* waiting = writer.OldestWaitingTrial()) {
      ASSIGN_OR_RETURN(Trial started,
                       writer.StartWaitingTrial(
                           waiting->id, input.worker_id, input.environment,
                           lease_deadline, input.request_id));
      result.trials.push_back(std::move(started));
    } else {
      const int64_t number = writer.next_trial_number();
      std::mt19937_64 rng = TrialRng(config.seed, number);
      const absl::Span<const Trial* const> history = writer.AllTrials();
      SamplingContext context{config, history, number, absl::BitGenRef(rng)};
      // WithStudy stores the sampler's changed state with these trials.
      const auto sampling_start = std::chrono::steady_clock::now();
      absl::StatusOr<ParamAssignment> params = writer.runtime().Sample(context);
      options_.metrics->ObserveSampling(
          config.sampler.name,
          absl::FromChrono(std::chrono::steady_clock::now() - sampling_start));
      if (absl::IsOutOfRange(params.status())) {
        RETURN_IF_ERROR(writer.SetStudyState(
            StudyState::kCompleted, std::string(params.status().message())));
        break;
      }
      RETURN_IF_ERROR(params.status());
      NewTrial trial{TrialState::kRunning, *std::move(params),
                     input.worker_id,      input.environment,
                     lease_deadline,       input.request_id};
      ASSIGN_OR_RETURN(Trial created, writer.CreateTrial(trial));
      result.trials.push_back(std::move(created));
    }
    RETURN_IF_ERROR(CompleteIfDone(writer));
  }
  if (result.trials.empty() && writer.study().state == StudyState::kRunning) {
    // Only a spent budget with trials still running, one of which may yet
    // be retried, keeps a RUNNING study from handing out trials.
    result.done_reason =
        absl::StrCat("max_trials=", *writer.study().config.stopping.max_trials,
                     " handed out; waiting for ", writer.counts().running,
                     " running trial(s), whose parameters run again if lost");
  } else if (result.trials.empty()) {
    const Study& study = writer.study();
    result.done_reason =
        study.state_reason.empty()
            ? absl::StrCat("study is ", StudyStateName(study.state))
            : absl::StrCat("study is ", StudyStateName(study.state), ": ",
                           study.state_reason);
    // A paused study may resume, so workers should wait rather than quit.
    result.study_done = study.state != StudyState::kPaused;
  }
  return absl::OkStatus();
}

absl::StatusOr<SuggestResult> Tuner::Suggest(const SuggestInput& input) {
  if (input.count < 1 || input.count > options_.max_suggest_count) {
    return absl::InvalidArgumentError(
        absl::StrCat("count: must be between 1 and ",
                     options_.max_suggest_count, ", got ", input.count));
  }
  SuggestResult result;
  RETURN_IF_ERROR(WithStudy(input.study_id, [&](StudyWriter& writer) {
    return SuggestInTransaction(input, writer, result);
  }));
  return result;
}

absl::StatusOr<int64_t> Tuner::StudyOf(int64_t trial_id) {
  {
    absl::MutexLock lock(&runtimes_mu_);
    auto it = study_of_trial_.find(trial_id);
    if (it != study_of_trial_.end()) return it->second;
  }
  absl::StatusOr<int64_t> study_id = storage_.StudyOfTrial(trial_id);
  if (absl::IsNotFound(study_id.status())) {
    return absl::NotFoundError(
        absl::StrCat("trial_id: no trial with id ", trial_id));
  }
  RETURN_IF_ERROR(study_id.status());
  absl::MutexLock lock(&runtimes_mu_);
  study_of_trial_.try_emplace(trial_id, *study_id);
  return *study_id;
}

absl::StatusOr<std::vector<TrialDirective>> Tuner::Heartbeat(
    const std::vector<int64_t>& trial_ids, const std::string& worker_id) {
  // One transaction per study, whatever the number of trials.
  std::map<int64_t, std::vector<int64_t>> trials_by_study;
  for (int64_t trial_id : trial_ids) {
    ASSIGN_OR_RETURN(int64_t study_id, StudyOf(trial_id));
    trials_by_study[study_id].push_back(trial_id);
  }
  absl::flat_hash_map<int64_t, TrialDirective> directives;
  for (const auto& [study_id, trials_of_study] : trials_by_study) {
    // A named reference, not the structured binding: lambdas may capture
    // bindings only since clang 16, and the fuzzers build with clang.
    const std::vector<int64_t>& ids = trials_of_study;
    RETURN_IF_ERROR(WithStudy(study_id, [&](StudyWriter& writer) {
      for (int64_t trial_id : ids) {
        ASSIGN_OR_RETURN(const Trial* trial, writer.GetTrial(trial_id));
        TrialDirective& directive = directives[trial_id];
        directive = TrialDirective{};
        directive.trial_id = trial_id;
        const auto pruned = std::find_if(
            trial->intermediate_values.begin(),
            trial->intermediate_values.end(),
            [](const IntermediateValue& value) { return value.should_prune; });
        if (trial->state != TrialState::kRunning) {
          directive.stop = true;
          directive.reason =
              absl::StrCat("trial is ", TrialStateName(trial->state));
        } else if (pruned != trial->intermediate_values.end()) {
          // The worker missed or ignored the report's answer: the heartbeat
          // repeats it, and the lease is not extended.
          directive.stop = true;
          directive.reason = absl::StrCat("pruned: ", pruned->prune_reason);
          directive.lease_deadline = trial->lease_deadline;
        } else if (writer.study().state == StudyState::kStopped) {
          directive.stop = true;
          directive.reason = "study was stopped";
          directive.lease_deadline = trial->lease_deadline;
        } else {
          ASSIGN_OR_RETURN(
              Trial extended,
              writer.ExtendLease(
                  trial_id,
                  writer.now() + writer.study().config.lease_duration));
          directive.lease_deadline = extended.lease_deadline;
        }
      }
      return absl::OkStatus();
    }));
  }
  std::vector<TrialDirective> result;
  for (int64_t trial_id : trial_ids) result.push_back(directives[trial_id]);
  return result;
}

absl::StatusOr<PruneDecision> Tuner::ReportIntermediate(ReportInput input) {
  if (input.value.step < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("step: must be >= 0, got ", input.value.step));
  }
  RETURN_IF_ERROR(CheckFinite("value", input.value.value));
  ASSIGN_OR_RETURN(int64_t study_id, StudyOf(input.trial_id));
  PruneDecision decision;
  RETURN_IF_ERROR(WithStudy(study_id, [&](StudyWriter& writer) {
    const StudyConfig& config = writer.study().config;
    if (input.value.metric.empty()) {
      input.value.metric = config.objectives.front().metric;
    }
    if (!IsStudyMetric(config, input.value.metric)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "metric: \"", input.value.metric,
          "\" is not an objective or extra metric of study ", study_id));
    }
    ASSIGN_OR_RETURN(const Trial* trial, writer.GetTrial(input.trial_id));
    if (const IntermediateValue* earlier =
            ReportWithRequestId(*trial, input.value.request_id)) {
      decision = PruneDecision{earlier->should_prune, earlier->prune_reason};
      return absl::OkStatus();
    }
    if (trial->state != TrialState::kRunning) {
      return NotRunning(writer, *trial, "report intermediate values");
    }
    // The pruner judges the trial as it will be with the new value, and its
    // answer is stored with the value in one write.
    Trial reported = *trial;
    auto same_point = [&](const IntermediateValue& value) {
      return value.step == input.value.step &&
             value.metric == input.value.metric;
    };
    std::erase_if(reported.intermediate_values, same_point);
    reported.intermediate_values.push_back(input.value);
    const absl::Span<const Trial* const> history = writer.AllTrials();
    ASSIGN_OR_RETURN(decision, writer.runtime().pruner().ShouldPrune(
                                   PruningContext{config, history, reported}));
    input.value.should_prune = decision.prune;
    input.value.prune_reason = decision.reason;
    return writer.AddIntermediateValue(input.trial_id, input.value).status();
  }));
  return decision;
}

absl::StatusOr<Trial> Tuner::Complete(const CompleteInput& input) {
  const TrialState state = input.outcome.state;
  if (state != TrialState::kCompleted && state != TrialState::kFailed &&
      state != TrialState::kPruned) {
    return absl::InvalidArgumentError(
        absl::StrCat("state: must be COMPLETED, FAILED or PRUNED, got ",
                     TrialStateName(state)));
  }
  ASSIGN_OR_RETURN(int64_t study_id, StudyOf(input.trial_id));
  Trial finished;
  RETURN_IF_ERROR(WithStudy(study_id, [&](StudyWriter& writer) {
    RETURN_IF_ERROR(CheckOutcome(writer.study().config, input.outcome));
    ASSIGN_OR_RETURN(const Trial* trial, writer.GetTrial(input.trial_id));
    if (IsFinished(trial->state) && !input.outcome.request_id.empty() &&
        trial->complete_request_id == input.outcome.request_id) {
      finished = *trial;
      return absl::OkStatus();
    }
    if (trial->state != TrialState::kRunning) {
      return NotRunning(writer, *trial, "complete it");
    }
    ASSIGN_OR_RETURN(finished,
                     writer.FinishTrial(input.trial_id, input.outcome));
    return CompleteIfDone(writer);
  }));
  return finished;
}

absl::StatusOr<Trial> Tuner::Enqueue(int64_t study_id,
                                     const ParamAssignment& params,
                                     const std::string& request_id) {
  Trial enqueued;
  RETURN_IF_ERROR(WithStudy(study_id, [&](StudyWriter& writer) {
    const Study& study = writer.study();
    if (!request_id.empty()) {
      // Enqueues are rare user actions: a scan is cheaper than an index.
      // It includes this transaction's trials, since a retried request may
      // share a group with its first attempt.
      for (const Trial* trial : writer.AllTrials()) {
        if (trial != nullptr && trial->enqueue_request_id == request_id) {
          enqueued = *trial;
          return absl::OkStatus();
        }
      }
    }
    if (study.state != StudyState::kRunning &&
        study.state != StudyState::kPaused) {
      return absl::FailedPreconditionError(
          absl::StrCat("study_id: study ", study_id, " is ",
                       StudyStateName(study.state), "; cannot enqueue trials"));
    }
    ASSIGN_OR_RETURN(ParamAssignment normalized,
                     NormalizeAssignment(study.config, params));
    NewTrial trial;
    trial.state = TrialState::kWaiting;
    trial.params = std::move(normalized);
    trial.request_id = request_id;
    ASSIGN_OR_RETURN(enqueued, writer.CreateTrial(trial));
    return absl::OkStatus();
  }));
  return enqueued;
}

absl::StatusOr<Trial> Tuner::GetTrial(int64_t trial_id) {
  absl::StatusOr<Trial> trial = storage_.GetTrial(trial_id);
  if (absl::IsNotFound(trial.status())) {
    return absl::NotFoundError(
        absl::StrCat("trial_id: no trial with id ", trial_id));
  }
  return trial;
}

absl::StatusOr<TrialListing> Tuner::ListTrials(const TrialQuery& query) {
  absl::StatusOr<Study> study = storage_.GetStudy(query.study_id);
  absl::StatusOr<Page<Trial>> page =
      study.ok() ? storage_.ListTrials(query) : study.status();
  if (absl::IsNotFound(page.status())) {
    return absl::NotFoundError(
        absl::StrCat("study_id: no study with id ", query.study_id));
  }
  RETURN_IF_ERROR(page.status());
  return TrialListing{*std::move(page), study->sequence};
}

absl::StatusOr<std::vector<Trial>> Tuner::BestTrials(int64_t study_id) {
  std::vector<Trial> best;
  RETURN_IF_ERROR(WithStudy(study_id, [&](StudyWriter& writer) {
    best.clear();
    for (const Trial* trial :
         knob::BestTrials(writer.study().config, writer.runtime().trials())) {
      best.push_back(*trial);
    }
    return absl::OkStatus();
  }));
  return best;
}

absl::StatusOr<int> Tuner::ExpireLeases() {
  ASSIGN_OR_RETURN(std::vector<int64_t> study_ids,
                   storage_.StudiesWithExpiredLeases(clock_.Now()));
  int expired = 0;
  for (int64_t study_id : study_ids) {
    size_t expired_in_study = 0;
    RETURN_IF_ERROR(WithStudy(study_id, [&](StudyWriter& writer) {
      ASSIGN_OR_RETURN(std::vector<Trial> stale, writer.ExpireLeases());
      expired_in_study = stale.size();
      RETURN_IF_ERROR(RetryLostTrials(writer, stale));
      return CompleteIfDone(writer);
    }));
    expired += static_cast<int>(expired_in_study);
  }
  return expired;
}

}  // namespace knob

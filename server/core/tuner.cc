// Study-level operations of the Tuner and the per-study transaction
// machinery; trial operations are in tuner_trials.cc.
#include "server/core/tuner.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "server/core/committed_changes.h"
#include "server/core/config_diff.h"
#include "server/model/study_config_validation.h"
#include "server/observability/log.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

// Storage implementations word NOT_FOUND their own way; users get the
// request field and the id.
absl::Status NoSuchStudy(int64_t study_id) {
  return absl::NotFoundError(
      absl::StrCat("study_id: no study with id ", study_id));
}

// Whether the database refused a transaction for what one of its changes
// holds, rather than for the study or the database's own state.
bool RefusedForItsData(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kOutOfRange:
      return true;
    default:
      return false;
  }
}

template <typename T>
absl::StatusOr<T> NamingStudy(absl::StatusOr<T> result, int64_t study_id) {
  if (absl::IsNotFound(result.status())) return NoSuchStudy(study_id);
  return result;
}

}  // namespace

Tuner::Tuner(Storage& storage, const SamplerRegistry& samplers,
             const PrunerRegistry& pruners, const Clock& clock,
             TunerOptions options)
    : storage_(storage),
      samplers_(samplers),
      pruners_(pruners),
      clock_(clock),
      options_(options) {}

absl::StatusOr<std::shared_ptr<StudyRuntime>> Tuner::Runtime(int64_t study_id) {
  {
    absl::MutexLock lock(&runtimes_mu_);
    auto it = runtimes_.find(study_id);
    options_.metrics->CountStudyCacheLookup(it != runtimes_.end());
    if (it != runtimes_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(Study study,
                   NamingStudy(storage_.GetStudy(study_id), study_id));
  ASSIGN_OR_RETURN(std::unique_ptr<StudyRuntime> created,
                   StudyRuntime::Create(study, samplers_, pruners_));
  absl::MutexLock lock(&runtimes_mu_);
  // Another request may have loaded it meanwhile; keep the first so that
  // every request of the study shares one mutex and one history.
  auto [it, inserted] = runtimes_.try_emplace(study_id, std::move(created));
  return it->second;
}

absl::Status Tuner::WithStudy(
    int64_t study_id, absl::FunctionRef<absl::Status(StudyWriter&)> fn) {
  ASSIGN_OR_RETURN(std::shared_ptr<StudyRuntime> runtime, Runtime(study_id));
  return runtime->group_commit().Run(
      fn, [&](absl::Span<GroupCommit::Request* const> group) {
        CommitGroup(study_id, *runtime, group);
      });
}

void Tuner::CommitGroup(int64_t study_id, StudyRuntime& runtime,
                        absl::Span<GroupCommit::Request* const> group) {
  absl::MutexLock lock(&runtime.mu());
  if (TransactGroup(study_id, runtime, group)) return;
  for (GroupCommit::Request* request : group) {
    TransactGroup(study_id, runtime, absl::MakeConstSpan(&request, 1));
  }
}

bool Tuner::TransactGroup(int64_t study_id, StudyRuntime& runtime,
                          absl::Span<GroupCommit::Request* const> group) {
  std::optional<StudyWriter> writer;
  bool split = false;
  absl::Status status = storage_.Transact(
      study_id, [&](StudyTransaction& transaction) -> absl::Status {
        split = false;
        RETURN_IF_ERROR(runtime.Sync(transaction));
        writer.emplace(runtime, transaction, clock_.Now());
        for (GroupCommit::Request* request : group) {
          const int64_t mutations = writer->mutations();
          const int64_t samples = runtime.samples();
          request->status = (*request->change)(*writer);
          if (request->status.ok()) continue;
          // A call alone rolls back whatever it did, as it always has; in
          // a group only a call that did nothing may fail without taking
          // the others down.
          if (group.size() == 1) return request->status;
          if (writer->mutations() != mutations ||
              runtime.samples() != samples) {
            split = true;
            return request->status;
          }
        }
        // The sampler's state commits with the trials sampled from it; if
        // anything fails, the next Sync puts the sampler back.
        if (std::optional<std::string> state = runtime.ChangedSamplerState()) {
          RETURN_IF_ERROR(writer->SetSamplerState(*state));
        }
        return absl::OkStatus();
      });
  if (split) return false;
  // Storage may write a group's changes only when it commits, so a change
  // the database refuses (a string it cannot hold, a trial changed behind
  // the study's lock) fails them all; alone, each call gets its own
  // answer.
  if (group.size() > 1 && RefusedForItsData(status)) return false;
  if (absl::IsNotFound(status) &&
      absl::IsNotFound(storage_.GetStudy(study_id).status())) {
    // Deleted, possibly by another replica: forget what we cached.
    absl::MutexLock runtimes_lock(&runtimes_mu_);
    runtimes_.erase(study_id);
    running_by_study_.erase(study_id);
    status = NoSuchStudy(study_id);
  }
  if (!status.ok()) {
    for (GroupCommit::Request* request : group) request->status = status;
    return true;
  }
  const CommittedChanges changes = CommittedChanges::Of(runtime, *writer);
  runtime.Commit(writer->committed_study(), writer->changed_trials(),
                 writer->committed_sequence());
  changes.Report(*options_.metrics);
  absl::MutexLock runtimes_lock(&runtimes_mu_);
  for (const Trial& trial : writer->changed_trials()) {
    study_of_trial_.try_emplace(trial.id, study_id);
  }
  // Unless the study was deleted meanwhile.
  if (runtimes_.contains(study_id)) {
    running_by_study_[study_id] = runtime.counts().running;
  }
  return true;
}

absl::StatusOr<StudyInfo> Tuner::Info(const Study& study) {
  ASSIGN_OR_RETURN(TrialCounts counts, storage_.CountTrials(study.id));
  return StudyInfo{study, counts};
}

absl::StatusOr<StudyInfo> Tuner::CreateStudy(CreateStudyInput input) {
  RETURN_IF_ERROR(ValidateStudyName(input.name));
  StudyConfig& config = input.config;
  RETURN_IF_ERROR(ValidateStudyConfig(config));
  if (config.sampler.name.empty()) config.sampler.name = kDefaultSamplerName;
  if (config.pruner.name.empty()) config.pruner.name = kDefaultPrunerName;
  if (!input.lease_given) config.lease_duration = options_.default_lease;
  // Seeded first, so that the sampler built below is the one the study
  // would run (an existing study keeps its own seed).
  if (!input.seed_given) config.seed = absl::Uniform<uint64_t>(absl::BitGen());
  // Building the algorithms checks their names and options before anything
  // is stored.
  ASSIGN_OR_RETURN(std::unique_ptr<Sampler> sampler,
                   samplers_.Create(config, config.sampler));
  RETURN_IF_ERROR(pruners_.Create(config, config.pruner).status());

  absl::StatusOr<Study> existing = storage_.GetStudyByName(input.name);
  if (!existing.ok() && !absl::IsNotFound(existing.status())) {
    return existing.status();
  }
  if (!existing.ok()) {
    std::map<std::string, std::string> metadata = std::move(input.metadata);
    // The sampler's facts ("knob."-prefixed keys) win over user labels of
    // the same key: they describe what the server actually runs.
    for (auto& [key, value] : sampler->StudyMetadata()) {
      metadata.insert_or_assign(key, std::move(value));
    }
    absl::StatusOr<Study> created =
        storage_.CreateStudy(input.name, config, metadata, clock_.Now());
    if (created.ok()) {
      Log(LogLevel::kInfo, "study created",
          {{"study_id", created->id},
           {"name", created->name},
           {"sampler", created->config.sampler.name},
           {"pruner", created->config.pruner.name}});
      return StudyInfo{*std::move(created), TrialCounts{}};
    }
    if (!absl::IsAlreadyExists(created.status())) return created.status();
    // Created concurrently under the same name: compare with that one.
    existing = storage_.GetStudyByName(input.name);
    RETURN_IF_ERROR(existing.status());
  }
  // Only the configs must match: metadata, the user's or the sampler's,
  // never makes a re-create differ.
  if (!input.seed_given) config.seed = existing->config.seed;
  if (auto difference = FirstConfigDifference(existing->config, config)) {
    return absl::AlreadyExistsError(
        absl::StrCat("name: study \"", input.name,
                     "\" already exists with another config: ", *difference));
  }
  return Info(*existing);
}

absl::StatusOr<StudyInfo> Tuner::GetStudy(int64_t study_id) {
  ASSIGN_OR_RETURN(Study study,
                   NamingStudy(storage_.GetStudy(study_id), study_id));
  return Info(study);
}

absl::StatusOr<StudyInfo> Tuner::GetStudyByName(const std::string& name) {
  absl::StatusOr<Study> study = storage_.GetStudyByName(name);
  if (absl::IsNotFound(study.status())) {
    return absl::NotFoundError(
        absl::StrCat("name: no study named \"", name, "\""));
  }
  RETURN_IF_ERROR(study.status());
  return Info(*study);
}

absl::StatusOr<Page<StudyInfo>> Tuner::ListStudies(const StudyQuery& query) {
  ASSIGN_OR_RETURN(Page<Study> page, storage_.ListStudies(query));
  Page<StudyInfo> result;
  result.next_page_token = std::move(page.next_page_token);
  for (Study& study : page.items) {
    ASSIGN_OR_RETURN(StudyInfo info, Info(study));
    result.items.push_back(std::move(info));
  }
  return result;
}

namespace {

absl::Status CheckTransition(const Study& study, StudyState to) {
  const StudyState from = study.state;
  const bool allowed =
      from == to ||
      (from == StudyState::kRunning && to == StudyState::kPaused) ||
      (from == StudyState::kPaused && to == StudyState::kRunning) ||
      ((from == StudyState::kRunning || from == StudyState::kPaused) &&
       to == StudyState::kStopped);
  if (allowed) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("state: study ", study.id, " is ", StudyStateName(from),
                   " and cannot become ", StudyStateName(to)));
}

std::string TransitionReason(StudyState to) {
  switch (to) {
    case StudyState::kPaused:
      return "paused by a user";
    case StudyState::kStopped:
      return "stopped by a user";
    default:
      return "";
  }
}

}  // namespace

absl::StatusOr<StudyInfo> Tuner::UpdateStudy(
    int64_t study_id, std::optional<StudyState> state,
    std::optional<std::map<std::string, std::string>> metadata) {
  if (state == StudyState::kCompleted) {
    return absl::InvalidArgumentError(
        "state: COMPLETED is set by the study's stopping criteria, not by "
        "users; use STOPPED");
  }
  StudyInfo updated;
  RETURN_IF_ERROR(WithStudy(study_id, [&](StudyWriter& writer) {
    if (state && *state != writer.study().state) {
      RETURN_IF_ERROR(CheckTransition(writer.study(), *state));
      RETURN_IF_ERROR(writer.SetStudyState(*state, TransitionReason(*state)));
    }
    if (metadata) RETURN_IF_ERROR(writer.SetStudyMetadata(*metadata));
    // The runtime is synced under the study's lock, so its counts are exact
    // and need no query.
    updated = StudyInfo{writer.committed_study(), writer.counts()};
    return absl::OkStatus();
  }));
  return updated;
}

absl::Status Tuner::DeleteStudy(int64_t study_id) {
  absl::Status deleted = storage_.DeleteStudy(study_id);
  if (absl::IsNotFound(deleted)) return NoSuchStudy(study_id);
  RETURN_IF_ERROR(deleted);
  Log(LogLevel::kInfo, "study deleted", {{"study_id", study_id}});
  absl::MutexLock lock(&runtimes_mu_);
  runtimes_.erase(study_id);
  running_by_study_.erase(study_id);
  return absl::OkStatus();
}

int64_t Tuner::ActiveLeases() {
  absl::MutexLock lock(&runtimes_mu_);
  int64_t running = 0;
  for (const auto& [study_id, count] : running_by_study_) running += count;
  return running;
}

}  // namespace knob

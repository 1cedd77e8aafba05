// The Tuner is Knob's domain core: it owns the rules of studies and trials
// (validation, state transitions, budgets, leases, idempotent retries) and
// orchestrates samplers, pruners and storage. It knows nothing of gRPC; the
// api/ layer converts requests into these calls.
//
// Every change is committed to Storage before a call returns it, and every
// change to one study runs inside that study's storage transaction, so
// several Tuners (server replicas) on one database stay exact.
//
// Thread safety: all methods may be called concurrently.
//
// Errors (absl::Status codes, messages naming the field and value):
// INVALID_ARGUMENT for malformed input, NOT_FOUND for unknown ids,
// ALREADY_EXISTS for a study name taken by another config,
// FAILED_PRECONDITION for a wrong state transition, and whatever Storage
// returns (UNAVAILABLE, ABORTED) when the database fails.
#ifndef KNOB_SERVER_CORE_TUNER_H_
#define KNOB_SERVER_CORE_TUNER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "server/core/group_commit.h"
#include "server/core/study_runtime.h"
#include "server/core/study_writer.h"
#include "server/model/study.h"
#include "server/model/trial.h"
#include "server/observability/metrics.h"
#include "server/pruners/pruner_registry.h"
#include "server/samplers/sampler_registry.h"
#include "server/storage/storage.h"
#include "server/util/clock.h"

namespace knob {

struct TunerOptions {
  // Lease of a suggested trial when the study sets none. Default: 5 minutes.
  absl::Duration default_lease = absl::Minutes(5);
  // Most trials one suggest call may ask for. Default: 100.
  int max_suggest_count = 100;
  // Where the Tuner counts trial state changes and study cache lookups and
  // times its samplers; must outlive the Tuner. Default: nowhere.
  Metrics* metrics = &Metrics::Discard();
};

struct CreateStudyInput {
  std::string name;
  StudyConfig config;
  // False when the user left the seed unset: the Tuner picks one, and an
  // idempotent re-create matches whatever seed the study has.
  bool seed_given = false;
  // False when the user left the lease unset: the default applies.
  bool lease_given = false;
  std::map<std::string, std::string> metadata;
};

// A study with its trial counts.
struct StudyInfo {
  Study study;
  TrialCounts counts;
};

struct SuggestInput {
  int64_t study_id = 0;
  int count = 1;
  std::string worker_id;
  std::string request_id;
  std::map<std::string, std::string> environment;
};

struct SuggestResult {
  // May hold fewer than asked when the budget allows fewer.
  std::vector<Trial> trials;
  // Set only when `trials` is empty: the study hands out no more trials.
  bool study_done = false;
  std::string done_reason;
};

// A page of trials and the study's sequence read before it.
struct TrialListing {
  Page<Trial> page;
  int64_t sequence = 0;
};

struct TrialDirective {
  int64_t trial_id = 0;
  bool stop = false;
  std::string reason;
  std::optional<absl::Time> lease_deadline;
};

struct ReportInput {
  int64_t trial_id = 0;
  // With the report's request id; the decision fields are the Tuner's.
  IntermediateValue value;
};

struct CompleteInput {
  int64_t trial_id = 0;
  TrialOutcome outcome;
};

class Tuner {
 public:
  // `storage`, the registries and `clock` must outlive the Tuner.
  Tuner(Storage& storage, const SamplerRegistry& samplers,
        const PrunerRegistry& pruners, const Clock& clock,
        TunerOptions options);

  // Validates and stores a study; defaults are filled in (sampler "random",
  // pruner "none", a random seed, the default lease). The sampler's
  // StudyMetadata() is added to the metadata; for a key the input also
  // has, the sampler's value is stored. When the name exists with an equal
  // config, returns that study whatever the metadata; ALREADY_EXISTS
  // naming the first difference otherwise.
  absl::StatusOr<StudyInfo> CreateStudy(CreateStudyInput input);
  absl::StatusOr<StudyInfo> GetStudy(int64_t study_id);
  absl::StatusOr<StudyInfo> GetStudyByName(const std::string& name);
  absl::StatusOr<Page<StudyInfo>> ListStudies(const StudyQuery& query);
  // RUNNING <-> PAUSED; RUNNING or PAUSED -> STOPPED. Setting the current
  // state again is a no-op. FAILED_PRECONDITION for any other transition.
  absl::StatusOr<StudyInfo> UpdateStudy(
      int64_t study_id, std::optional<StudyState> state,
      std::optional<std::map<std::string, std::string>> metadata);
  absl::Status DeleteStudy(int64_t study_id);

  // Hands out WAITING trials first, then sampled ones, within the study's
  // budget. A repeated request id returns the trials of the first call.
  absl::StatusOr<SuggestResult> Suggest(const SuggestInput& input);
  // Extends the leases of RUNNING trials; asks the worker to stop trials
  // that are no longer RUNNING or whose study was stopped.
  absl::StatusOr<std::vector<TrialDirective>> Heartbeat(
      const std::vector<int64_t>& trial_ids, const std::string& worker_id);
  // Records the value and answers whether to prune. A repeated request id
  // returns the answer of the first call, even once the trial finished.
  absl::StatusOr<PruneDecision> ReportIntermediate(ReportInput input);
  // A repeated request id on a finished trial returns the trial as the
  // first call left it.
  absl::StatusOr<Trial> Complete(const CompleteInput& input);
  absl::StatusOr<Trial> Enqueue(int64_t study_id, const ParamAssignment& params,
                                const std::string& request_id);
  absl::StatusOr<Trial> GetTrial(int64_t trial_id);
  // The sequence is read before the page, so that a client polling with
  // changed_since = sequence may see a change twice but never misses one.
  absl::StatusOr<TrialListing> ListTrials(const TrialQuery& query);
  // The best COMPLETED trial for one objective; the Pareto front for
  // several; among the feasible ones (see knob::BestTrials).
  absl::StatusOr<std::vector<Trial>> BestTrials(int64_t study_id);

  // Marks RUNNING trials whose lease expired as STALE. Returns how many.
  absl::StatusOr<int> ExpireLeases();

  // RUNNING trials (each holds a lease) of the studies this Tuner holds in
  // memory, as of their last transaction here: every study served since
  // start, so with one server every live lease. Reads no storage.
  int64_t ActiveLeases();

 private:
  absl::StatusOr<std::shared_ptr<StudyRuntime>> Runtime(int64_t study_id);
  // Runs `fn` inside the study's storage transaction with its runtime
  // synced, then stores the sampler's state if `fn` changed it by
  // sampling; applies what was written to the runtime once committed.
  // Calls on one study that arrive while its transaction commits share
  // the next one (see GroupCommit); each gets its own fn's status.
  absl::Status WithStudy(int64_t study_id,
                         absl::FunctionRef<absl::Status(StudyWriter&)> fn);
  // Commits a group of WithStudy calls, setting each one's status: in one
  // transaction, or one transaction per call when a call failed after
  // changing something (its half-made change must not commit).
  void CommitGroup(int64_t study_id, StudyRuntime& runtime,
                   absl::Span<GroupCommit::Request* const> group);
  // One transaction for `group`. A call that fails having changed nothing
  // keeps its error and the others go on. False, with everything rolled
  // back, when a call of a group of several failed after changing
  // something or sampling.
  bool TransactGroup(int64_t study_id, StudyRuntime& runtime,
                     absl::Span<GroupCommit::Request* const> group);
  absl::StatusOr<StudyInfo> Info(const Study& study);
  // The study of a trial; NOT_FOUND naming trial_id.
  absl::StatusOr<int64_t> StudyOf(int64_t trial_id);
  absl::Status SuggestInTransaction(const SuggestInput& input,
                                    StudyWriter& writer, SuggestResult& result);

  Storage& storage_;
  const SamplerRegistry& samplers_;
  const PrunerRegistry& pruners_;
  const Clock& clock_;
  const TunerOptions options_;

  absl::Mutex runtimes_mu_;
  absl::flat_hash_map<int64_t, std::shared_ptr<StudyRuntime>> runtimes_
      ABSL_GUARDED_BY(runtimes_mu_);
  // RUNNING trials per study in runtimes_, as of its last transaction.
  absl::flat_hash_map<int64_t, int64_t> running_by_study_
      ABSL_GUARDED_BY(runtimes_mu_);
  // Trial id -> study id; never changes once known.
  absl::flat_hash_map<int64_t, int64_t> study_of_trial_
      ABSL_GUARDED_BY(runtimes_mu_);
};

}  // namespace knob

#endif  // KNOB_SERVER_CORE_TUNER_H_

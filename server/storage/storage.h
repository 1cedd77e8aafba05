// Storage is where studies and trials live: the single source of truth.
// Two implementations: PostgreSQL (storage/postgres, production) and memory
// (storage/memory, tests and ephemeral runs); both pass the same
// conformance suite (tests/server/storage/storage_conformance.h).
//
// Thread safety: every method may be called concurrently from any thread.
//
// Consistency: all changes to one study and its trials go through
// Transact(), which serializes them per study (across processes too, for
// PostgreSQL) and commits them atomically: either every change a callback
// made is visible afterwards, or none is. Each committed transaction that
// changed something gets the next study sequence number; every trial it
// changed carries that number in Trial::sequence, so "what changed since
// sequence s" is a cheap query.
//
// Errors: NOT_FOUND for unknown ids; ALREADY_EXISTS for a taken study name;
// UNAVAILABLE when the backing database cannot be reached (retry later);
// ABORTED for a transient conflict worth retrying; INTERNAL otherwise.
// Storage never throws.
#ifndef KNOB_SERVER_STORAGE_STORAGE_H_
#define KNOB_SERVER_STORAGE_STORAGE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/model/study.h"
#include "server/model/trial.h"

namespace knob {

// A trial to create inside a study transaction.
struct NewTrial {
  // kWaiting (enqueued by a user) or kRunning (handed to a worker).
  TrialState state = TrialState::kRunning;
  ParamAssignment params;
  std::string worker_id;
  std::map<std::string, std::string> environment;
  // Required for kRunning.
  std::optional<absl::Time> lease_deadline;
  // The request id of the call creating the trial; may be empty. It becomes
  // Trial::suggest_request_id for kRunning, Trial::enqueue_request_id for
  // kWaiting.
  std::string request_id;
  // kWaiting only: the number of the STALE trial of the same study whose
  // parameters this trial runs again. Each trial is retried at most once:
  // a second retry of it is ALREADY_EXISTS (FAILED_PRECONDITION if that
  // trial is not STALE, NOT_FOUND if there is no such trial).
  std::optional<int64_t> retry_of;
};

// How a running trial ends.
struct TrialOutcome {
  // kCompleted, kPruned, kFailed or kStale.
  TrialState state = TrialState::kCompleted;
  std::vector<double> values;
  std::map<std::string, double> metrics;
  std::string fail_reason;
  // The complete call's request id; may be empty.
  std::string request_id;
};

// The changes one study transaction may make. Valid only inside the
// callback passed to Storage::Transact; not thread-safe. Every mutation
// stamps the changed trial with sequence() and returns it as stored.
class StudyTransaction {
 public:
  virtual ~StudyTransaction() = default;

  // The study as locked at the start of the transaction (state, metadata,
  // sequence and next_trial_number as committed before this transaction).
  virtual const Study& study() const = 0;

  // The sequence this transaction stamps on what it changes:
  // study().sequence + 1. It becomes the study's sequence at commit if and
  // only if the transaction changed something: a successful CreateTrial,
  // StartWaitingTrial, ExtendLease, AddIntermediateValue, FinishTrial,
  // SetStudyState, SetStudyMetadata or SetSamplerState, or an ExpireLeases
  // that expired at least one trial. Read-only transactions and mutations
  // that returned an error leave the study's sequence as it was.
  virtual int64_t sequence() const = 0;

  // Every trial of the study whose sequence is greater than `after`, fully
  // (parameters, values, metrics, intermediate values, environment),
  // ordered by trial number. After(0) is the whole history.
  virtual absl::StatusOr<std::vector<Trial>> TrialsChangedSince(
      int64_t after) = 0;

  // Trials per state, as of this transaction (including its own changes).
  virtual absl::StatusOr<TrialCounts> CountTrials() = 0;

  // Creates a trial numbered study().next_trial_number plus the trials this
  // transaction already created; create_time = `now`, and for kRunning
  // start_time = `now`. INVALID_ARGUMENT if the state is not kWaiting or
  // kRunning, or kRunning comes without a lease deadline; a kWaiting
  // trial's lease deadline is ignored.
  virtual absl::StatusOr<Trial> CreateTrial(const NewTrial& trial,
                                            absl::Time now) = 0;

  // The oldest WAITING trial (lowest number), if any.
  virtual absl::StatusOr<std::optional<Trial>> OldestWaitingTrial() = 0;

  // The mutations of one trial below take `trial` as this transaction last
  // read or returned it, and return it with the change applied (see the
  // Apply functions at the end of this file), so that an implementation
  // need not read it back. The stored trial's state decides the errors.
  // An implementation may defer the writes of StartWaitingTrial,
  // ExtendLease, AddIntermediateValue and FinishTrial to the end of the
  // transaction (PostgreSQL writes all of a transaction's trial changes in
  // one statement); then a `trial` that misstates the stored one fails the
  // transaction when it commits, with the same codes, and nothing is
  // stored.

  // Turns a WAITING trial into RUNNING for a worker; its
  // suggest_request_id becomes `request_id`, its enqueue_request_id stays.
  // FAILED_PRECONDITION if it is not WAITING; NOT_FOUND if it is not a trial of
  // this study.
  virtual absl::StatusOr<Trial> StartWaitingTrial(
      const Trial& trial, const std::string& worker_id,
      const std::map<std::string, std::string>& environment,
      absl::Time lease_deadline, const std::string& request_id,
      absl::Time now) = 0;

  // Trials whose suggest_request_id is `request_id`, by number.
  virtual absl::StatusOr<std::vector<Trial>> TrialsBySuggestRequest(
      const std::string& request_id) = 0;

  // Moves the lease deadline of a RUNNING trial. FAILED_PRECONDITION if not
  // RUNNING; NOT_FOUND if it is not a trial of this study.
  virtual absl::StatusOr<Trial> ExtendLease(const Trial& trial,
                                            absl::Time lease_deadline) = 0;

  // Appends an intermediate value (with its request id and the pruner's
  // answer) to a RUNNING trial; the list keeps report order. A second value
  // for the same (step, metric) replaces the first in place.
  // FAILED_PRECONDITION if not RUNNING; NOT_FOUND if it is not a trial of this
  // study.
  virtual absl::StatusOr<Trial> AddIntermediateValue(
      const Trial& trial, const IntermediateValue& value) = 0;

  // Ends a RUNNING trial with `outcome`; end_time = `now`, lease cleared.
  // FAILED_PRECONDITION if the trial is not RUNNING; NOT_FOUND if it is not a
  // trial of this study; INVALID_ARGUMENT if outcome.state is not a finished
  // state. Values are stored as given: the caller checks their number
  // against the study's objectives.
  virtual absl::StatusOr<Trial> FinishTrial(const Trial& trial,
                                            const TrialOutcome& outcome,
                                            absl::Time now) = 0;

  // Marks every RUNNING trial whose lease deadline is before `now` as STALE
  // (end_time = `now`, lease cleared, fail_reason says the lease expired),
  // as FinishTrial does. A deadline equal to `now` has not expired. Returns
  // them.
  virtual absl::StatusOr<std::vector<Trial>> ExpireLeases(absl::Time now) = 0;

  // Changes the study's state and reason (update_time = `now`).
  virtual absl::Status SetStudyState(StudyState state,
                                     const std::string& reason,
                                     absl::Time now) = 0;

  // Replaces the study's metadata (update_time = `now`).
  virtual absl::Status SetStudyMetadata(
      const std::map<std::string, std::string>& metadata, absl::Time now) = 0;

  // Replaces the study's sampler state (Study::sampler_state) with `state`,
  // any bytes (NUL and non-UTF-8 included); empty clears it. It commits
  // with the transaction's other changes, so that the state and the trials
  // sampled from it are stored together or not at all. update_time stays
  // as it was: it tells users when the state or metadata changed, and the
  // trials sampled with the new state carry their own times.
  virtual absl::Status SetSamplerState(const std::string& state) = 0;
};

// The argument checks every implementation makes: INVALID_ARGUMENT for a
// new trial that is neither kWaiting nor kRunning, is kRunning without a
// lease deadline or with a retry_of, and for an outcome whose state is not
// a finished one.
absl::Status CheckNewTrial(const NewTrial& trial);
absl::Status CheckOutcome(const TrialOutcome& outcome);

// What StartWaitingTrial, AddIntermediateValue and FinishTrial do to a
// trial, for every implementation to build its results the same way.
void ApplyStart(Trial& trial, const std::string& worker_id,
                const std::map<std::string, std::string>& environment,
                absl::Time lease_deadline, const std::string& request_id,
                absl::Time now);
void ApplyIntermediateValue(Trial& trial, const IntermediateValue& value);
void ApplyOutcome(Trial& trial, const TrialOutcome& outcome, absl::Time now);

// One page of a listing. `next_page_token` is empty on the last page.
// Times are stored with microsecond precision (sub-microsecond parts are
// dropped). Strings the backing store cannot hold (e.g. a NUL byte for
// PostgreSQL) are INVALID_ARGUMENT.
template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;
};

struct StudyQuery {
  std::optional<StudyState> state;
  // > 0.
  int page_size = 100;
  // Empty for the first page; otherwise a token this storage returned.
  std::string page_token;
};

struct TrialQuery {
  int64_t study_id = 0;
  // Empty: all states.
  std::vector<TrialState> states;
  // Only trials with sequence > changed_since.
  int64_t changed_since = 0;
  // > 0.
  int page_size = 1000;
  std::string page_token;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Stores a new study (state RUNNING, sequence 0, no trials) with a fresh
  // id, never reused; create_time = update_time = `now`. ALREADY_EXISTS if
  // the name is taken (a deleted study's name may be reused). The config is
  // stored as given (already validated and completed by the caller).
  virtual absl::StatusOr<Study> CreateStudy(
      const std::string& name, const StudyConfig& config,
      const std::map<std::string, std::string>& metadata, absl::Time now) = 0;

  // NOT_FOUND if there is no such study.
  virtual absl::StatusOr<Study> GetStudy(int64_t study_id) = 0;
  virtual absl::StatusOr<Study> GetStudyByName(const std::string& name) = 0;

  // Studies by id. INVALID_ARGUMENT for a malformed page token or a
  // page_size <= 0. next_page_token is empty when no further study matches.
  // Listed studies come without their sampler_state (left empty): it can be
  // large and only the study's own transactions need it.
  virtual absl::StatusOr<Page<Study>> ListStudies(const StudyQuery& query) = 0;

  // Trials per state of a study (committed). NOT_FOUND for an unknown study.
  virtual absl::StatusOr<TrialCounts> CountTrials(int64_t study_id) = 0;

  // Deletes a study and everything it owns. NOT_FOUND if it does not exist.
  virtual absl::Status DeleteStudy(int64_t study_id) = 0;

  // Runs `fn` in a transaction that holds the study's lock, and commits if
  // `fn` returns OK; otherwise rolls back and returns fn's status. NOT_FOUND
  // if the study does not exist. `fn` may be called again after an ABORTED
  // conflict, so it must not have side effects outside the transaction
  // other than ones it resets.
  virtual absl::Status Transact(
      int64_t study_id,
      absl::FunctionRef<absl::Status(StudyTransaction&)> fn) = 0;

  // NOT_FOUND if there is no such trial.
  virtual absl::StatusOr<Trial> GetTrial(int64_t trial_id) = 0;

  // The study a trial belongs to (this never changes). NOT_FOUND if there
  // is no such trial.
  virtual absl::StatusOr<int64_t> StudyOfTrial(int64_t trial_id) = 0;

  // Trials by number. NOT_FOUND for an unknown study; INVALID_ARGUMENT for a
  // malformed page token or a page_size <= 0.
  virtual absl::StatusOr<Page<Trial>> ListTrials(const TrialQuery& query) = 0;

  // Ids of studies with a RUNNING trial whose lease deadline is before
  // `now` (the reaper then calls ExpireLeases in each study's transaction).
  virtual absl::StatusOr<std::vector<int64_t>> StudiesWithExpiredLeases(
      absl::Time now) = 0;
};

}  // namespace knob

#endif  // KNOB_SERVER_STORAGE_STORAGE_H_

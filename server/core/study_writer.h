// StudyWriter makes the changes of one study transaction and remembers them
// so that the study's runtime can adopt them once the transaction commits.
// Lookups through it see the transaction's own changes.
//
// Not thread-safe: lives inside one Storage::Transact callback, with the
// runtime's mutex held.
#ifndef KNOB_SERVER_CORE_STUDY_WRITER_H_
#define KNOB_SERVER_CORE_STUDY_WRITER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "server/core/study_runtime.h"
#include "server/model/study.h"
#include "server/model/trial.h"
#include "server/storage/storage.h"

namespace knob {

class StudyWriter {
 public:
  // `runtime` must already be synced with `transaction`.
  StudyWriter(StudyRuntime& runtime, StudyTransaction& transaction,
              absl::Time now);

  StudyRuntime& runtime() { return runtime_; }
  absl::Time now() const { return now_; }
  // The study as this transaction leaves it so far.
  const Study& study() const { return study_; }
  // The number the next trial created by this transaction gets.
  int64_t next_trial_number() const {
    return study_.next_trial_number + created_;
  }
  const TrialCounts& counts() const { return counts_; }

  // The trial as this transaction sees it, or nullptr if it is not a trial
  // of this study.
  const Trial* FindTrial(int64_t trial_id) const;
  // NOT_FOUND naming the trial when FindTrial fails.
  absl::StatusOr<const Trial*> GetTrial(int64_t trial_id) const;
  // Every trial by number, including the ones created by this transaction.
  // Built on the first call and kept current by later changes, which
  // invalidate the span (not the trials).
  absl::Span<const Trial* const> AllTrials() const;
  // The oldest WAITING trial not yet started by this transaction.
  const Trial* OldestWaitingTrial() const;
  // Trials handed out by the suggest call with this request id, committed
  // or made by this transaction, by number.
  std::vector<const Trial*> TrialsOfSuggestRequest(
      const std::string& request_id) const;
  // How many changes this transaction made so far; a change that failed
  // made none.
  int64_t mutations() const { return mutations_; }

  absl::StatusOr<Trial> CreateTrial(const NewTrial& trial);
  absl::StatusOr<Trial> StartWaitingTrial(
      int64_t trial_id, const std::string& worker_id,
      const std::map<std::string, std::string>& environment,
      absl::Time lease_deadline, const std::string& request_id);
  absl::StatusOr<Trial> ExtendLease(int64_t trial_id, absl::Time deadline);
  absl::StatusOr<Trial> AddIntermediateValue(int64_t trial_id,
                                             const IntermediateValue& value);
  absl::StatusOr<Trial> FinishTrial(int64_t trial_id,
                                    const TrialOutcome& outcome);
  absl::StatusOr<std::vector<Trial>> ExpireLeases();
  absl::Status SetStudyState(StudyState state, const std::string& reason);
  absl::Status SetStudyMetadata(
      const std::map<std::string, std::string>& metadata);
  absl::Status SetSamplerState(const std::string& state);

  // For the runtime, after commit.
  const std::vector<Trial>& changed_trials() const { return changed_; }
  int64_t committed_sequence() const {
    return changed_anything_ ? sequence_ : study_.sequence;
  }
  Study committed_study() const;

 private:
  absl::StatusOr<Trial> Record(absl::StatusOr<Trial> trial);
  void PointAllTrialsAt(const Trial& trial) const;

  StudyRuntime& runtime_;
  StudyTransaction& transaction_;
  const absl::Time now_;
  const int64_t sequence_;
  Study study_;
  TrialCounts counts_;
  bool changed_anything_ = false;
  int64_t mutations_ = 0;
  std::vector<Trial> changed_;
  absl::flat_hash_map<int64_t, size_t> changed_index_by_id_;
  // AllTrials(), once built.
  mutable std::optional<std::vector<const Trial*>> all_trials_;
  int64_t created_ = 0;
};

}  // namespace knob

#endif  // KNOB_SERVER_CORE_STUDY_WRITER_H_

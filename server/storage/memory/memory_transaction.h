// One transaction of a memory storage. Internal to storage/memory.
#ifndef KNOB_SERVER_STORAGE_MEMORY_MEMORY_TRANSACTION_H_
#define KNOB_SERVER_STORAGE_MEMORY_MEMORY_TRANSACTION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/storage/memory/tables.h"
#include "server/storage/storage.h"

namespace knob::memory_internal {

// Stages every change in itself, reading committed trials under Tables::mu
// (shared) with its own versions laid over them, so that a callback that
// fails leaves nothing behind and Commit() costs what changed.
class MemoryTransaction final : public StudyTransaction {
 public:
  // The caller holds the study's StudyLock for the transaction's lifetime;
  // `study` is `data.study` as of now.
  MemoryTransaction(Tables& tables, StudyData& data, Study study);

  // Whether Commit() has anything to publish.
  bool changed() const { return !staged_.empty() || study_changed_; }

  // Publishes the staged changes in one step under Tables::mu. At most
  // once, and the last use.
  void Commit() ABSL_LOCKS_EXCLUDED(tables_.mu);

  const Study& study() const override { return study_; }
  int64_t sequence() const override { return study_.sequence + 1; }
  absl::StatusOr<std::vector<Trial>> TrialsChangedSince(int64_t after) override;
  absl::StatusOr<TrialCounts> CountTrials() override;
  absl::StatusOr<Trial> CreateTrial(const NewTrial& new_trial,
                                    absl::Time now) override;
  absl::StatusOr<std::optional<Trial>> OldestWaitingTrial() override;
  absl::StatusOr<Trial> StartWaitingTrial(
      const Trial& trial, const std::string& worker_id,
      const std::map<std::string, std::string>& environment,
      absl::Time lease_deadline, const std::string& request_id,
      absl::Time now) override;
  absl::StatusOr<std::vector<Trial>> TrialsBySuggestRequest(
      const std::string& request_id) override;
  absl::StatusOr<Trial> ExtendLease(const Trial& trial,
                                    absl::Time lease_deadline) override;
  absl::StatusOr<Trial> AddIntermediateValue(
      const Trial& trial, const IntermediateValue& value) override;
  absl::StatusOr<Trial> FinishTrial(const Trial& trial,
                                    const TrialOutcome& outcome,
                                    absl::Time now) override;
  absl::StatusOr<std::vector<Trial>> ExpireLeases(absl::Time now) override;
  absl::Status SetStudyState(StudyState state, const std::string& reason,
                             absl::Time now) override;
  absl::Status SetStudyMetadata(
      const std::map<std::string, std::string>& metadata,
      absl::Time now) override;
  absl::Status SetSamplerState(const std::string& state) override;

 private:
  Trial CurrentTrial(int64_t number) const
      ABSL_SHARED_LOCKS_REQUIRED(tables_.mu);
  std::vector<Trial> CurrentTrials(const std::vector<int64_t>& numbers) const
      ABSL_SHARED_LOCKS_REQUIRED(tables_.mu);

  // Whether a new trial may retry the trial numbered `number` (see
  // NewTrial::retry_of).
  absl::Status CheckRetriable(int64_t number);

  // A copy of the trial as this transaction sees it, to modify and Stage.
  absl::StatusOr<Trial> Load(int64_t trial_id);

  // Stamps the trial with sequence() and keeps it for Commit.
  Trial Stage(Trial trial);

  Tables& tables_;
  StudyData& data_;
  const Study study_;
  // The versions of trials this transaction created or changed, by number.
  std::map<int64_t, Trial> staged_;
  // Trials this transaction created: id to number.
  absl::flat_hash_map<int64_t, int64_t> new_trial_numbers_;
  int64_t created_ = 0;
  bool study_changed_ = false;
  std::optional<StudyState> state_;
  std::string state_reason_;
  std::optional<std::map<std::string, std::string>> metadata_;
  std::optional<std::string> sampler_state_;
  std::optional<absl::Time> update_time_;
};

}  // namespace knob::memory_internal

#endif  // KNOB_SERVER_STORAGE_MEMORY_MEMORY_TRANSACTION_H_

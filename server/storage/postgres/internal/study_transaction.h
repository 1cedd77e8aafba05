// StudyTransaction on top of a libpqxx transaction that holds the study's
// row lock (see PostgresStorage::Transact).
#ifndef KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_STUDY_TRANSACTION_H_
#define KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_STUDY_TRANSACTION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pqxx/transaction_base"
#include "server/storage/postgres/internal/errors.h"
#include "server/storage/storage.h"

namespace knob::postgres_internal {

class PostgresStudyTransaction final : public StudyTransaction {
 public:
  // `study` as read under the lock by `transaction`.
  PostgresStudyTransaction(pqxx::transaction_base& transaction, Study study)
      : transaction_(transaction), study_(std::move(study)) {}

  const Study& study() const override { return study_; }
  int64_t sequence() const override { return study_.sequence + 1; }

  absl::StatusOr<std::vector<Trial>> TrialsChangedSince(int64_t after) override;
  absl::StatusOr<TrialCounts> CountTrials() override;
  absl::StatusOr<Trial> CreateTrial(const NewTrial& trial,
                                    absl::Time now) override;
  absl::StatusOr<std::optional<Trial>> OldestWaitingTrial() override;
  absl::StatusOr<Trial> StartWaitingTrial(
      int64_t trial_id, const std::string& worker_id,
      const std::map<std::string, std::string>& environment,
      absl::Time lease_deadline, const std::string& request_id,
      absl::Time now) override;
  absl::StatusOr<std::vector<Trial>> TrialsBySuggestRequest(
      const std::string& request_id) override;
  absl::StatusOr<Trial> ExtendLease(int64_t trial_id,
                                    absl::Time lease_deadline) override;
  absl::StatusOr<Trial> AddIntermediateValue(
      int64_t trial_id, const IntermediateValue& value) override;
  absl::StatusOr<Trial> FinishTrial(int64_t trial_id,
                                    const TrialOutcome& outcome,
                                    absl::Time now) override;
  absl::StatusOr<std::vector<Trial>> ExpireLeases(absl::Time now) override;
  absl::Status SetStudyState(StudyState state, const std::string& reason,
                             absl::Time now) override;
  absl::Status SetStudyMetadata(
      const std::map<std::string, std::string>& metadata,
      absl::Time now) override;
  absl::Status SetSamplerState(const std::string& state) override;

  // The first database failure any method ran into. The database has then
  // aborted the transaction, so every later call fails the same way and
  // the transaction must not be committed.
  const std::optional<DatabaseFailure>& failure() const { return failure_; }

  // Stores the study's new sequence and trial count if anything changed.
  // Call once, just before COMMIT.
  absl::Status Finish();

 private:
  template <typename Fn>
  auto Run(absl::string_view operation, Fn&& fn) -> decltype(fn());

  // Why an UPDATE guarded by `state = expected` matched no row:
  // NOT_FOUND or FAILED_PRECONDITION.
  absl::Status ExplainMiss(int64_t trial_id, TrialState expected);
  // Whether a new trial may retry the trial numbered `number` (see
  // NewTrial::retry_of).
  absl::Status CheckRetriable(int64_t number);
  absl::StatusOr<Trial> Load(int64_t trial_id);

  pqxx::transaction_base& transaction_;
  const Study study_;
  int64_t created_ = 0;
  bool changed_ = false;
  std::optional<DatabaseFailure> failure_;
};

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_STUDY_TRANSACTION_H_

// StudyTransaction on top of a libpqxx transaction that holds the study's
// row lock (see PostgresStorage::Transact). New, started and finished
// trials, intermediate values and extended leases are written together
// (see trial_writes.h): before any other statement of the transaction, and
// at the latest in Finish().
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
#include "server/storage/postgres/internal/trial_id_reserve.h"
#include "server/storage/postgres/internal/trial_writes.h"
#include "server/storage/storage.h"

namespace knob::postgres_internal {

class PostgresStudyTransaction final : public StudyTransaction {
 public:
  // `study` as read under the lock by `transaction`; new trials take their
  // ids from `ids`.
  PostgresStudyTransaction(pqxx::transaction_base& transaction, Study study,
                           TrialIdReserve& ids)
      : transaction_(transaction), study_(std::move(study)), ids_(ids) {}

  const Study& study() const override { return study_; }
  int64_t sequence() const override { return study_.sequence + 1; }

  absl::StatusOr<std::vector<Trial>> TrialsChangedSince(int64_t after) override;
  absl::StatusOr<TrialCounts> CountTrials() override;
  absl::StatusOr<Trial> CreateTrial(const NewTrial& trial,
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

  // The first database failure any method ran into. The database has then
  // aborted the transaction, so every later call fails the same way and
  // the transaction must not be committed.
  const std::optional<DatabaseFailure>& failure() const { return failure_; }

  // Writes what is pending and stores the study's new sequence and trial
  // count if anything changed. Call once, just before COMMIT.
  absl::Status Finish();

 private:
  // Runs `fn`, which may throw what libpqxx throws, once the pending
  // writes are written; remembers a database failure.
  template <typename Fn>
  auto Run(absl::string_view operation, Fn&& fn) -> decltype(fn());
  // The same without writing what is pending first.
  template <typename Fn>
  auto RunAlone(absl::string_view operation, Fn&& fn) -> decltype(fn());
  // Writes the pending trials, with the study's sequence and count.
  absl::Status WritePending();
  // Before deferring a change of `trial`, which needs its stored row in
  // state `needed`: the errors the caller's copy shows, and what is pending
  // for it written first.
  absl::Status PrepareDeferredWrite(const Trial& trial, TrialState needed);

  // Why an UPDATE guarded by `state = expected` matched no row:
  // NOT_FOUND or FAILED_PRECONDITION.
  absl::Status ExplainMiss(int64_t trial_id, TrialState expected);
  // Whether a new trial may retry the trial numbered `number` (see
  // NewTrial::retry_of).
  absl::Status CheckRetriable(int64_t number);
  void Changed() {
    changed_ = true;
    study_row_current_ = false;
  }

  pqxx::transaction_base& transaction_;
  const Study study_;
  TrialIdReserve& ids_;
  PendingTrialWrites pending_;
  int64_t created_ = 0;
  bool changed_ = false;
  // Whether the study's row holds this transaction's sequence and count
  // (WritePending stores them; later changes call for storing them again).
  bool study_row_current_ = false;
  std::optional<DatabaseFailure> failure_;
};

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_STUDY_TRANSACTION_H_

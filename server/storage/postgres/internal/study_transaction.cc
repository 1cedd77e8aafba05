#include "server/storage/postgres/internal/study_transaction.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "pqxx/binarystring"
#include "server/storage/postgres/internal/codec.h"
#include "server/storage/postgres/internal/rows.h"
#include "server/storage/postgres/internal/statements.h"
#include "server/storage/postgres/internal/trial_reads.h"
#include "server/util/status_macros.h"

namespace knob::postgres_internal {
namespace {

absl::Status NotIn(int64_t trial_id, absl::string_view state,
                   TrialState expected) {
  return absl::FailedPreconditionError(absl::StrCat(
      "trial ", trial_id, " is ", state, ", not ", TrialStateName(expected)));
}

}  // namespace

template <typename Fn>
auto PostgresStudyTransaction::RunAlone(absl::string_view operation, Fn&& fn)
    -> decltype(fn()) {
  if (failure_.has_value()) return failure_->status;
  DatabaseFailure failure;
  auto result = Guard(absl::StrCat(operation, " (study ", study_.id, ")"),
                      &failure, std::forward<Fn>(fn));
  if (!failure.status.ok()) failure_ = std::move(failure);
  return result;
}

template <typename Fn>
auto PostgresStudyTransaction::Run(absl::string_view operation, Fn&& fn)
    -> decltype(fn()) {
  RETURN_IF_ERROR(WritePending());
  return RunAlone(operation, std::forward<Fn>(fn));
}

absl::Status PostgresStudyTransaction::WritePending() {
  if (pending_.empty()) return absl::OkStatus();
  using Misses = absl::StatusOr<std::vector<PendingTrialWrites::Miss>>;
  ASSIGN_OR_RETURN(std::vector<PendingTrialWrites::Miss> misses,
                   RunAlone("writing trials", [&]() -> Misses {
                     return pending_.Write(transaction_, study_, sequence(),
                                           study_.next_trial_number + created_);
                   }));
  if (!misses.empty()) {
    // The caller's copy of a changed trial was wrong; the statement wrote
    // the others, so this transaction must not commit.
    absl::Status miss = RunAlone("explaining a failed write", [&] {
      return ExplainMiss(misses.front().trial_id, misses.front().needed);
    });
    if (!failure_.has_value()) failure_ = DatabaseFailure{.status = miss};
    return failure_->status;
  }
  study_row_current_ = true;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Trial>> PostgresStudyTransaction::TrialsChangedSince(
    int64_t after) {
  // The study's lock keeps its trials still between the read's statements.
  return Run("reading changed trials", [&] {
    return ReadTrials(transaction_, sql::kTrialsChangedSince, study_.id, after);
  });
}

absl::StatusOr<TrialCounts> PostgresStudyTransaction::CountTrials() {
  return Run("counting trials", [&] {
    return TrialCountsFromResult(
        transaction_.exec_prepared(sql::kTrialCounts, study_.id));
  });
}

absl::StatusOr<Trial> PostgresStudyTransaction::CreateTrial(
    const NewTrial& trial, absl::Time now) {
  RETURN_IF_ERROR(CheckNewTrial(trial));
  const bool running = trial.state == TrialState::kRunning;
  Trial created;
  created.study_id = study_.id;
  created.number = study_.next_trial_number + created_;
  created.state = trial.state;
  created.params = trial.params;
  created.worker_id = trial.worker_id;
  created.environment = trial.environment;
  created.create_time = TruncateToMicros(now);
  if (running) {
    created.start_time = created.create_time;
    created.lease_deadline = TruncateToMicros(*trial.lease_deadline);
  }
  created.sequence = sequence();
  (running ? created.suggest_request_id : created.enqueue_request_id) =
      trial.request_id;
  created.retry_of = trial.retry_of;
  if (created.retry_of.has_value()) {
    // Checked before the insert, whose constraint violation would abort the
    // whole transaction, other calls' changes included.
    RETURN_IF_ERROR(CheckRetriable(*created.retry_of));
  }

  ASSIGN_OR_RETURN(created.id, RunAlone("reserving a trial id", [&] {
                     return absl::StatusOr<int64_t>(ids_.Next([&](int count) {
                       return ReserveTrialIds(transaction_, count);
                     }));
                   }));
  ++created_;
  Changed();
  pending_.Create(created);
  return created;
}

absl::StatusOr<std::optional<Trial>>
PostgresStudyTransaction::OldestWaitingTrial() {
  return Run("finding the oldest waiting trial",
             [&]() -> absl::StatusOr<std::optional<Trial>> {
               pqxx::result result = transaction_.exec_prepared(
                   sql::kTrialOldestWaiting, study_.id);
               if (result.empty()) return std::nullopt;
               ASSIGN_OR_RETURN(Trial trial, TrialFromRow(result[0]));
               return trial;
             });
}

absl::StatusOr<Trial> PostgresStudyTransaction::StartWaitingTrial(
    const Trial& trial, const std::string& worker_id,
    const std::map<std::string, std::string>& environment,
    absl::Time lease_deadline, const std::string& request_id, absl::Time now) {
  RETURN_IF_ERROR(PrepareDeferredWrite(trial, TrialState::kWaiting));
  Trial started = trial;
  ApplyStart(started, worker_id, environment, TruncateToMicros(lease_deadline),
             request_id, TruncateToMicros(now));
  started.sequence = sequence();
  Changed();
  pending_.Start(started);
  return started;
}

absl::StatusOr<std::vector<Trial>>
PostgresStudyTransaction::TrialsBySuggestRequest(
    const std::string& request_id) {
  if (request_id.empty()) return std::vector<Trial>();
  return Run("finding the trials of a suggest request", [&] {
    return TrialsFromResult(transaction_.exec_prepared(
        sql::kTrialsBySuggestRequest, study_.id, request_id));
  });
}

absl::StatusOr<Trial> PostgresStudyTransaction::ExtendLease(
    const Trial& trial, absl::Time lease_deadline) {
  RETURN_IF_ERROR(PrepareDeferredWrite(trial, TrialState::kRunning));
  Trial extended = trial;
  extended.lease_deadline = TruncateToMicros(lease_deadline);
  extended.sequence = sequence();
  Changed();
  pending_.Extend(trial.id, *extended.lease_deadline);
  return extended;
}

absl::StatusOr<Trial> PostgresStudyTransaction::AddIntermediateValue(
    const Trial& trial, const IntermediateValue& value) {
  RETURN_IF_ERROR(PrepareDeferredWrite(trial, TrialState::kRunning));
  Trial reported = trial;
  ApplyIntermediateValue(reported, value);
  reported.sequence = sequence();
  Changed();
  pending_.Report(trial.id, value);
  return reported;
}

absl::StatusOr<Trial> PostgresStudyTransaction::FinishTrial(
    const Trial& trial, const TrialOutcome& outcome, absl::Time now) {
  RETURN_IF_ERROR(CheckOutcome(outcome));
  RETURN_IF_ERROR(PrepareDeferredWrite(trial, TrialState::kRunning));
  Trial finished = trial;
  // Values are stored exactly as given (doubles round-trip through
  // DoubleLiteral).
  ApplyOutcome(finished, outcome, TruncateToMicros(now));
  finished.sequence = sequence();
  Changed();
  pending_.Finish(finished);
  return finished;
}

absl::StatusOr<std::vector<Trial>> PostgresStudyTransaction::ExpireLeases(
    absl::Time now) {
  return Run("expiring leases", [&]() -> absl::StatusOr<std::vector<Trial>> {
    pqxx::result expired = transaction_.exec_prepared(
        sql::kTrialsExpire, study_.id, TimestampLiteral(now), sequence());
    if (expired.empty()) return std::vector<Trial>();
    Changed();
    std::vector<int64_t> ids;
    ids.reserve(expired.size());
    for (const pqxx::row& row : expired) ids.push_back(row[0].as<int64_t>());
    return TrialsFromResult(
        transaction_.exec_prepared(sql::kTrialsByIds, ArrayLiteral(ids)));
  });
}

absl::Status PostgresStudyTransaction::SetStudyState(StudyState state,
                                                     const std::string& reason,
                                                     absl::Time now) {
  return Run("setting the study state", [&] {
    transaction_.exec_prepared0(sql::kStudySetState, study_.id,
                                StudyStateName(state), reason,
                                TimestampLiteral(now));
    Changed();
    return absl::OkStatus();
  });
}

absl::Status PostgresStudyTransaction::SetStudyMetadata(
    const std::map<std::string, std::string>& metadata, absl::Time now) {
  return Run("setting the study metadata", [&] {
    transaction_.exec_prepared0(sql::kStudySetMetadata, study_.id,
                                StringMapToJson(metadata),
                                TimestampLiteral(now));
    Changed();
    return absl::OkStatus();
  });
}

absl::Status PostgresStudyTransaction::SetSamplerState(
    const std::string& state) {
  return Run("setting the sampler state", [&] {
    if (state.empty()) {
      transaction_.exec_prepared0(sql::kStudySetSamplerState, study_.id,
                                  nullptr);
    } else {
      // A binary parameter: the bytes go to the server as they are, with
      // no escaping and no text encoding to trip over.
      transaction_.exec_prepared0(sql::kStudySetSamplerState, study_.id,
                                  pqxx::binarystring(state));
    }
    Changed();
    return absl::OkStatus();
  });
}

absl::Status PostgresStudyTransaction::PrepareDeferredWrite(const Trial& trial,
                                                            TrialState needed) {
  if (failure_.has_value()) return failure_->status;
  if (trial.study_id != study_.id) {
    return absl::NotFoundError(
        absl::StrCat("study ", study_.id, " has no trial ", trial.id));
  }
  if (pending_.Finishes(trial.id)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "trial ", trial.id, " is already finished by this transaction"));
  }
  if (trial.state != needed) {
    return NotIn(trial.id, TrialStateName(trial.state), needed);
  }
  // One statement cannot write a row twice.
  if (pending_.Touches(trial.id)) return WritePending();
  return absl::OkStatus();
}

absl::Status PostgresStudyTransaction::Finish() {
  if (!changed_) return absl::OkStatus();
  RETURN_IF_ERROR(WritePending());
  if (study_row_current_) return absl::OkStatus();
  return Run("committing the study sequence", [&] {
    transaction_.exec_prepared0(sql::kStudyCommit, study_.id, sequence(),
                                study_.next_trial_number + created_);
    study_row_current_ = true;
    return absl::OkStatus();
  });
}

absl::Status PostgresStudyTransaction::ExplainMiss(int64_t trial_id,
                                                   TrialState expected) {
  pqxx::result result =
      transaction_.exec_prepared(sql::kTrialState, trial_id, study_.id);
  if (result.empty()) {
    return absl::NotFoundError(
        absl::StrCat("study ", study_.id, " has no trial ", trial_id));
  }
  return NotIn(trial_id, result[0][0].c_str(), expected);
}

absl::Status PostgresStudyTransaction::CheckRetriable(int64_t number) {
  return Run("checking the trial to retry", [&]() -> absl::Status {
    pqxx::result result =
        transaction_.exec_prepared(sql::kTrialRetryTarget, study_.id, number);
    if (result.empty()) {
      return absl::NotFoundError(
          absl::StrCat("study ", study_.id, " has no trial number ", number));
    }
    const int64_t trial_id = result[0][0].as<int64_t>();
    if (std::string_view(result[0][1].c_str()) !=
        TrialStateName(TrialState::kStale)) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot retry trial ", trial_id, ": it is ",
                       result[0][1].c_str(), ", not STALE"));
    }
    if (result[0][2].as<bool>()) {
      return absl::AlreadyExistsError(
          absl::StrCat("trial ", trial_id, " is already retried"));
    }
    return absl::OkStatus();
  });
}

}  // namespace knob::postgres_internal

#include "tests/testing/faulty_storage.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace knob::testing {
namespace {

// Forwards to the real transaction, failing the calls `faults` names.
class FaultyTransaction final : public StudyTransaction {
 public:
  FaultyTransaction(StudyTransaction& transaction, const TransactFaults& faults)
      : transaction_(transaction), faults_(faults) {}

  const Study& study() const override { return transaction_.study(); }
  int64_t sequence() const override { return transaction_.sequence(); }
  absl::StatusOr<std::vector<Trial>> TrialsChangedSince(
      int64_t after) override {
    return transaction_.TrialsChangedSince(after);
  }
  absl::StatusOr<TrialCounts> CountTrials() override {
    return transaction_.CountTrials();
  }
  absl::StatusOr<Trial> CreateTrial(const NewTrial& trial,
                                    absl::Time now) override {
    if (faults_.fail_create_trial == create_trial_calls_++) {
      return absl::UnavailableError(absl::StrCat("injected: CreateTrial call ",
                                                 create_trial_calls_ - 1,
                                                 " lost its connection"));
    }
    return transaction_.CreateTrial(trial, now);
  }
  absl::StatusOr<std::optional<Trial>> OldestWaitingTrial() override {
    return transaction_.OldestWaitingTrial();
  }
  absl::StatusOr<Trial> StartWaitingTrial(
      const Trial& trial, const std::string& worker_id,
      const std::map<std::string, std::string>& environment,
      absl::Time lease_deadline, const std::string& request_id,
      absl::Time now) override {
    return transaction_.StartWaitingTrial(trial, worker_id, environment,
                                          lease_deadline, request_id, now);
  }
  absl::StatusOr<std::vector<Trial>> TrialsBySuggestRequest(
      const std::string& request_id) override {
    return transaction_.TrialsBySuggestRequest(request_id);
  }
  absl::StatusOr<Trial> ExtendLease(const Trial& trial,
                                    absl::Time lease_deadline) override {
    return transaction_.ExtendLease(trial, lease_deadline);
  }
  absl::StatusOr<Trial> AddIntermediateValue(
      const Trial& trial, const IntermediateValue& value) override {
    return transaction_.AddIntermediateValue(trial, value);
  }
  absl::StatusOr<Trial> FinishTrial(const Trial& trial,
                                    const TrialOutcome& outcome,
                                    absl::Time now) override {
    return transaction_.FinishTrial(trial, outcome, now);
  }
  absl::StatusOr<std::vector<Trial>> ExpireLeases(absl::Time now) override {
    return transaction_.ExpireLeases(now);
  }
  absl::Status SetStudyState(StudyState state, const std::string& reason,
                             absl::Time now) override {
    return transaction_.SetStudyState(state, reason, now);
  }
  absl::Status SetStudyMetadata(
      const std::map<std::string, std::string>& metadata,
      absl::Time now) override {
    return transaction_.SetStudyMetadata(metadata, now);
  }
  absl::Status SetSamplerState(const std::string& state) override {
    if (faults_.fail_sampler_state_write) {
      return absl::UnavailableError(
          "injected: SetSamplerState lost its connection");
    }
    return transaction_.SetSamplerState(state);
  }

 private:
  StudyTransaction& transaction_;
  const TransactFaults& faults_;
  int create_trial_calls_ = 0;
};

}  // namespace

void FaultyStorage::InjectIntoNextTransact(TransactFaults faults) {
  absl::MutexLock lock(&mu_);
  next_faults_ = std::move(faults);
}

absl::Status FaultyStorage::Transact(
    int64_t study_id, absl::FunctionRef<absl::Status(StudyTransaction&)> fn) {
  TransactFaults faults;
  {
    absl::MutexLock lock(&mu_);
    if (next_faults_.has_value()) faults = *std::exchange(next_faults_, {});
  }
  auto faulty = [&](StudyTransaction& transaction) {
    FaultyTransaction wrapped(transaction, faults);
    return fn(wrapped);
  };
  if (faults.retry_after_conflict) {
    const absl::Status conflict = absl::AbortedError("injected conflict");
    absl::Status first =
        storage_.Transact(study_id, [&](StudyTransaction& transaction) {
          absl::Status status = faulty(transaction);
          return status.ok() ? conflict : status;
        });
    if (first != conflict) return first;
  }
  return storage_.Transact(study_id, faulty);
}

}  // namespace knob::testing

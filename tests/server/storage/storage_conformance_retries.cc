// Trials that retry a STALE trial: linked to it, at most one per STALE
// trial, and counted so that budgets can leave the lost trial out.
#include <optional>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/util/status_macros.h"
#include "tests/server/storage/storage_conformance.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {
namespace {

NewTrial RetryOf(const Trial& lost) {
  NewTrial retry;
  retry.state = TrialState::kWaiting;
  retry.params = lost.params;
  retry.retry_of = lost.number;
  return retry;
}

// A study whose trial 0 went STALE while trial 1 keeps RUNNING.
struct LostTrial {
  Study study;
  Trial lost;
  Trial running;
};

absl::StatusOr<LostTrial> LoseATrial(Storage& storage) {
  LostTrial result;
  ASSIGN_OR_RETURN(result.study,
                   storage.CreateStudy("retries", SmallConfig(), {}, kT0));
  RETURN_IF_ERROR(storage.Transact(
      result.study.id, [&](StudyTransaction& txn) -> absl::Status {
        RETURN_IF_ERROR(
            txn.CreateTrial(RunningTrial("lost", At(10)), At(1)).status());
        ASSIGN_OR_RETURN(result.running,
                         txn.CreateTrial(RunningTrial("w", At(99)), At(1)));
        return absl::OkStatus();
      }));
  RETURN_IF_ERROR(storage.Transact(result.study.id, [&](StudyTransaction& txn) {
    ASSIGN_OR_RETURN(std::vector<Trial> stale, txn.ExpireLeases(At(20)));
    if (stale.size() != 1) {
      return absl::InternalError("expected one expired lease");
    }
    result.lost = stale.front();
    return absl::OkStatus();
  }));
  return result;
}

TEST_P(StorageConformanceTest, RetryIsStoredLinkedToTheLostTrial) {
  ASSERT_OK_AND_ASSIGN(const LostTrial setup, LoseATrial(*storage_));
  const Study& study = setup.study;
  const Trial& lost_trial = setup.lost;
  ASSERT_OK_AND_ASSIGN(Trial retry,
                       CreateTrial(study.id, RetryOf(lost_trial), At(30)));
  EXPECT_EQ(retry.number, 2);
  EXPECT_EQ(retry.retry_of, std::optional<int64_t>(0));
  EXPECT_EQ(TrialStateName(retry.state), TrialStateName(TrialState::kWaiting));
  ASSERT_OK_AND_ASSIGN(Trial stored, storage_->GetTrial(retry.id));
  ExpectSameTrial(stored, retry);
  ASSERT_OK_AND_ASSIGN(Trial unchanged, storage_->GetTrial(lost_trial.id));
  EXPECT_EQ(unchanged.retry_of, std::nullopt);

  ASSERT_OK_AND_ASSIGN(TrialCounts counts, storage_->CountTrials(study.id));
  EXPECT_EQ(counts.stale, 1);
  EXPECT_EQ(counts.retried, 1);
  EXPECT_EQ(counts.Started(), 1);

  // The link survives the retry's start.
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    ASSIGN_OR_RETURN(Trial started, txn.StartWaitingTrial(
                                        retry, "w2", {}, At(200), "s", At(40)));
    EXPECT_EQ(started.retry_of, std::optional<int64_t>(0));
    ASSIGN_OR_RETURN(TrialCounts in_txn, txn.CountTrials());
    EXPECT_EQ(in_txn.retried, 1);
    EXPECT_EQ(in_txn.running, 2);
    return absl::OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(stored, storage_->GetTrial(retry.id));
  EXPECT_EQ(stored.retry_of, std::optional<int64_t>(0));
}

TEST_P(StorageConformanceTest, ATrialIsRetriedOnce) {
  ASSERT_OK_AND_ASSIGN(const LostTrial setup, LoseATrial(*storage_));
  const Study& study = setup.study;
  const Trial& lost_trial = setup.lost;
  ASSERT_OK(CreateTrial(study.id, RetryOf(lost_trial), At(30)).status());
  EXPECT_THAT(CreateTrial(study.id, RetryOf(lost_trial), At(31)),
              StatusIs(absl::StatusCode::kAlreadyExists, ::testing::_));
  // Also within one transaction, and without spoiling its other changes.
  ASSERT_OK_AND_ASSIGN(Study other, CreateStudy("other"));
  ASSERT_OK_AND_ASSIGN(Trial lost,
                       CreateTrial(other.id, RunningTrial("l", At(5)), At(1)));
  ASSERT_OK(storage_->Transact(other.id, [&](StudyTransaction& txn) {
    RETURN_IF_ERROR(txn.ExpireLeases(At(6)).status());
    lost.state = TrialState::kStale;
    RETURN_IF_ERROR(txn.CreateTrial(RetryOf(lost), At(7)).status());
    EXPECT_THAT(txn.CreateTrial(RetryOf(lost), At(7)),
                StatusIs(absl::StatusCode::kAlreadyExists, ::testing::_));
    return absl::OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> all, AllTrials(other.id));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].retry_of, std::optional<int64_t>(0));
  ASSERT_OK_AND_ASSIGN(TrialCounts counts, storage_->CountTrials(other.id));
  EXPECT_EQ(counts.retried, 1);
}

TEST_P(StorageConformanceTest, OnlyAStaleTrialOfTheStudyCanBeRetried) {
  ASSERT_OK_AND_ASSIGN(const LostTrial setup, LoseATrial(*storage_));
  const Study& study = setup.study;
  const Trial& lost_trial = setup.lost;
  const Trial& running = setup.running;
  EXPECT_THAT(CreateTrial(study.id, RetryOf(running), At(30)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       ::testing::HasSubstr("RUNNING")));
  Trial missing = lost_trial;
  missing.number = 7;
  EXPECT_THAT(CreateTrial(study.id, RetryOf(missing), At(30)),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  NewTrial running_retry = RetryOf(lost_trial);
  running_retry.state = TrialState::kRunning;
  running_retry.lease_deadline = At(300);
  EXPECT_THAT(CreateTrial(study.id, running_retry, At(30)),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> all, AllTrials(study.id));
  EXPECT_EQ(all.size(), 2u);
  ASSERT_OK_AND_ASSIGN(TrialCounts counts, storage_->CountTrials(study.id));
  EXPECT_EQ(counts.retried, 0);
}

}  // namespace
}  // namespace knob::testing

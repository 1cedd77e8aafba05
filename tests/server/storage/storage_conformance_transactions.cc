// Transactions: numbering, sequences, atomicity, reading one's own changes,
// study state and metadata.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/util/status_macros.h"
#include "tests/server/storage/storage_conformance.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST_P(StorageConformanceTest, TransactionSeesTheCommittedStudy) {
  ASSERT_OK_AND_ASSIGN(
      Study study,
      storage_->CreateStudy("s", FullConfig(), {{"owner", "ana"}}, kT0));
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    ExpectSameStudy(txn.study(), study);
    EXPECT_EQ(txn.sequence(), 1);
    return absl::OkStatus();
  }));
  ASSERT_OK(CreateTrial(study.id, WaitingTrial(1), At(1)).status());
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    EXPECT_EQ(txn.study().sequence, 1);
    EXPECT_EQ(txn.study().next_trial_number, 1);
    EXPECT_EQ(txn.sequence(), 2);
    return absl::OkStatus();
  }));
}

TEST_P(StorageConformanceTest, TrialNumbersAreDense) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  std::vector<int64_t> numbers;
  for (int batch : {1, 3, 2}) {
    std::vector<NewTrial> trials(batch, WaitingTrial(0));
    ASSERT_OK_AND_ASSIGN(std::vector<Trial> created,
                         CreateTrials(study.id, trials, At(1)));
    for (const Trial& trial : created) numbers.push_back(trial.number);
  }
  EXPECT_THAT(numbers, ElementsAre(0, 1, 2, 3, 4, 5));
  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  EXPECT_EQ(stored.next_trial_number, 6);
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> all, AllTrials(study.id));
  EXPECT_THAT(NumbersOf(all), ElementsAre(0, 1, 2, 3, 4, 5));
}

TEST_P(StorageConformanceTest, EachChangingTransactionTakesTheNextSequence) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(
      std::vector<Trial> first,
      CreateTrials(study.id, {WaitingTrial(1), WaitingTrial(2)}, At(1)));
  EXPECT_EQ(first[0].sequence, 1);
  EXPECT_EQ(first[1].sequence, 1);
  ASSERT_OK_AND_ASSIGN(Trial second,
                       CreateTrial(study.id, RunningTrial("w", At(60)), At(2)));
  EXPECT_EQ(second.sequence, 2);
  ASSERT_OK_AND_ASSIGN(Trial finished, Finish(second, {}, At(3)));
  EXPECT_EQ(finished.sequence, 3);

  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  EXPECT_EQ(stored.sequence, 3);
  ASSERT_OK_AND_ASSIGN(Trial unchanged, storage_->GetTrial(first[0].id));
  EXPECT_EQ(unchanged.sequence, 1);
  ASSERT_OK_AND_ASSIGN(Trial reread, storage_->GetTrial(second.id));
  EXPECT_EQ(reread.sequence, 3);
}

TEST_P(StorageConformanceTest, TransactionThatChangesNothingKeepsTheSequence) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(
      Trial trial, CreateTrial(study.id, WaitingTrial(1, "enqueue"), At(1)));
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
      EXPECT_EQ(txn.sequence(), 2);
      RETURN_IF_ERROR(txn.TrialsChangedSince(0).status());
      RETURN_IF_ERROR(txn.CountTrials().status());
      RETURN_IF_ERROR(txn.OldestWaitingTrial().status());
      RETURN_IF_ERROR(txn.TrialsBySuggestRequest("enqueue").status());
      return txn.ExpireLeases(At(1000)).status();
    }));
  }
  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  EXPECT_EQ(stored.sequence, 1);
  ASSERT_OK_AND_ASSIGN(Trial reread, storage_->GetTrial(trial.id));
  ExpectSameTrial(reread, trial);
}

TEST_P(StorageConformanceTest, RejectedMutationIsNotAChange) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(Trial waiting,
                       CreateTrial(study.id, WaitingTrial(1), At(1)));
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    EXPECT_THAT(txn.FinishTrial(waiting, {}, At(2)),
                StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
    EXPECT_THAT(txn.ExtendLease(waiting, At(90)),
                StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
    return absl::OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  EXPECT_EQ(stored.sequence, 1);
  ASSERT_OK_AND_ASSIGN(Trial reread, storage_->GetTrial(waiting.id));
  ExpectSameTrial(reread, waiting);
}

TEST_P(StorageConformanceTest, CallbackErrorRollsBackEveryChange) {
  ASSERT_OK_AND_ASSIGN(
      Study study,
      storage_->CreateStudy("s", SmallConfig(), {{"owner", "ana"}}, kT0));
  ASSERT_OK_AND_ASSIGN(
      std::vector<Trial> before,
      CreateTrials(study.id,
                   {RunningTrial("w1", At(60)), RunningTrial("w2", At(60)),
                    WaitingTrial(3)},
                   At(1)));
  ASSERT_OK_AND_ASSIGN(Study study_before, storage_->GetStudy(study.id));
  ASSERT_OK_AND_ASSIGN(TrialCounts counts_before,
                       storage_->CountTrials(study.id));

  std::vector<int64_t> created_ids;
  const absl::Status failure = absl::CancelledError("changed my mind");
  absl::Status status =
      storage_->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        created_ids.clear();
        ASSIGN_OR_RETURN(Trial created,
                         txn.CreateTrial(RunningTrial("w3", At(60)), At(2)));
        created_ids.push_back(created.id);
        ASSIGN_OR_RETURN(created, txn.CreateTrial(WaitingTrial(4), At(2)));
        created_ids.push_back(created.id);
        TrialOutcome outcome;
        outcome.values = {0.5};
        RETURN_IF_ERROR(txn.FinishTrial(before[0], outcome, At(2)).status());
        RETURN_IF_ERROR(
            txn.AddIntermediateValue(before[1], {1, "loss", 0.7}).status());
        RETURN_IF_ERROR(txn.ExtendLease(before[1], At(120)).status());
        RETURN_IF_ERROR(
            txn.StartWaitingTrial(before[2], "w4", {}, At(60), "r", At(2))
                .status());
        RETURN_IF_ERROR(txn.SetStudyState(StudyState::kStopped, "x", At(2)));
        RETURN_IF_ERROR(txn.SetStudyMetadata({{"owner", "bo"}}, At(2)));
        RETURN_IF_ERROR(txn.SetSamplerState("discarded"));
        EXPECT_EQ(txn.CountTrials()->running, 3);
        return failure;
      });
  EXPECT_EQ(status, failure);

  ASSERT_OK_AND_ASSIGN(Study study_after, storage_->GetStudy(study.id));
  ExpectSameStudy(study_after, study_before);
  ASSERT_OK_AND_ASSIGN(TrialCounts counts_after,
                       storage_->CountTrials(study.id));
  EXPECT_TRUE(counts_after == counts_before);
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> after, AllTrials(study.id));
  ExpectSameTrials(after, before);
  ASSERT_EQ(created_ids.size(), 2u);
  for (int64_t id : created_ids) {
    EXPECT_THAT(storage_->GetTrial(id),
                StatusIs(absl::StatusCode::kNotFound, ::testing::_));
    EXPECT_THAT(storage_->StudyOfTrial(id),
                StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  }

  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    EXPECT_EQ(txn.sequence(), study_before.sequence + 1);
    EXPECT_THAT(txn.TrialsChangedSince(study_before.sequence),
                IsOkAndHolds(IsEmpty()));
    return absl::OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(Trial next,
                       CreateTrial(study.id, WaitingTrial(5), At(3)));
  EXPECT_EQ(next.number, 3);
  EXPECT_EQ(next.sequence, study_before.sequence + 1);
}

TEST_P(StorageConformanceTest, StudySnapshotIsTheOneAtTheStart) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    RETURN_IF_ERROR(txn.CreateTrial(WaitingTrial(1), At(1)).status());
    RETURN_IF_ERROR(txn.SetStudyState(StudyState::kPaused, "pause", At(1)));
    RETURN_IF_ERROR(txn.SetStudyMetadata({{"k", "v"}}, At(1)));
    ExpectSameStudy(txn.study(), study);
    EXPECT_EQ(txn.sequence(), 1);
    return absl::OkStatus();
  }));
}

TEST_P(StorageConformanceTest, TransactionSeesItsOwnChanges) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(Trial committed,
                       CreateTrial(study.id, RunningTrial("w", At(60)), At(1)));
  ASSERT_OK(
      storage_->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(Trial waiting,
                         txn.CreateTrial(WaitingTrial(2, "enqueue"), At(2)));
        ASSIGN_OR_RETURN(
            Trial running,
            txn.CreateTrial(RunningTrial("w", At(60), "suggest"), At(2)));
        ASSIGN_OR_RETURN(Trial finished, txn.FinishTrial(committed, {}, At(2)));
        EXPECT_EQ(waiting.number, 1);
        EXPECT_EQ(running.number, 2);

        ASSIGN_OR_RETURN(TrialCounts counts, txn.CountTrials());
        EXPECT_EQ(counts.waiting, 1);
        EXPECT_EQ(counts.running, 1);
        EXPECT_EQ(counts.completed, 1);

        ASSIGN_OR_RETURN(std::vector<Trial> changed, txn.TrialsChangedSince(1));
        ExpectSameTrials(changed, {finished, waiting, running});
        ASSIGN_OR_RETURN(changed, txn.TrialsChangedSince(0));
        ExpectSameTrials(changed, {finished, waiting, running});
        ASSIGN_OR_RETURN(changed, txn.TrialsChangedSince(2));
        EXPECT_THAT(changed, IsEmpty());

        ASSIGN_OR_RETURN(std::optional<Trial> oldest, txn.OldestWaitingTrial());
        EXPECT_TRUE(oldest.has_value() && oldest->id == waiting.id);
        ASSIGN_OR_RETURN(std::vector<Trial> by_request,
                         txn.TrialsBySuggestRequest("suggest"));
        ExpectSameTrials(by_request, {running});

        ASSIGN_OR_RETURN(
            Trial started,
            txn.StartWaitingTrial(waiting, "w2", {}, At(70), "suggest", At(3)));
        ASSIGN_OR_RETURN(oldest, txn.OldestWaitingTrial());
        EXPECT_FALSE(oldest.has_value());
        ASSIGN_OR_RETURN(by_request, txn.TrialsBySuggestRequest("suggest"));
        ExpectSameTrials(by_request, {started, running});
        ASSIGN_OR_RETURN(by_request, txn.TrialsBySuggestRequest("enqueue"));
        EXPECT_THAT(by_request, IsEmpty());
        ASSIGN_OR_RETURN(counts, txn.CountTrials());
        EXPECT_EQ(counts.waiting, 0);
        EXPECT_EQ(counts.running, 2);
        return absl::OkStatus();
      }));
}

TEST_P(StorageConformanceTest, SetStudyStateIsAChange) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    return txn.SetStudyState(StudyState::kPaused, "waiting for data", At(10));
  }));
  ASSERT_OK_AND_ASSIGN(Study paused, storage_->GetStudy(study.id));
  EXPECT_EQ(StudyStateName(paused.state), StudyStateName(StudyState::kPaused));
  EXPECT_EQ(paused.state_reason, "waiting for data");
  EXPECT_EQ(paused.update_time, At(10));
  EXPECT_EQ(paused.create_time, kT0);
  EXPECT_EQ(paused.sequence, 1);

  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    RETURN_IF_ERROR(txn.SetStudyState(StudyState::kStopped, "first", At(11)));
    return txn.SetStudyState(StudyState::kCompleted, "budget spent", At(12));
  }));
  ASSERT_OK_AND_ASSIGN(Study completed, storage_->GetStudy(study.id));
  EXPECT_EQ(StudyStateName(completed.state),
            StudyStateName(StudyState::kCompleted));
  EXPECT_EQ(completed.state_reason, "budget spent");
  EXPECT_EQ(completed.update_time, At(12));
  EXPECT_EQ(completed.sequence, 2);
  ExpectSameConfig(completed.config, study.config);
}

TEST_P(StorageConformanceTest, SetStudyMetadataReplacesAllOfIt) {
  ASSERT_OK_AND_ASSIGN(
      Study study,
      storage_->CreateStudy("s", SmallConfig(),
                            {{"owner", "ana"}, {"team", "vision"}}, kT0));
  const std::map<std::string, std::string> replacement = {
      {"owner", "bo"}, {"purpose", "ablation"}};
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    return txn.SetStudyMetadata(replacement, At(20));
  }));
  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  EXPECT_EQ(stored.metadata, replacement);
  EXPECT_EQ(stored.update_time, At(20));
  EXPECT_EQ(stored.sequence, 1);
  EXPECT_EQ(StudyStateName(stored.state), StudyStateName(StudyState::kRunning));

  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    return txn.SetStudyMetadata({}, At(21));
  }));
  ASSERT_OK_AND_ASSIGN(stored, storage_->GetStudy(study.id));
  EXPECT_THAT(stored.metadata, IsEmpty());
}

TEST_P(StorageConformanceTest, CountTrialsInAndOutOfTransactions) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(Study other, CreateStudy("other"));
  ASSERT_OK(CreateTrial(other.id, RunningTrial("w", At(60)), At(1)).status());
  std::vector<NewTrial> new_trials(5, RunningTrial("w", At(60)));
  new_trials.push_back(WaitingTrial(1));
  new_trials.push_back(WaitingTrial(2));
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> trials,
                       CreateTrials(study.id, new_trials, At(1)));
  const std::vector<TrialState> endings = {
      TrialState::kCompleted, TrialState::kPruned, TrialState::kFailed,
      TrialState::kStale};
  for (size_t i = 0; i < endings.size(); ++i) {
    TrialOutcome outcome;
    outcome.state = endings[i];
    ASSERT_OK(Finish(trials[i], outcome, At(2)).status());
  }
  TrialCounts expected;
  expected.waiting = 2;
  expected.running = 1;
  expected.completed = 1;
  expected.pruned = 1;
  expected.failed = 1;
  expected.stale = 1;

  ASSERT_OK_AND_ASSIGN(TrialCounts outside, storage_->CountTrials(study.id));
  EXPECT_TRUE(outside == expected);
  EXPECT_EQ(outside.Started(), 5);
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    EXPECT_THAT(txn.CountTrials(), IsOkAndHolds(expected));
    return absl::OkStatus();
  }));
}

}  // namespace
}  // namespace knob::testing

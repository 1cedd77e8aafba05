// A running trial inside transactions: its lease, its intermediate reports,
// and how it ends (finished by its worker or expired).
#include <cstdint>
#include <optional>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/util/status_macros.h"
#include "tests/server/storage/storage_conformance.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const auto kFailedPrecondition =
    StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_);

TEST_P(StorageConformanceTest, ExtendLeaseMovesTheDeadlineOfARunningTrial) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(
      std::vector<Trial> trials,
      CreateTrials(study.id, {RunningTrial("w", At(60)), WaitingTrial(1)},
                   At(1)));
  Trial extended;
  ASSERT_OK(
      storage_->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(extended, txn.ExtendLease(trials[0], At(120)));
        EXPECT_THAT(txn.ExtendLease(trials[1], At(120)), kFailedPrecondition);
        return absl::OkStatus();
      }));
  Trial expected = trials[0];
  expected.lease_deadline = At(120);
  expected.sequence = 2;
  ExpectSameTrial(extended, expected);
  ASSERT_OK_AND_ASSIGN(Trial stored, storage_->GetTrial(trials[0].id));
  ExpectSameTrial(stored, expected);
}

TEST_P(StorageConformanceTest, IntermediateValuesKeepReportOrder) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(Trial trial,
                       CreateTrial(study.id, RunningTrial("w", At(60)), At(1)));
  // Each report passes the trial as the last one returned it.
  auto report = [&](const IntermediateValue& value) -> absl::StatusOr<Trial> {
    RETURN_IF_ERROR(storage_->Transact(
        study.id, [&](StudyTransaction& txn) -> absl::Status {
          ASSIGN_OR_RETURN(trial, txn.AddIntermediateValue(trial, value));
          return absl::OkStatus();
        }));
    return trial;
  };
  ASSERT_OK(report({5, "loss", 0.9}).status());
  ASSERT_OK(report({3, "loss", 0.8}).status());
  ASSERT_OK(report({5, "accuracy", 0.1}).status());
  // The report's request id and the pruner's answer are kept with the
  // value, and replaced with it.
  const IntermediateValue pruned_report{
      5, "loss", 0.7, "report-9", true, "worse than the median"};
  ASSERT_OK_AND_ASSIGN(Trial replaced, report(pruned_report));

  const std::vector<IntermediateValue> expected = {
      pruned_report, {3, "loss", 0.8}, {5, "accuracy", 0.1}};
  EXPECT_EQ(replaced.intermediate_values, expected);
  EXPECT_EQ(replaced.sequence, 5);
  ASSERT_OK_AND_ASSIGN(Trial stored, storage_->GetTrial(trial.id));
  ExpectSameTrial(stored, replaced);
}

TEST_P(StorageConformanceTest, IntermediateValuesNeedARunningTrial) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(
      std::vector<Trial> trials,
      CreateTrials(study.id, {WaitingTrial(1), RunningTrial("w", At(60))},
                   At(1)));
  ASSERT_OK_AND_ASSIGN(trials[1], Finish(trials[1], {}, At(2)));
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    for (const Trial& trial : trials) {
      EXPECT_THAT(txn.AddIntermediateValue(trial, {1, "loss", 0.5}),
                  kFailedPrecondition);
    }
    return absl::OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(Trial stored, storage_->GetTrial(trials[1].id));
  EXPECT_THAT(stored.intermediate_values, IsEmpty());
}

TEST_P(StorageConformanceTest, FinishTrialRecordsEachOutcome) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  std::vector<TrialOutcome> outcomes(4);
  outcomes[0].state = TrialState::kCompleted;
  outcomes[0].values = {0.125, 7};
  outcomes[0].metrics = {{"latency_ms", 3.5}};
  outcomes[0].request_id = "done-0";
  outcomes[1].state = TrialState::kPruned;
  outcomes[1].metrics = {{"latency_ms", 1}};
  outcomes[1].request_id = "done-1";
  outcomes[2].state = TrialState::kFailed;
  outcomes[2].fail_reason = "CUDA out of memory";
  outcomes[3].state = TrialState::kStale;
  outcomes[3].fail_reason = "worker vanished";
  outcomes[3].request_id = "done-3";

  for (size_t i = 0; i < outcomes.size(); ++i) {
    SCOPED_TRACE(TrialStateName(outcomes[i].state));
    ASSERT_OK_AND_ASSIGN(
        Trial running, CreateTrial(study.id, RunningTrial("w", At(60)), At(1)));
    const absl::Time end = At(10) + absl::Microseconds(i);
    ASSERT_OK_AND_ASSIGN(Trial finished, Finish(running, outcomes[i], end));
    Trial expected = running;
    expected.state = outcomes[i].state;
    expected.values = outcomes[i].values;
    expected.metrics = outcomes[i].metrics;
    expected.fail_reason = outcomes[i].fail_reason;
    expected.complete_request_id = outcomes[i].request_id;
    expected.end_time = end;
    expected.lease_deadline = std::nullopt;
    expected.sequence = running.sequence + 1;
    ExpectSameTrial(finished, expected);
    ASSERT_OK_AND_ASSIGN(Trial stored, storage_->GetTrial(running.id));
    ExpectSameTrial(stored, expected);
  }
}

TEST_P(StorageConformanceTest, FinishTrialNeedsARunningTrial) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(
      std::vector<Trial> trials,
      CreateTrials(study.id, {WaitingTrial(1), RunningTrial("w", At(60))},
                   At(1)));
  TrialOutcome failed;
  failed.state = TrialState::kFailed;
  failed.fail_reason = "first";
  ASSERT_OK_AND_ASSIGN(Trial finished, Finish(trials[1], failed, At(2)));
  for (TrialState state : {TrialState::kCompleted, TrialState::kFailed}) {
    TrialOutcome again;
    again.state = state;
    EXPECT_THAT(Finish(trials[1], again, At(3)), kFailedPrecondition);
    EXPECT_THAT(Finish(trials[0], again, At(3)), kFailedPrecondition);
  }
  ASSERT_OK_AND_ASSIGN(Trial stored, storage_->GetTrial(trials[1].id));
  ExpectSameTrial(stored, finished);
  ASSERT_OK_AND_ASSIGN(stored, storage_->GetTrial(trials[0].id));
  ExpectSameTrial(stored, trials[0]);
}

// A storage may take the caller's copy at its word until it commits; a
// finish or report of a copy that misstates the stored trial then fails
// the whole transaction.
TEST_P(StorageConformanceTest, WritingAMisstatedTrialChangesNothing) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(
      std::vector<Trial> trials,
      CreateTrials(study.id,
                   {RunningTrial("w", At(60)), RunningTrial("w", At(60)),
                    WaitingTrial(1)},
                   At(1)));
  ASSERT_OK(Finish(trials[0], {}, At(2)).status());
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    return txn.StartWaitingTrial(trials[2], "w", {}, At(60), "", At(2))
        .status();
  }));
  ASSERT_OK_AND_ASSIGN(Study before, storage_->GetStudy(study.id));
  // Each change, given a trial as it was before it changed (trials[0] still
  // RUNNING, trials[2] still WAITING) or a trial of no study.
  enum class Change { kFinish, kReport, kExtend, kStart };
  for (const Change change :
       {Change::kFinish, Change::kReport, Change::kExtend, Change::kStart}) {
    const Trial& earlier = change == Change::kStart ? trials[2] : trials[0];
    Trial unknown = earlier;
    unknown.id += kUnknownId;
    for (const auto& [misstated, code] :
         {std::pair(earlier, absl::StatusCode::kFailedPrecondition),
          std::pair(unknown, absl::StatusCode::kNotFound)}) {
      SCOPED_TRACE(::testing::Message() << "change " << static_cast<int>(change)
                                        << " of trial " << misstated.id);
      absl::Status status = storage_->Transact(
          study.id, [&](StudyTransaction& txn) -> absl::Status {
            RETURN_IF_ERROR(txn.CreateTrial(WaitingTrial(3), At(3)).status());
            RETURN_IF_ERROR(
                txn.AddIntermediateValue(trials[1], {1, "loss", 0.5}).status());
            switch (change) {
              case Change::kFinish: {
                TrialOutcome outcome;
                outcome.values = {0.25};
                outcome.metrics = {{"seconds", 3}};
                return txn.FinishTrial(misstated, outcome, At(3)).status();
              }
              case Change::kReport:
                return txn.AddIntermediateValue(misstated, {1, "loss", 0.5})
                    .status();
              case Change::kExtend:
                return txn.ExtendLease(misstated, At(90)).status();
              case Change::kStart:
                return txn
                    .StartWaitingTrial(misstated, "w", {}, At(90), "", At(3))
                    .status();
            }
            return absl::OkStatus();
          });
      EXPECT_THAT(status, StatusIs(code, ::testing::_));
      ASSERT_OK_AND_ASSIGN(Study after, storage_->GetStudy(study.id));
      ExpectSameStudy(after, before);
      ASSERT_OK_AND_ASSIGN(Trial stored, storage_->GetTrial(trials[1].id));
      ExpectSameTrial(stored, trials[1]);
      ASSERT_OK_AND_ASSIGN(std::vector<Trial> all, AllTrials(study.id));
      EXPECT_EQ(all.size(), 3u);
    }
  }
}

TEST_P(StorageConformanceTest, FinishTrialRejectsAnUnfinishedOutcome) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(Trial trial,
                       CreateTrial(study.id, RunningTrial("w", At(60)), At(1)));
  for (TrialState state : {TrialState::kRunning, TrialState::kWaiting}) {
    TrialOutcome outcome;
    outcome.state = state;
    EXPECT_THAT(Finish(trial, outcome, At(2)),
                StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  }
  ASSERT_OK_AND_ASSIGN(Trial stored, storage_->GetTrial(trial.id));
  ExpectSameTrial(stored, trial);
}

TEST_P(StorageConformanceTest, ExpireLeasesMarksOnlyOverdueTrialsStale) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(Study healthy, CreateStudy("healthy"));
  ASSERT_OK(
      CreateTrial(healthy.id, RunningTrial("w", At(500)), At(1)).status());
  const absl::Time now = At(100);
  ASSERT_OK_AND_ASSIGN(
      std::vector<Trial> trials,
      CreateTrials(
          study.id,
          {RunningTrial("late", now - absl::Microseconds(1)),
           RunningTrial("on-time", now),
           RunningTrial("early", now + absl::Seconds(1)), WaitingTrial(1),
           RunningTrial("later", At(50)), RunningTrial("done", At(10))},
          At(1)));
  ASSERT_OK(Finish(trials[5], {}, At(5)).status());

  EXPECT_THAT(storage_->StudiesWithExpiredLeases(At(51)),
              IsOkAndHolds(ElementsAre(study.id)));
  EXPECT_THAT(storage_->StudiesWithExpiredLeases(At(50)),
              IsOkAndHolds(IsEmpty()));

  std::vector<Trial> expired;
  ASSERT_OK(
      storage_->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(expired, txn.ExpireLeases(now));
        return absl::OkStatus();
      }));
  ASSERT_THAT(NumbersOf(expired), ElementsAre(0, 4));
  for (const Trial& trial : expired) {
    EXPECT_EQ(TrialStateName(trial.state), TrialStateName(TrialState::kStale));
    EXPECT_THAT(trial.fail_reason, ContainsRegex("[Ll]ease"));
    EXPECT_EQ(trial.end_time, now);
    EXPECT_EQ(trial.lease_deadline, std::nullopt);
    EXPECT_EQ(trial.sequence, 3);
    ASSERT_OK_AND_ASSIGN(Trial stored, storage_->GetTrial(trial.id));
    ExpectSameTrial(stored, trial);
  }
  for (int untouched : {1, 2, 3}) {
    ASSERT_OK_AND_ASSIGN(Trial stored,
                         storage_->GetTrial(trials[untouched].id));
    ExpectSameTrial(stored, trials[untouched]);
  }
  ASSERT_OK_AND_ASSIGN(TrialCounts counts, storage_->CountTrials(study.id));
  EXPECT_EQ(counts.stale, 2);
  EXPECT_EQ(counts.running, 2);

  EXPECT_THAT(storage_->StudiesWithExpiredLeases(now), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(storage_->StudiesWithExpiredLeases(now + absl::Microseconds(1)),
              IsOkAndHolds(ElementsAre(study.id)));
  EXPECT_THAT(storage_->StudiesWithExpiredLeases(At(1000)),
              IsOkAndHolds(UnorderedElementsAre(study.id, healthy.id)));
}

TEST_P(StorageConformanceTest, ExpireLeasesSeesTheTransactionsOwnLeases) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> committed,
                       CreateTrials(study.id,
                                    {RunningTrial("shortened", At(60)),
                                     RunningTrial("extended", At(5))},
                                    At(1)));
  const absl::Time now = At(20);
  ASSERT_OK(
      storage_->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        RETURN_IF_ERROR(txn.ExtendLease(committed[0], At(5)).status());
        RETURN_IF_ERROR(txn.ExtendLease(committed[1], At(30)).status());
        RETURN_IF_ERROR(
            txn.CreateTrial(
                   RunningTrial("overdue", now - absl::Microseconds(1)), At(2))
                .status());
        RETURN_IF_ERROR(
            txn.CreateTrial(RunningTrial("due", now), At(2)).status());
        ASSIGN_OR_RETURN(std::vector<Trial> expired, txn.ExpireLeases(now));
        EXPECT_THAT(NumbersOf(expired), ElementsAre(0, 2));
        ASSIGN_OR_RETURN(TrialCounts counts, txn.CountTrials());
        EXPECT_EQ(counts.stale, 2);
        EXPECT_EQ(counts.running, 2);
        return absl::OkStatus();
      }));
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> all, AllTrials(study.id));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(TrialStateName(all[0].state), TrialStateName(TrialState::kStale));
  EXPECT_EQ(all[1].lease_deadline, At(30));
  EXPECT_EQ(TrialStateName(all[2].state), TrialStateName(TrialState::kStale));
  EXPECT_EQ(all[3].lease_deadline, now);
}

TEST_P(StorageConformanceTest, ExpireLeasesWithNothingOverdueChangesNothing) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK(CreateTrial(study.id, RunningTrial("w", At(60)), At(1)).status());
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    EXPECT_THAT(txn.ExpireLeases(At(60)), IsOkAndHolds(IsEmpty()));
    return absl::OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  EXPECT_EQ(stored.sequence, 1);
}

}  // namespace
}  // namespace knob::testing

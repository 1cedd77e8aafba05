// Trials inside transactions: created, read back with every field, found
// by what changed, by waiting order and by request, started.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
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

const auto kNotFound = StatusIs(absl::StatusCode::kNotFound, ::testing::_);
const auto kFailedPrecondition =
    StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_);

TEST_P(StorageConformanceTest, CreateRunningTrialStoresWhatItWasGiven) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  NewTrial new_trial = RunningTrial("worker-7", At(300), "suggest-1");
  ASSERT_OK_AND_ASSIGN(Trial trial, CreateTrial(study.id, new_trial, At(1)));

  Trial expected;
  expected.id = trial.id;
  expected.study_id = study.id;
  expected.number = 0;
  expected.state = TrialState::kRunning;
  expected.params = new_trial.params;
  expected.worker_id = "worker-7";
  expected.environment = new_trial.environment;
  expected.create_time = At(1);
  expected.start_time = At(1);
  expected.lease_deadline = At(300);
  expected.sequence = 1;
  expected.suggest_request_id = "suggest-1";
  ExpectSameTrial(trial, expected);
  EXPECT_GT(trial.id, 0);

  ASSERT_OK_AND_ASSIGN(Trial stored, storage_->GetTrial(trial.id));
  ExpectSameTrial(stored, expected);
  EXPECT_THAT(storage_->StudyOfTrial(trial.id), IsOkAndHolds(study.id));
}

TEST_P(StorageConformanceTest, CreateWaitingTrialHasNoWorkerTimesYet) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(
      Trial trial,
      CreateTrial(study.id, WaitingTrial(2.5, "enqueue-1"), At(1)));
  EXPECT_EQ(TrialStateName(trial.state), TrialStateName(TrialState::kWaiting));
  EXPECT_EQ(trial.create_time, At(1));
  EXPECT_EQ(trial.start_time, std::nullopt);
  EXPECT_EQ(trial.end_time, std::nullopt);
  EXPECT_EQ(trial.lease_deadline, std::nullopt);
  EXPECT_EQ(trial.enqueue_request_id, "enqueue-1");
  EXPECT_EQ(trial.suggest_request_id, "");
  EXPECT_EQ(trial.params, (ParamAssignment{{"x", 2.5}}));
  ASSERT_OK_AND_ASSIGN(Trial stored, storage_->GetTrial(trial.id));
  ExpectSameTrial(stored, trial);
}

TEST_P(StorageConformanceTest, CreateTrialRejectsWhatCannotBeCreated) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  NewTrial no_lease = RunningTrial("w", At(60));
  no_lease.lease_deadline.reset();
  NewTrial already_done = RunningTrial("w", At(60));
  already_done.state = TrialState::kCompleted;
  for (const NewTrial& bad : {no_lease, already_done}) {
    EXPECT_THAT(CreateTrial(study.id, bad, At(1)),
                StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  }
  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  EXPECT_EQ(stored.sequence, 0);
  EXPECT_EQ(stored.next_trial_number, 0);
}

TEST_P(StorageConformanceTest, EveryTrialFieldRoundTrips) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  NewTrial new_trial;
  new_trial.state = TrialState::kRunning;
  new_trial.params = {{"lr", 0.1 + 0.2},
                      {"tiny", 1e-300},
                      {"negative", -2.5},
                      {"layers", std::numeric_limits<int64_t>::min()},
                      {"units", int64_t{4096}},
                      {"optimizer", std::string("adam")},
                      {"empty", std::string("")},
                      {"nesterov", true},
                      {"ema", false}};
  new_trial.worker_id = "worker-ü";
  new_trial.environment = {{"host", "gpu-3"}, {"cuda", "12.2"}, {"note", ""}};
  new_trial.lease_deadline = At(600) + absl::Microseconds(7);
  new_trial.request_id = "suggest-Ω";
  const absl::Time created_at = At(1) + absl::Microseconds(1);
  const absl::Time ended_at = At(500) + absl::Microseconds(999'999);
  TrialOutcome outcome;
  outcome.values = {0.30000000000000004, -1e-9};
  outcome.metrics = {{"latency_ms", 12.75}, {"memory_mb", 2048}};
  outcome.request_id = "complete-1";

  Trial finished;
  ASSERT_OK(
      storage_->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(Trial trial, txn.CreateTrial(new_trial, created_at));
        for (int64_t step : {0, 1, 2}) {
          ASSIGN_OR_RETURN(trial, txn.AddIntermediateValue(
                                      trial, {step, "loss", 1.0 / (step + 1)}));
          ASSIGN_OR_RETURN(trial, txn.AddIntermediateValue(
                                      trial, {step, "accuracy", step * 0.25}));
        }
        ASSIGN_OR_RETURN(finished, txn.FinishTrial(trial, outcome, ended_at));
        return absl::OkStatus();
      }));

  Trial expected;
  expected.id = finished.id;
  expected.study_id = study.id;
  expected.number = 0;
  expected.state = TrialState::kCompleted;
  expected.params = new_trial.params;
  expected.values = outcome.values;
  expected.metrics = outcome.metrics;
  expected.intermediate_values = {{0, "loss", 1.0},     {0, "accuracy", 0.0},
                                  {1, "loss", 0.5},     {1, "accuracy", 0.25},
                                  {2, "loss", 1.0 / 3}, {2, "accuracy", 0.5}};
  expected.worker_id = new_trial.worker_id;
  expected.environment = new_trial.environment;
  expected.create_time = created_at;
  expected.start_time = created_at;
  expected.end_time = ended_at;
  expected.sequence = 1;
  expected.suggest_request_id = "suggest-Ω";
  expected.complete_request_id = "complete-1";
  ExpectSameTrial(finished, expected);

  ASSERT_OK_AND_ASSIGN(Trial by_id, storage_->GetTrial(finished.id));
  ExpectSameTrial(by_id, expected);
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> changed, ChangedSince(study.id, 0));
  ExpectSameTrials(changed, {expected});
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> listed, AllTrials(study.id));
  ExpectSameTrials(listed, {expected});
}

TEST_P(StorageConformanceTest, TrialsChangedSinceReturnsExactlyTheChanged) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(
      std::vector<Trial> created,
      CreateTrials(study.id,
                   {RunningTrial("a", At(60)), RunningTrial("b", At(60)),
                    RunningTrial("c", At(60)), WaitingTrial(4)},
                   At(1)));
  ASSERT_OK_AND_ASSIGN(Trial finished, Finish(created[2], {}, At(2)));
  Trial reported;
  ASSERT_OK(
      storage_->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(reported,
                         txn.AddIntermediateValue(created[0], {0, "loss", 3}));
        return absl::OkStatus();
      }));
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    return txn.SetStudyState(StudyState::kPaused, "", At(4));
  }));

  ASSERT_OK_AND_ASSIGN(std::vector<Trial> changed, ChangedSince(study.id, 0));
  ExpectSameTrials(changed, {reported, created[1], finished, created[3]});
  ASSERT_OK_AND_ASSIGN(changed, ChangedSince(study.id, 1));
  ExpectSameTrials(changed, {reported, finished});
  ASSERT_OK_AND_ASSIGN(changed, ChangedSince(study.id, 2));
  ExpectSameTrials(changed, {reported});
  for (int64_t after : {3, 4, 5}) {
    ASSERT_OK_AND_ASSIGN(changed, ChangedSince(study.id, after));
    EXPECT_THAT(changed, IsEmpty()) << "after " << after;
  }
}

TEST_P(StorageConformanceTest, TrialIdsAreUniqueAcrossStudies) {
  ASSERT_OK_AND_ASSIGN(Study a, CreateStudy("a"));
  ASSERT_OK_AND_ASSIGN(Study b, CreateStudy("b"));
  ASSERT_OK_AND_ASSIGN(
      std::vector<Trial> in_a,
      CreateTrials(a.id, {WaitingTrial(1), WaitingTrial(2)}, At(1)));
  ASSERT_OK_AND_ASSIGN(
      std::vector<Trial> in_b,
      CreateTrials(b.id, {WaitingTrial(1), WaitingTrial(2)}, At(1)));
  EXPECT_THAT(NumbersOf(in_a), ElementsAre(0, 1));
  EXPECT_THAT(NumbersOf(in_b), ElementsAre(0, 1));
  std::vector<int64_t> ids = IdsOf(in_a);
  for (int64_t id : IdsOf(in_b)) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  for (const Trial& trial : in_b) {
    EXPECT_THAT(storage_->StudyOfTrial(trial.id), IsOkAndHolds(b.id));
  }
}

TEST_P(StorageConformanceTest, OldestWaitingTrialIsTheLowestNumber) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  auto oldest = [&]() -> absl::StatusOr<std::optional<Trial>> {
    std::optional<Trial> found;
    RETURN_IF_ERROR(storage_->Transact(
        study.id, [&](StudyTransaction& txn) -> absl::Status {
          ASSIGN_OR_RETURN(found, txn.OldestWaitingTrial());
          return absl::OkStatus();
        }));
    return found;
  };
  ASSERT_OK_AND_ASSIGN(std::optional<Trial> none, oldest());
  EXPECT_FALSE(none.has_value());

  ASSERT_OK_AND_ASSIGN(
      std::vector<Trial> trials,
      CreateTrials(study.id,
                   {RunningTrial("w", At(60)), WaitingTrial(1),
                    RunningTrial("w", At(60)), WaitingTrial(2)},
                   At(1)));
  ASSERT_OK_AND_ASSIGN(std::optional<Trial> first, oldest());
  ASSERT_TRUE(first.has_value());
  ExpectSameTrial(*first, trials[1]);

  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    return txn.StartWaitingTrial(trials[1], "w", {}, At(60), "", At(2))
        .status();
  }));
  ASSERT_OK_AND_ASSIGN(std::optional<Trial> second, oldest());
  ASSERT_TRUE(second.has_value());
  ExpectSameTrial(*second, trials[3]);

  ASSERT_OK_AND_ASSIGN(Trial fourth,
                       CreateTrial(study.id, WaitingTrial(4), At(3)));
  ASSERT_OK(
      storage_->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        RETURN_IF_ERROR(
            txn.StartWaitingTrial(trials[3], "w", {}, At(60), "", At(4))
                .status());
        ASSIGN_OR_RETURN(std::optional<Trial> next, txn.OldestWaitingTrial());
        EXPECT_TRUE(next.has_value() && next->id == fourth.id);
        return absl::OkStatus();
      }));
}

TEST_P(StorageConformanceTest, StartWaitingTrialHandsItToAWorker) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(
      Trial waiting, CreateTrial(study.id, WaitingTrial(3, "enqueue"), At(1)));
  const std::map<std::string, std::string> environment = {{"gpu", "a100"}};
  Trial started;
  ASSERT_OK(
      storage_->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(started,
                         txn.StartWaitingTrial(waiting, "worker-9", environment,
                                               At(90), "suggest-9", At(5)));
        return absl::OkStatus();
      }));
  Trial expected = waiting;
  expected.state = TrialState::kRunning;
  expected.worker_id = "worker-9";
  expected.environment = environment;
  expected.start_time = At(5);
  expected.lease_deadline = At(90);
  expected.suggest_request_id = "suggest-9";
  expected.sequence = 2;
  ExpectSameTrial(started, expected);
  ASSERT_OK_AND_ASSIGN(Trial stored, storage_->GetTrial(waiting.id));
  ExpectSameTrial(stored, expected);

  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    EXPECT_THAT(txn.StartWaitingTrial(started, "w", {}, At(90), "", At(6)),
                kFailedPrecondition);
    return absl::OkStatus();
  }));
}

TEST_P(StorageConformanceTest, TrialsBySuggestRequestFindsEachRequest) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> trials,
                       CreateTrials(study.id,
                                    {RunningTrial("w", At(60), "req-a"),
                                     RunningTrial("w", At(60), "req-b"),
                                     RunningTrial("w", At(60), "req-a"),
                                     WaitingTrial(1, "enqueue")},
                                    At(1)));
  Trial started;
  ASSERT_OK(
      storage_->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(
            started,
            txn.StartWaitingTrial(trials[3], "w", {}, At(60), "req-a", At(2)));
        return absl::OkStatus();
      }));
  ASSERT_OK(
      storage_->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(std::vector<Trial> found,
                         txn.TrialsBySuggestRequest("req-a"));
        ExpectSameTrials(found, {trials[0], trials[2], started});
        ASSIGN_OR_RETURN(found, txn.TrialsBySuggestRequest("req-b"));
        ExpectSameTrials(found, {trials[1]});
        ASSIGN_OR_RETURN(found, txn.TrialsBySuggestRequest("enqueue"));
        EXPECT_THAT(found, IsEmpty());
        ASSIGN_OR_RETURN(found, txn.TrialsBySuggestRequest("req-c"));
        EXPECT_THAT(found, IsEmpty());
        return absl::OkStatus();
      }));
}

TEST_P(StorageConformanceTest, TrialsOutsideTheStudyAreNotFound) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(Study other, CreateStudy("other"));
  ASSERT_OK_AND_ASSIGN(
      std::vector<Trial> foreign,
      CreateTrials(other.id, {RunningTrial("w", At(60)), WaitingTrial(1)},
                   At(1)));
  std::vector<Trial> outside = foreign;
  outside.push_back(foreign[0]);
  outside.back().id += kUnknownId;
  const std::vector<int64_t> ids = IdsOf(outside);
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    for (const Trial& trial : outside) {
      SCOPED_TRACE(::testing::Message() << "trial " << trial.id);
      EXPECT_THAT(txn.StartWaitingTrial(trial, "w", {}, At(60), "", At(2)),
                  kNotFound);
      EXPECT_THAT(txn.ExtendLease(trial, At(90)), kNotFound);
      EXPECT_THAT(txn.AddIntermediateValue(trial, {1, "loss", 1}), kNotFound);
      EXPECT_THAT(txn.FinishTrial(trial, {}, At(2)), kNotFound);
    }
    return absl::OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> after, AllTrials(other.id));
  ExpectSameTrials(after, foreign);
  EXPECT_THAT(storage_->GetTrial(ids.back()), kNotFound);
  EXPECT_THAT(storage_->StudyOfTrial(ids.back()), kNotFound);
}

}  // namespace
}  // namespace knob::testing

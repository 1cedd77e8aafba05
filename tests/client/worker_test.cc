#include "client/worker.h"

#include <thread>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/fake_knob_server.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::FakeKnobServer;
using ::knob::testing::IsOk;
using ::knob::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Key;
using ::testing::Pair;
using ::testing::SizeIs;

class WorkerTest : public ::testing::Test {
 protected:
  WorkerTest() : client_(Options()) {}

  ClientOptions Options() {
    ClientOptions options;
    options.target = server_.target();
    options.retry.initial_backoff = absl::Milliseconds(1);
    options.retry.max_backoff = absl::Milliseconds(5);
    return options;
  }

  int64_t CreateStudy(int64_t max_trials, absl::Duration lease = {}) {
    v1::CreateStudyRequest request;
    request.set_name(absl::StrCat("study", ++studies_));
    v1::StudyConfig& config = *request.mutable_config();
    v1::ParameterSpec* x = config.add_parameters();
    x->set_name("x");
    x->mutable_float_domain()->set_min(-1);
    x->mutable_float_domain()->set_max(1);
    config.add_objectives()->set_metric("loss");
    config.mutable_stopping()->set_max_trials(max_trials);
    if (lease > absl::ZeroDuration()) {
      config.mutable_lease_duration()->set_nanos(
          static_cast<int32_t>(absl::ToInt64Nanoseconds(lease)));
    }
    absl::StatusOr<v1::Study> study = client_.CreateStudy(request);
    EXPECT_THAT(study, IsOk());
    return study.ok() ? study->id() : 0;
  }

  WorkerOptions Worker(int64_t study_id) {
    WorkerOptions options;
    options.study_id = study_id;
    options.heartbeat_interval = absl::Milliseconds(20);
    options.idle_interval = absl::Milliseconds(5);
    return options;
  }

  static absl::StatusOr<TrialResult> Square(TrialContext& trial) {
    const double x = trial.Double("x");
    return TrialResult::Completed({x * x});
  }

  FakeKnobServer server_;
  Client client_;
  int studies_ = 0;
};

TEST_F(WorkerTest, CompletesTrialsUntilTheStudyIsDone) {
  WorkerOptions options = Worker(CreateStudy(5));
  options.environment["gpu"] = "none";
  int reported = 0;
  options.on_trial_end = [&](const v1::Trial& trial, const absl::Status& s) {
    EXPECT_THAT(s, IsOk());
    EXPECT_EQ(trial.state(), v1::TRIAL_STATE_COMPLETED);
    ++reported;
  };
  ASSERT_OK_AND_ASSIGN(WorkerSummary summary,
                       RunWorker(client_, options, Square));
  EXPECT_EQ(summary.completed, 5);
  EXPECT_EQ(summary.failed + summary.pruned + summary.lost, 0);
  EXPECT_TRUE(summary.study_done);
  EXPECT_EQ(summary.done_reason, "max_trials=5 reached");
  EXPECT_EQ(reported, 5);
  const std::vector<v1::Trial> trials = server_.AllTrials();
  ASSERT_THAT(trials, SizeIs(5));
  for (const v1::Trial& trial : trials) {
    EXPECT_EQ(trial.state(), v1::TRIAL_STATE_COMPLETED);
    const double x = trial.parameters().at("x").double_value();
    EXPECT_DOUBLE_EQ(trial.values(0), x * x);
    EXPECT_EQ(trial.worker_id(), DefaultWorkerId());
    EXPECT_THAT(trial.environment(), Contains(Pair("gpu", "none")));
    EXPECT_THAT(trial.environment(), Contains(Key("hostname")));
    EXPECT_THAT(trial.environment(), Contains(Key("pid")));
    EXPECT_THAT(trial.environment(),
                Contains(Pair("knob_client_version", ClientVersion())));
  }
}

TEST_F(WorkerTest, StopsAfterMaxTrials) {
  WorkerOptions options = Worker(CreateStudy(0));
  options.max_trials = 2;
  options.worker_id = "w1";
  ASSERT_OK_AND_ASSIGN(WorkerSummary summary,
                       RunWorker(client_, options, Square));
  EXPECT_EQ(summary.completed, 2);
  EXPECT_FALSE(summary.study_done);
  EXPECT_EQ(summary.done_reason, "max_trials=2 reached");
  EXPECT_EQ(server_.AllTrials()[1].worker_id(), "w1");
}

TEST_F(WorkerTest, AnErrorFailsTheTrialWithItsMessage) {
  ASSERT_OK_AND_ASSIGN(
      WorkerSummary summary,
      RunWorker(client_, Worker(CreateStudy(2)),
                [](TrialContext&) -> absl::StatusOr<TrialResult> {
                  return absl::InternalError("loss diverged to nan");
                }));
  EXPECT_EQ(summary.failed, 2);
  for (const v1::Trial& trial : server_.AllTrials()) {
    EXPECT_EQ(trial.state(), v1::TRIAL_STATE_FAILED);
    EXPECT_EQ(trial.fail_reason(), "loss diverged to nan");
  }
}

TEST_F(WorkerTest, FailedAndPrunedResultsAreRecorded) {
  server_.PruneFromStep(2);
  int calls = 0;
  ASSERT_OK_AND_ASSIGN(
      WorkerSummary summary,
      RunWorker(client_, Worker(CreateStudy(2)),
                [&](TrialContext& trial) -> absl::StatusOr<TrialResult> {
                  if (++calls == 1) return TrialResult::Failed("out of memory");
                  for (int step = 1; step <= 5; ++step) {
                    absl::StatusOr<bool> prune = trial.Report(step, 1.0 / step);
                    if (!prune.ok()) return prune.status();
                    if (*prune) {
                      EXPECT_TRUE(trial.ShouldStop());
                      return TrialResult::Pruned();
                    }
                  }
                  return TrialResult::Completed({0});
                }));
  EXPECT_EQ(summary.failed, 1);
  EXPECT_EQ(summary.pruned, 1);
  const std::vector<v1::Trial> trials = server_.AllTrials();
  EXPECT_EQ(trials[0].fail_reason(), "out of memory");
  EXPECT_EQ(trials[1].state(), v1::TRIAL_STATE_PRUNED);
  EXPECT_EQ(trials[1].fail_reason(), "below median");
  EXPECT_THAT(trials[1].intermediate_values(), SizeIs(2));
}

TEST_F(WorkerTest, ReadingAParameterAsTheWrongKindFailsTheTrial) {
  ASSERT_OK_AND_ASSIGN(
      WorkerSummary summary,
      RunWorker(client_, Worker(CreateStudy(1)),
                [](TrialContext& trial) -> absl::StatusOr<TrialResult> {
                  return TrialResult::Completed(
                      {static_cast<double>(trial.Int("x"))});
                }));
  EXPECT_EQ(summary.failed, 1);
  EXPECT_THAT(server_.AllTrials()[0].fail_reason(),
              HasSubstr("parameter \"x\" is a double"));
}

TEST_F(WorkerTest, AStopDirectiveReachesTheTrainingFunction) {
  ASSERT_OK_AND_ASSIGN(
      WorkerSummary summary,
      RunWorker(client_, Worker(CreateStudy(1)),
                [&](TrialContext& trial) -> absl::StatusOr<TrialResult> {
                  server_.StopTrial(trial.id(), "study stopped");
                  const absl::Time give_up = absl::Now() + absl::Seconds(10);
                  while (!trial.ShouldStop() && absl::Now() < give_up) {
                    absl::SleepFor(absl::Milliseconds(5));
                  }
                  EXPECT_EQ(trial.StopReason(), "study stopped");
                  return TrialResult::Pruned();
                }));
  EXPECT_EQ(summary.pruned, 1);
  EXPECT_EQ(server_.AllTrials()[0].fail_reason(), "study stopped");
}

TEST_F(WorkerTest, HeartbeatsComeAtAThirdOfTheLease) {
  WorkerOptions options = Worker(CreateStudy(1, absl::Milliseconds(90)));
  options.heartbeat_interval = absl::Seconds(10);
  ASSERT_THAT(RunWorker(client_, options,
                        [](TrialContext& trial) -> absl::StatusOr<TrialResult> {
                          absl::SleepFor(absl::Milliseconds(300));
                          return TrialResult::Completed({1});
                        }),
              IsOk());
  EXPECT_GE(server_.Heartbeats(server_.AllTrials()[0].id()), 3);
}

TEST_F(WorkerTest, SurvivesATransientOutageWithoutDuplicates) {
  server_.FailNext("SuggestTrials", 3,
                   grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting"));
  const int64_t study = CreateStudy(3);
  server_.FailNext("CompleteTrial", 2,
                   grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting"));
  ASSERT_OK_AND_ASSIGN(WorkerSummary summary,
                       RunWorker(client_, Worker(study), Square));
  EXPECT_EQ(summary.completed, 3);
  EXPECT_THAT(server_.AllTrials(), SizeIs(3));
}

TEST_F(WorkerTest, ARejectedResultIsRecordedAsFailed) {
  ASSERT_OK_AND_ASSIGN(
      WorkerSummary summary,
      RunWorker(client_, Worker(CreateStudy(1)),
                [](TrialContext&) -> absl::StatusOr<TrialResult> {
                  return TrialResult::Completed({1, 2});
                }));
  EXPECT_EQ(summary.failed, 1);
  const v1::Trial trial = server_.AllTrials()[0];
  EXPECT_EQ(trial.state(), v1::TRIAL_STATE_FAILED);
  EXPECT_THAT(trial.fail_reason(),
              HasSubstr("result rejected: values: expected 1, got 2"));
}

TEST_F(WorkerTest, ATrialFinishedElsewhereCountsAsLost) {
  WorkerOptions options = Worker(CreateStudy(1));
  absl::Status seen;
  options.on_trial_end = [&](const v1::Trial&, const absl::Status& s) {
    seen = s;
  };
  ASSERT_OK_AND_ASSIGN(
      WorkerSummary summary,
      RunWorker(client_, options,
                [&](TrialContext& trial) -> absl::StatusOr<TrialResult> {
                  v1::CompleteTrialRequest request;
                  request.set_trial_id(trial.id());
                  request.set_state(v1::TRIAL_STATE_FAILED);
                  EXPECT_THAT(client_.CompleteTrial(request), IsOk());
                  return TrialResult::Completed({1});
                }));
  EXPECT_EQ(summary.lost, 1);
  EXPECT_EQ(summary.completed, 0);
  EXPECT_THAT(seen, StatusIs(absl::StatusCode::kFailedPrecondition,
                             HasSubstr("not running")));
}

TEST_F(WorkerTest, APausedStudyEndsTheLoop) {
  const int64_t study = CreateStudy(0);
  v1::UpdateStudyRequest pause;
  pause.set_study_id(study);
  pause.set_state(v1::STUDY_STATE_PAUSED);
  ASSERT_THAT(client_.UpdateStudy(pause), IsOk());
  ASSERT_OK_AND_ASSIGN(WorkerSummary summary,
                       RunWorker(client_, Worker(study), Square));
  EXPECT_TRUE(summary.study_done);
  EXPECT_THAT(summary.done_reason, HasSubstr("PAUSED"));
  EXPECT_EQ(summary.completed, 0);
}

TEST_F(WorkerTest, RejectsAMissingOrUnknownStudy) {
  EXPECT_THAT(
      RunWorker(client_, WorkerOptions(), Square),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("study_id")));
  EXPECT_THAT(RunWorker(client_, Worker(42), Square),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("")));
}

}  // namespace
}  // namespace knob

#include "client/worker.h"

#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/lease_reaper.h"
#include "server/storage/memory/memory_storage.h"
#include "server/util/clock.h"
#include "tests/testing/direct_calls.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_pruners.h"
#include "tests/testing/test_server.h"

namespace knob {
namespace {

using ::knob::testing::IsOk;
using ::knob::testing::IsOkAndHolds;
using ::knob::testing::StatusIs;
using ::knob::testing::TestServer;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Key;
using ::testing::Pair;
using ::testing::Property;
using ::testing::SizeIs;

ClientOptions FastOptions(const std::string& target) {
  ClientOptions options;
  options.target = target;
  options.retry.initial_backoff = absl::Milliseconds(1);
  options.retry.max_backoff = absl::Milliseconds(5);
  return options;
}

grpc::Status Unavailable(const std::string& message) {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, message);
}

void SetDuration(absl::Duration duration, google::protobuf::Duration* out) {
  const int64_t seconds = absl::ToInt64Seconds(duration);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(duration - absl::Seconds(seconds))));
}

// A study over x in [-1, 1] minimizing "loss"; max_trials 0 means no limit.
v1::CreateStudyRequest StudyRequest(int64_t max_trials) {
  v1::CreateStudyRequest request;
  request.set_name("worker-study");
  v1::StudyConfig& config = *request.mutable_config();
  v1::ParameterSpec* x = config.add_parameters();
  x->set_name("x");
  x->mutable_float_domain()->set_min(-1);
  x->mutable_float_domain()->set_max(1);
  v1::Objective* loss = config.add_objectives();
  loss->set_metric("loss");
  loss->set_direction(v1::DIRECTION_MINIMIZE);
  config.mutable_stopping()->set_max_trials(max_trials);
  return request;
}

int64_t CreateStudyOn(TestServer& server,
                      const v1::CreateStudyRequest& request) {
  absl::StatusOr<v1::Study> study = testing::CreateStudy(server, request);
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

absl::StatusOr<TrialResult> Square(TrialContext& trial) {
  const double x = trial.Double("x");
  return TrialResult::Completed({x * x});
}

// Polls `condition` until it holds or ten seconds passed; returns whether
// it held.
template <typename Condition>
bool Eventually(Condition condition) {
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (!condition()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

// The worker talks to the real server through the fault proxy; the tests
// set up and check through the server's own stubs (direct_calls.h).
class WorkerTest : public ::testing::Test {
 protected:
  int64_t CreateStudy(const v1::CreateStudyRequest& request) {
    return CreateStudyOn(server_, request);
  }
  int64_t CreateStudy(int64_t max_trials) {
    return CreateStudy(StudyRequest(max_trials));
  }

  v1::Study StoredStudy(int64_t study_id) {
    absl::StatusOr<v1::Study> study = testing::GetStudy(server_, study_id);
    EXPECT_THAT(study, IsOk());
    return study.value_or(v1::Study());
  }

  std::vector<v1::Trial> StoredTrials(int64_t study_id) {
    absl::StatusOr<std::vector<v1::Trial>> trials =
        testing::ListTrials(server_, study_id);
    EXPECT_THAT(trials, IsOk());
    return trials.value_or(std::vector<v1::Trial>());
  }

  TestServer server_{
      CreateMemoryStorage(),
      {.add_pruners = testing::RegisterTestPruners, .fault_proxy = true}};
  Client client_{FastOptions(server_.address())};
};

TEST_F(WorkerTest, CompletesTrialsUntilTheStudyIsDone) {
  const int64_t study = CreateStudy(5);
  WorkerOptions options = Worker(study);
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
  EXPECT_EQ(summary.done_reason, "study is COMPLETED: max_trials=5 reached");
  EXPECT_EQ(reported, 5);
  EXPECT_EQ(StoredStudy(study).state(), v1::STUDY_STATE_COMPLETED);
  const std::vector<v1::Trial> trials = StoredTrials(study);
  ASSERT_THAT(trials, SizeIs(5));
  for (int i = 0; i < 5; ++i) {
    const v1::Trial& trial = trials[i];
    EXPECT_EQ(trial.number(), i);
    EXPECT_EQ(trial.state(), v1::TRIAL_STATE_COMPLETED);
    const double x = trial.parameters().at("x").double_value();
    EXPECT_GE(x, -1);
    EXPECT_LE(x, 1);
    EXPECT_THAT(trial.values(), ElementsAre(DoubleEq(x * x)));
    EXPECT_EQ(trial.worker_id(), DefaultWorkerId());
    EXPECT_THAT(trial.environment(), Contains(Pair("gpu", "none")));
    EXPECT_THAT(trial.environment(), Contains(Key("hostname")));
    EXPECT_THAT(trial.environment(),
                Contains(Pair("pid", absl::StrCat(getpid()))));
    EXPECT_THAT(trial.environment(),
                Contains(Pair("knob_client_version", ClientVersion())));
  }
}

TEST_F(WorkerTest, StopsAfterMaxTrials) {
  const int64_t study = CreateStudy(0);
  WorkerOptions options = Worker(study);
  options.max_trials = 2;
  options.worker_id = "w1";
  ASSERT_OK_AND_ASSIGN(WorkerSummary summary,
                       RunWorker(client_, options, Square));
  EXPECT_EQ(summary.completed, 2);
  EXPECT_FALSE(summary.study_done);
  EXPECT_EQ(summary.done_reason, "max_trials=2 reached");
  EXPECT_EQ(StoredStudy(study).state(), v1::STUDY_STATE_RUNNING);
  const std::vector<v1::Trial> trials = StoredTrials(study);
  ASSERT_THAT(trials, SizeIs(2));
  for (const v1::Trial& trial : trials) {
    EXPECT_EQ(trial.state(), v1::TRIAL_STATE_COMPLETED);
    EXPECT_EQ(trial.worker_id(), "w1");
  }
}

TEST_F(WorkerTest, AnErrorFailsTheTrialWithItsMessage) {
  const int64_t study = CreateStudy(2);
  ASSERT_OK_AND_ASSIGN(
      WorkerSummary summary,
      RunWorker(client_, Worker(study),
                [](TrialContext&) -> absl::StatusOr<TrialResult> {
                  return absl::InternalError("loss diverged to nan");
                }));
  EXPECT_EQ(summary.failed, 2);
  const std::vector<v1::Trial> trials = StoredTrials(study);
  ASSERT_THAT(trials, SizeIs(2));
  for (const v1::Trial& trial : trials) {
    EXPECT_EQ(trial.state(), v1::TRIAL_STATE_FAILED);
    EXPECT_EQ(trial.fail_reason(), "loss diverged to nan");
  }
}

TEST_F(WorkerTest, FailedAndPrunedResultsAreRecorded) {
  v1::CreateStudyRequest request = StudyRequest(2);
  v1::AlgorithmSpec& pruner = *request.mutable_config()->mutable_pruner();
  pruner.set_name(testing::kPruneFromStepPruner);
  (*pruner.mutable_options())["step"].set_int_value(2);
  const int64_t study = CreateStudy(request);
  int calls = 0;
  ASSERT_OK_AND_ASSIGN(
      WorkerSummary summary,
      RunWorker(client_, Worker(study),
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
  const std::vector<v1::Trial> trials = StoredTrials(study);
  ASSERT_THAT(trials, SizeIs(2));
  EXPECT_EQ(trials[0].state(), v1::TRIAL_STATE_FAILED);
  EXPECT_EQ(trials[0].fail_reason(), "out of memory");
  EXPECT_EQ(trials[1].state(), v1::TRIAL_STATE_PRUNED);
  EXPECT_EQ(trials[1].fail_reason(), testing::PruneFromStepReason(2, 2));
  EXPECT_THAT(
      trials[1].intermediate_values(),
      ElementsAre(
          AllOf(Property(&v1::IntermediateValue::step, 1),
                Property(&v1::IntermediateValue::metric, "loss"),
                Property(&v1::IntermediateValue::value, DoubleEq(1.0))),
          AllOf(Property(&v1::IntermediateValue::step, 2),
                Property(&v1::IntermediateValue::value, DoubleEq(0.5)))));
}

TEST_F(WorkerTest, ReadingAParameterAsTheWrongKindFailsTheTrial) {
  const int64_t study = CreateStudy(1);
  ASSERT_OK_AND_ASSIGN(
      WorkerSummary summary,
      RunWorker(client_, Worker(study),
                [](TrialContext& trial) -> absl::StatusOr<TrialResult> {
                  return TrialResult::Completed(
                      {static_cast<double>(trial.Int("x"))});
                }));
  EXPECT_EQ(summary.failed, 1);
  const std::vector<v1::Trial> trials = StoredTrials(study);
  ASSERT_THAT(trials, SizeIs(1));
  EXPECT_EQ(trials[0].state(), v1::TRIAL_STATE_FAILED);
  EXPECT_THAT(trials[0].fail_reason(),
              HasSubstr("parameter \"x\" is a double"));
}

TEST_F(WorkerTest, StoppingTheStudyStopsTheRunningTrial) {
  const int64_t study = CreateStudy(0);
  ASSERT_OK_AND_ASSIGN(
      WorkerSummary summary,
      RunWorker(client_, Worker(study),
                [&](TrialContext& trial) -> absl::StatusOr<TrialResult> {
                  EXPECT_THAT(testing::SetStudyState(server_, study,
                                                     v1::STUDY_STATE_STOPPED),
                              IsOk());
                  EXPECT_TRUE(Eventually([&] { return trial.ShouldStop(); }));
                  EXPECT_EQ(trial.StopReason(), "study was stopped");
                  return TrialResult::Pruned();
                }));
  EXPECT_EQ(summary.pruned, 1);
  EXPECT_TRUE(summary.study_done);
  EXPECT_EQ(summary.done_reason, "study is STOPPED: stopped by a user");
  const std::vector<v1::Trial> trials = StoredTrials(study);
  ASSERT_THAT(trials, SizeIs(1));
  EXPECT_EQ(trials[0].state(), v1::TRIAL_STATE_PRUNED);
  EXPECT_EQ(trials[0].fail_reason(), "study was stopped");
}

TEST(WorkerLeaseTest, ATrialWhoseLeaseExpiredIsToldToStopAndIsLost) {
  ManualClock clock(absl::FromUnixSeconds(1700000000));
  TestServer server(CreateMemoryStorage(), {.clock = &clock});
  Client client(FastOptions(server.address()));
  v1::CreateStudyRequest request = StudyRequest(1);
  SetDuration(absl::Minutes(1),
              request.mutable_config()->mutable_lease_duration());
  const int64_t study = CreateStudyOn(server, request);
  WorkerOptions options = Worker(study);
  absl::Status completion;
  options.on_trial_end = [&](const v1::Trial&, const absl::Status& status) {
    completion = status;
  };
  ASSERT_OK_AND_ASSIGN(
      WorkerSummary summary,
      RunWorker(client, options,
                [&](TrialContext& trial) -> absl::StatusOr<TrialResult> {
                  // A heartbeat between the two steps extends the lease
                  // anew, hence the loop.
                  EXPECT_TRUE(Eventually([&] {
                    clock.Advance(absl::Minutes(2));
                    EXPECT_THAT(server.tuner().ExpireLeases(), IsOk());
                    return trial.ShouldStop();
                  }));
                  EXPECT_EQ(trial.StopReason(), "trial is STALE");
                  return TrialResult::Completed({1});
                }));
  EXPECT_EQ(summary.lost, 1);
  EXPECT_EQ(summary.completed, 0);
  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kFailedPrecondition,
                                   HasSubstr("is STALE; cannot complete it")));
  EXPECT_THAT(testing::ListTrials(server, study),
              IsOkAndHolds(ElementsAre(
                  Property(&v1::Trial::state, v1::TRIAL_STATE_STALE))));
}

TEST_F(WorkerTest, HeartbeatsAtAThirdOfTheLeaseKeepALongTrialAlive) {
  v1::CreateStudyRequest request = StudyRequest(1);
  SetDuration(absl::Milliseconds(600),
              request.mutable_config()->mutable_lease_duration());
  const int64_t study = CreateStudy(request);
  WorkerOptions options = Worker(study);
  options.heartbeat_interval = absl::Seconds(10);
  // As knob-server does, expires leases in the background.
  LeaseReaper reaper(server_.tuner(), absl::Milliseconds(10));
  ASSERT_OK_AND_ASSIGN(
      WorkerSummary summary,
      RunWorker(client_, options,
                [](TrialContext& trial) -> absl::StatusOr<TrialResult> {
                  absl::SleepFor(absl::Milliseconds(1800));
                  return TrialResult::Completed({1});
                }));
  EXPECT_EQ(summary.completed, 1);
  EXPECT_EQ(summary.lost, 0);
  EXPECT_GE(server_.faults().Calls("Heartbeat"), 5);
  EXPECT_THAT(
      StoredTrials(study),
      ElementsAre(Property(&v1::Trial::state, v1::TRIAL_STATE_COMPLETED)));
}

TEST_F(WorkerTest, SurvivesATransientOutageWithoutDuplicates) {
  const int64_t study = CreateStudy(3);
  testing::FaultProxy& faults = server_.faults();
  faults.FailNext("SuggestTrials", 2, Unavailable("restarting"));
  faults.LoseNextReplies("SuggestTrials", 2, Unavailable("connection reset"));
  faults.LoseNextReplies("CompleteTrial", 2, Unavailable("connection reset"));
  ASSERT_OK_AND_ASSIGN(WorkerSummary summary,
                       RunWorker(client_, Worker(study), Square));
  EXPECT_EQ(summary.completed, 3);
  EXPECT_EQ(summary.lost, 0);
  EXPECT_TRUE(summary.study_done);
  const std::vector<v1::Trial> trials = StoredTrials(study);
  ASSERT_THAT(trials, SizeIs(3));
  for (const v1::Trial& trial : trials) {
    EXPECT_EQ(trial.state(), v1::TRIAL_STATE_COMPLETED);
  }
}

TEST_F(WorkerTest, ARejectedResultIsRecordedAsFailed) {
  const int64_t study = CreateStudy(1);
  ASSERT_OK_AND_ASSIGN(
      WorkerSummary summary,
      RunWorker(client_, Worker(study),
                [](TrialContext&) -> absl::StatusOr<TrialResult> {
                  return TrialResult::Completed({1, 2});
                }));
  EXPECT_EQ(summary.failed, 1);
  const std::vector<v1::Trial> trials = StoredTrials(study);
  ASSERT_THAT(trials, SizeIs(1));
  EXPECT_EQ(trials[0].state(), v1::TRIAL_STATE_FAILED);
  EXPECT_EQ(trials[0].fail_reason(),
            "result rejected: values: the study has 1 objective(s), got 2 "
            "value(s)");
}

TEST_F(WorkerTest, ATrialFinishedElsewhereCountsAsLost) {
  const int64_t study = CreateStudy(1);
  WorkerOptions options = Worker(study);
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
                  request.set_fail_reason("killed by an operator");
                  EXPECT_THAT(testing::CompleteTrial(server_, request), IsOk());
                  return TrialResult::Completed({1});
                }));
  EXPECT_EQ(summary.lost, 1);
  EXPECT_EQ(summary.completed, 0);
  EXPECT_THAT(seen, StatusIs(absl::StatusCode::kFailedPrecondition,
                             HasSubstr("is FAILED; cannot complete it "
                                       "(killed by an operator)")));
  const std::vector<v1::Trial> trials = StoredTrials(study);
  ASSERT_THAT(trials, SizeIs(1));
  EXPECT_EQ(trials[0].state(), v1::TRIAL_STATE_FAILED);
}

TEST_F(WorkerTest, APausedStudyKeepsTheWorkerWaitingUntilResumed) {
  const int64_t study = CreateStudy(1);
  ASSERT_THAT(testing::SetStudyState(server_, study, v1::STUDY_STATE_PAUSED),
              IsOk());
  absl::StatusOr<WorkerSummary> summary;
  std::thread worker(
      [&] { summary = RunWorker(client_, Worker(study), Square); });
  EXPECT_TRUE(
      Eventually([&] { return server_.faults().Calls("SuggestTrials") >= 3; }));
  EXPECT_THAT(StoredTrials(study), IsEmpty());
  EXPECT_THAT(testing::SetStudyState(server_, study, v1::STUDY_STATE_RUNNING),
              IsOk());
  worker.join();
  ASSERT_THAT(summary, IsOk());
  EXPECT_EQ(summary->completed, 1);
  EXPECT_TRUE(summary->study_done);
}

TEST_F(WorkerTest, AStoppedStudyEndsTheLoop) {
  const int64_t study = CreateStudy(0);
  ASSERT_THAT(testing::SetStudyState(server_, study, v1::STUDY_STATE_STOPPED),
              IsOk());
  ASSERT_OK_AND_ASSIGN(WorkerSummary summary,
                       RunWorker(client_, Worker(study), Square));
  EXPECT_TRUE(summary.study_done);
  EXPECT_EQ(summary.done_reason, "study is STOPPED: stopped by a user");
  EXPECT_EQ(summary.completed, 0);
  EXPECT_EQ(server_.faults().Calls("SuggestTrials"), 1);
}

TEST_F(WorkerTest, RejectsAMissingOrUnknownStudy) {
  EXPECT_THAT(
      RunWorker(client_, WorkerOptions(), Square),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("study_id")));
  EXPECT_THAT(
      RunWorker(client_, Worker(42), Square),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("no study with id 42")));
}

}  // namespace
}  // namespace knob

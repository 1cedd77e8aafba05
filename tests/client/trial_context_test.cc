#include <memory>
#include <vector>

#include "client/worker.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/storage/memory/memory_storage.h"
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
using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Property;
using ::testing::SizeIs;

v1::Trial MakeTrial() {
  v1::Trial trial;
  trial.set_id(7);
  trial.set_number(3);
  auto& params = *trial.mutable_parameters();
  params["lr"].set_double_value(0.01);
  params["depth"].set_int_value(4);
  params["kind"].set_string_value("svm");
  params["bias"].set_bool_value(true);
  return trial;
}

// A trial that exists only in this process: the getters and the stop flag
// need no server.
class TrialContextTest : public ::testing::Test {
 protected:
  Client client_{ClientOptions()};
  v1::Study study_;
  TrialContext trial_{client_, study_, MakeTrial()};
};

TEST_F(TrialContextTest, TypedGetters) {
  EXPECT_EQ(trial_.id(), 7);
  EXPECT_EQ(trial_.number(), 3);
  EXPECT_DOUBLE_EQ(trial_.Double("lr"), 0.01);
  EXPECT_EQ(trial_.Int("depth"), 4);
  EXPECT_DOUBLE_EQ(trial_.Double("depth"), 4.0);
  EXPECT_EQ(trial_.String("kind"), "svm");
  EXPECT_TRUE(trial_.Bool("bias"));
  EXPECT_TRUE(trial_.Has("kind"));
  EXPECT_FALSE(trial_.Has("gamma"));
  EXPECT_EQ(trial_.ParameterError(), "");
}

TEST_F(TrialContextTest, MisuseIsRecordedOnceAndNamesTheParameter) {
  EXPECT_EQ(trial_.Int("lr"), 0);
  EXPECT_EQ(trial_.String("gamma"), "");
  EXPECT_EQ(trial_.ParameterError(),
            "parameter \"lr\" is a double (0.01), read as int");
}

TEST_F(TrialContextTest, MissingParameter) {
  EXPECT_FALSE(trial_.Bool("gamma"));
  EXPECT_EQ(trial_.ParameterError(),
            "parameter \"gamma\" is not set in trial 3 (read as bool)");
}

TEST_F(TrialContextTest, StopKeepsTheFirstReason) {
  EXPECT_FALSE(trial_.ShouldStop());
  EXPECT_EQ(trial_.StopReason(), "");
  trial_.RequestStop("lease lost");
  trial_.RequestStop("study stopped");
  EXPECT_TRUE(trial_.ShouldStop());
  EXPECT_EQ(trial_.StopReason(), "lease lost");
}

// Report against a real server, with a study that prunes from step 2.
class TrialContextReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    v1::CreateStudyRequest request;
    request.set_name("report");
    v1::StudyConfig& config = *request.mutable_config();
    v1::ParameterSpec* x = config.add_parameters();
    x->set_name("x");
    x->mutable_float_domain()->set_max(1);
    v1::Objective* loss = config.add_objectives();
    loss->set_metric("loss");
    loss->set_direction(v1::DIRECTION_MINIMIZE);
    config.add_extra_metrics("accuracy");
    config.mutable_pruner()->set_name(testing::kPruneFromStepPruner);
    (*config.mutable_pruner()->mutable_options())["step"].set_int_value(2);
    ASSERT_OK_AND_ASSIGN(study_, testing::CreateStudy(server_, request));
    ASSERT_OK_AND_ASSIGN(std::vector<v1::Trial> trials,
                         testing::SuggestTrials(server_, study_.id()));
    ASSERT_THAT(trials, SizeIs(1));
    trial_ = std::make_unique<TrialContext>(client_, study_, trials[0]);
  }

  std::vector<v1::IntermediateValue> Recorded() {
    absl::StatusOr<v1::Trial> trial = testing::GetTrial(server_, trial_->id());
    EXPECT_THAT(trial, IsOk());
    if (!trial.ok()) return {};
    return {trial->intermediate_values().begin(),
            trial->intermediate_values().end()};
  }

  TestServer server_{
      CreateMemoryStorage(),
      {.add_pruners = testing::RegisterTestPruners, .fault_proxy = true}};
  Client client_{ClientOptions{.target = server_.address()}};
  v1::Study study_;
  std::unique_ptr<TrialContext> trial_;
};

TEST_F(TrialContextReportTest, ReportRecordsTheValueAndAnswersThePruner) {
  EXPECT_THAT(trial_->Report(1, 0.5), IsOkAndHolds(false));
  EXPECT_FALSE(trial_->ShouldStop());
  EXPECT_THAT(trial_->Report(1, 0.75, "accuracy"), IsOkAndHolds(false));
  EXPECT_THAT(trial_->Report(2, 0.25), IsOkAndHolds(true));
  EXPECT_TRUE(trial_->ShouldStop());
  EXPECT_EQ(trial_->StopReason(), testing::PruneFromStepReason(2, 2));
  EXPECT_THAT(
      Recorded(),
      ElementsAre(
          AllOf(Property(&v1::IntermediateValue::step, 1),
                Property(&v1::IntermediateValue::metric, "loss"),
                Property(&v1::IntermediateValue::value, DoubleEq(0.5))),
          AllOf(Property(&v1::IntermediateValue::step, 1),
                Property(&v1::IntermediateValue::metric, "accuracy"),
                Property(&v1::IntermediateValue::value, DoubleEq(0.75))),
          AllOf(Property(&v1::IntermediateValue::step, 2),
                Property(&v1::IntermediateValue::metric, "loss"),
                Property(&v1::IntermediateValue::value, DoubleEq(0.25)))));
}

TEST_F(TrialContextReportTest, AReportWhoseReplyWasLostIsRecordedOnce) {
  server_.faults().LoseNextReplies(
      "ReportIntermediate", 1,
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection reset"));
  EXPECT_THAT(trial_->Report(1, 0.5), IsOkAndHolds(false));
  EXPECT_EQ(server_.faults().Calls("ReportIntermediate"), 2);
  EXPECT_THAT(Recorded(), ElementsAre(Property(&v1::IntermediateValue::value,
                                               DoubleEq(0.5))));
}

TEST_F(TrialContextReportTest, ReportPassesTheServersError) {
  v1::CompleteTrialRequest complete;
  complete.set_trial_id(trial_->id());
  complete.set_state(v1::TRIAL_STATE_FAILED);
  ASSERT_THAT(testing::CompleteTrial(server_, complete), IsOk());
  EXPECT_THAT(trial_->Report(1, 0.5),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("is FAILED; cannot report intermediate "
                                 "values")));
  EXPECT_THAT(trial_->Report(1, 0.5, "speed"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("\"speed\" is not an objective or extra "
                                 "metric")));
  EXPECT_FALSE(trial_->ShouldStop());
}

TEST(TrialResult, Kinds) {
  const TrialResult completed = TrialResult::Completed({1, 2}, {{"acc", 0.9}});
  EXPECT_EQ(completed.outcome(), TrialResult::Outcome::kCompleted);
  EXPECT_EQ(completed.values(), (std::vector<double>{1, 2}));
  EXPECT_EQ(completed.metrics().at("acc"), 0.9);
  EXPECT_EQ(TrialResult::Pruned().outcome(), TrialResult::Outcome::kPruned);
  const TrialResult failed = TrialResult::Failed("oom");
  EXPECT_EQ(failed.outcome(), TrialResult::Outcome::kFailed);
  EXPECT_EQ(failed.reason(), "oom");
}

}  // namespace
}  // namespace knob

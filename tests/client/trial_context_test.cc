#include "client/worker.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/fake_knob_server.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::FakeKnobServer;
using ::knob::testing::StatusIs;
using ::testing::HasSubstr;

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

class TrialContextTest : public ::testing::Test {
 protected:
  ClientOptions Options() {
    ClientOptions options;
    options.target = server_.target();
    return options;
  }

  FakeKnobServer server_;
  Client client_{Options()};
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

TEST_F(TrialContextTest, ReportPassesTheServersError) {
  EXPECT_THAT(trial_.Report(1, 0.5),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not running")));
  EXPECT_FALSE(trial_.ShouldStop());
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

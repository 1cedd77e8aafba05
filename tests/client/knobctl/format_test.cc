#include "client/knobctl/format.h"

#include "client/knobctl/describe.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace knob::knobctl {
namespace {

using ::knob::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

TEST(Table, AlignsColumnsWithoutTrailingBlanks) {
  Table table({"ID", "NAME", "STATE"});
  table.AddRow({"1", "quadratic", "RUNNING"});
  table.AddRow({"12", "x", ""});
  table.AddRow({"3"});
  EXPECT_EQ(table.Render(),
            "ID  NAME       STATE\n"
            "1   quadratic  RUNNING\n"
            "12  x\n"
            "3\n");
}

TEST(States, NamesAndParsing) {
  EXPECT_EQ(StudyStateName(v1::STUDY_STATE_PAUSED), "PAUSED");
  EXPECT_EQ(TrialStateName(v1::TRIAL_STATE_STALE), "STALE");
  ASSERT_OK_AND_ASSIGN(v1::StudyState state, ParseStudyState("Running"));
  EXPECT_EQ(state, v1::STUDY_STATE_RUNNING);
  EXPECT_THAT(ParseStudyState("sleeping"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("running, paused, stopped, completed")));
  ASSERT_OK_AND_ASSIGN(
      std::vector<v1::TrialState> states,
      ParseTrialStates("completed, PRUNED,TRIAL_STATE_FAILED"));
  EXPECT_THAT(states,
              ElementsAre(v1::TRIAL_STATE_COMPLETED, v1::TRIAL_STATE_PRUNED,
                          v1::TRIAL_STATE_FAILED));
  EXPECT_THAT(ParseTrialStates("done"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown trial state \"done\"")));
}

TEST(FormatSeconds, HumanUnits) {
  EXPECT_EQ(FormatSeconds(0.25), "250ms");
  EXPECT_EQ(FormatSeconds(12.34), "12.3s");
  EXPECT_EQ(FormatSeconds(245), "4m05s");
  EXPECT_EQ(FormatSeconds(7380), "2h03m");
}

TEST(FormatTimestamp, UtcOrEmpty) {
  google::protobuf::Timestamp timestamp;
  EXPECT_EQ(FormatTimestamp(timestamp), "");
  timestamp.set_seconds(1700000000);
  timestamp.set_nanos(250000000);
  EXPECT_EQ(FormatTimestamp(timestamp), "2023-11-14T22:13:20.25Z");
}

TEST(FormatParameters, StudyOrderThenOthers) {
  v1::Study study;
  study.mutable_config()->add_parameters()->set_name("z");
  study.mutable_config()->add_parameters()->set_name("a");
  study.mutable_config()->add_objectives()->set_metric("loss");
  v1::Trial trial;
  (*trial.mutable_parameters())["a"].set_int_value(1);
  (*trial.mutable_parameters())["z"].set_bool_value(false);
  (*trial.mutable_parameters())["m"].set_double_value(1e-5);
  trial.add_values(0.5);
  EXPECT_EQ(FormatParameters(study, trial), "z=false a=1 m=1e-05");
  EXPECT_EQ(FormatObjectiveValues(study, trial), "loss=0.5");
}

TEST(DescribeParameter, EveryDomainAndCondition) {
  v1::ParameterSpec spec;
  spec.mutable_float_domain()->set_min(1e-4);
  spec.mutable_float_domain()->set_max(0.1);
  spec.mutable_float_domain()->set_log_scale(true);
  EXPECT_EQ(DescribeParameter(spec), "float [0.0001, 0.1] log");
  spec.mutable_int_domain()->set_min(1);
  spec.mutable_int_domain()->set_max(9);
  spec.mutable_int_domain()->set_step(2);
  EXPECT_EQ(DescribeParameter(spec), "int [1, 9] step 2");
  auto* choices = spec.mutable_categorical_domain()->mutable_choices();
  choices->Add()->set_string_value("svm");
  choices->Add()->set_int_value(3);
  spec.mutable_condition()->set_parent("kind");
  spec.mutable_condition()->add_values()->set_string_value("x");
  EXPECT_EQ(DescribeParameter(spec), "categorical {svm, 3}  if kind in {x}");
}

TEST(DescribeStudy, MentionsTheEssentials) {
  v1::Study study;
  study.set_id(4);
  study.set_name("q");
  study.set_state(v1::STUDY_STATE_COMPLETED);
  study.set_state_reason("max_trials=10 reached");
  study.mutable_trial_counts()->set_completed(10);
  study.mutable_config()->mutable_stopping()->set_max_trials(10);
  study.mutable_config()->mutable_lease_duration()->set_seconds(60);
  v1::ParameterSpec* x = study.mutable_config()->add_parameters();
  x->set_name("x");
  x->mutable_fixed_value()->set_double_value(0.5);
  const std::string text = DescribeStudy(study);
  EXPECT_THAT(text, HasSubstr("Study 4 \"q\""));
  EXPECT_THAT(text, HasSubstr("COMPLETED (max_trials=10 reached)"));
  EXPECT_THAT(text, HasSubstr("10 (waiting 0, running 0, completed 10"));
  EXPECT_THAT(text, HasSubstr("max_trials=10"));
  EXPECT_THAT(text, HasSubstr("1m"));
  EXPECT_THAT(text, HasSubstr("x  fixed 0.5"));
  EXPECT_THAT(text, Not(HasSubstr("constraints")));
}

TEST(DescribeStudy, SaysWhetherLostTrialsAreRetried) {
  v1::Study study;
  EXPECT_THAT(DescribeStudy(study), HasSubstr("lost trials:   not retried"));
  study.mutable_config()->set_max_stale_retries(2);
  study.mutable_trial_counts()->set_stale(3);
  study.mutable_trial_counts()->set_retried(2);
  study.mutable_trial_counts()->set_waiting(2);
  const std::string text = DescribeStudy(study);
  EXPECT_THAT(text, HasSubstr("retried up to 2 time(s) per point"));
  EXPECT_THAT(text, HasSubstr("stale 3 of which retried 2)"));
}

TEST(DescribeStudy, ListsConstraints) {
  v1::Study study;
  v1::OutcomeConstraint* latency = study.mutable_config()->add_constraints();
  latency->set_metric("latency_ms");
  latency->set_max(50);
  v1::OutcomeConstraint* recall = study.mutable_config()->add_constraints();
  recall->set_metric("recall");
  recall->set_min(0.9);
  EXPECT_THAT(DescribeStudy(study),
              HasSubstr("  constraints:   latency_ms <= 50, recall >= 0.9\n"));
}

TEST(UnmetConstraints, NamesEachMissedBound) {
  v1::StudyConfig config;
  v1::OutcomeConstraint* latency = config.add_constraints();
  latency->set_metric("latency_ms");
  latency->set_max(50);
  v1::OutcomeConstraint* recall = config.add_constraints();
  recall->set_metric("recall");
  recall->set_min(0.9);
  v1::Trial trial;
  (*trial.mutable_metrics())["latency_ms"] = 50;
  (*trial.mutable_metrics())["recall"] = 0.95;
  EXPECT_THAT(UnmetConstraints(config, trial), IsEmpty());
  (*trial.mutable_metrics())["latency_ms"] = 50.5;
  trial.mutable_metrics()->erase("recall");
  EXPECT_THAT(UnmetConstraints(config, trial),
              ElementsAre("latency_ms <= 50 (got 50.5)",
                          "recall >= 0.9 (not reported)"));
}

}  // namespace
}  // namespace knob::knobctl

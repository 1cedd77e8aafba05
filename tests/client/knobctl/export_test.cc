#include "client/knobctl/export.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace knob::knobctl {
namespace {

using ::testing::HasSubstr;

v1::Study MakeStudy() {
  v1::Study study;
  study.set_id(1);
  v1::StudyConfig& config = *study.mutable_config();
  config.add_parameters()->set_name("kind");
  v1::ParameterSpec* c = config.add_parameters();
  c->set_name("C");
  c->mutable_condition()->set_parent("kind");
  config.add_objectives()->set_metric("loss");
  config.add_objectives()->set_metric("acc");
  config.add_extra_metrics("train_time");
  return study;
}

std::vector<v1::Trial> MakeTrials() {
  std::vector<v1::Trial> trials(2);
  v1::Trial& svm = trials[0];
  svm.set_id(10);
  svm.set_number(0);
  svm.set_state(v1::TRIAL_STATE_COMPLETED);
  (*svm.mutable_parameters())["kind"].set_string_value("svm, \"linear\"");
  (*svm.mutable_parameters())["C"].set_double_value(0.1);
  svm.add_values(0.25);
  svm.add_values(0.9);
  (*svm.mutable_metrics())["train_time"] = 12.5;
  svm.set_worker_id("host:1");
  svm.mutable_start_time()->set_seconds(1700000000);
  svm.mutable_end_time()->set_seconds(1700000002);
  svm.mutable_end_time()->set_nanos(500000000);
  v1::Trial& rf = trials[1];
  rf.set_id(11);
  rf.set_number(1);
  rf.set_state(v1::TRIAL_STATE_RUNNING);
  (*rf.mutable_parameters())["kind"].set_string_value("rf");
  (*rf.mutable_parameters())["depth"].set_int_value(4);
  rf.set_worker_id("host\n2");
  rf.mutable_start_time()->set_seconds(1700000001);
  return trials;
}

TEST(CsvField, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
  EXPECT_EQ(CsvField(" padded"), "\" padded\"");
}

TEST(TrialsToCsv, OneColumnPerParameterObjectiveAndMetric) {
  const std::string csv = TrialsToCsv(MakeStudy(), MakeTrials());
  EXPECT_EQ(csv,
            "number,state,param_kind,param_C,param_depth,value_loss,value_acc,"
            "metric_train_time,worker_id,start_time,end_time,duration_seconds\n"
            "0,COMPLETED,\"svm, \"\"linear\"\"\",0.1,,0.25,0.9,12.5,host:1,"
            "2023-11-14T22:13:20Z,2023-11-14T22:13:22.5Z,2.5\n"
            "1,RUNNING,rf,,4,,,,\"host\n2\",2023-11-14T22:13:21Z,,\n");
}

TEST(TrialsToCsv, HeaderOnlyWithoutTrials) {
  EXPECT_EQ(TrialsToCsv(MakeStudy(), {}),
            "number,state,param_kind,param_C,value_loss,value_acc,"
            "metric_train_time,worker_id,start_time,end_time,"
            "duration_seconds\n");
}

TEST(TrialsToJson, PlainScalarsAndNamedValues) {
  const nlohmann::json json =
      nlohmann::json::parse(TrialsToJson(MakeStudy(), MakeTrials()));
  ASSERT_TRUE(json.is_array());
  ASSERT_EQ(json.size(), 2u);
  const nlohmann::json& first = json[0];
  EXPECT_EQ(first["number"], 0);
  EXPECT_EQ(first["state"], "COMPLETED");
  EXPECT_EQ(first["params"]["C"], 0.1);
  EXPECT_EQ(first["values"]["loss"], 0.25);
  EXPECT_EQ(first["values"]["acc"], 0.9);
  EXPECT_EQ(first["metrics"]["train_time"], 12.5);
  EXPECT_EQ(first["duration_seconds"], 2.5);
  EXPECT_EQ(first["end_time"], "2023-11-14T22:13:22.5Z");
  const nlohmann::json& second = json[1];
  EXPECT_TRUE(second["params"]["depth"].is_number_integer());
  EXPECT_FALSE(second["params"].contains("C"));
  EXPECT_TRUE(second["end_time"].is_null());
  EXPECT_TRUE(second["duration_seconds"].is_null());
}

}  // namespace
}  // namespace knob::knobctl

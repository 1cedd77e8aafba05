// The payload builders on hand-made protos: what the charts and the table
// rely on beyond what the HTTP tests reach.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "server/dashboard/objectives.h"
#include "server/dashboard/plots_json.h"
#include "server/dashboard/trial_table.h"

namespace knob::dashboard {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

v1::StudyConfig Config(const std::string& text) {
  v1::StudyConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config));
  return config;
}

v1::Trial Completed(int64_t number, std::vector<double> values,
                    std::map<std::string, double> metrics = {}) {
  v1::Trial trial;
  trial.set_number(number);
  trial.set_state(v1::TRIAL_STATE_COMPLETED);
  for (double value : values) trial.add_values(value);
  trial.mutable_metrics()->insert(metrics.begin(), metrics.end());
  return trial;
}

std::vector<const v1::Trial*> View(const std::vector<v1::Trial>& trials) {
  std::vector<const v1::Trial*> view;
  for (const v1::Trial& trial : trials) view.push_back(&trial);
  return view;
}

TEST(Objectives, BestSoFarSkipsInfeasibleTrials) {
  const v1::StudyConfig config = Config(R"pb(
    objectives { metric: "loss" direction: DIRECTION_MAXIMIZE }
    extra_metrics: "latency"
    constraints { metric: "latency" max: 10 }
  )pb");
  const std::vector<v1::Trial> trials = {Completed(0, {1}, {{"latency", 20}}),
                                         Completed(1, {2}, {{"latency", 5}}),
                                         Completed(2, {9}, {{"latency", 11}}),
                                         Completed(3, {3}, {{"latency", 10}}),
                                         Completed(4, {2.5}, {{"latency", 1}})};

  EXPECT_THAT(BestSoFar(config, View(trials)),
              ElementsAre(std::nullopt, 2.0, 2.0, 3.0, 3.0));
  EXPECT_EQ(BestValue(config, View(trials)), 3.0);
}

TEST(Objectives, ParetoFrontKeepsTiesAndDropsDominated) {
  const v1::StudyConfig config = Config(R"pb(
    objectives { metric: "a" direction: DIRECTION_MINIMIZE }
    objectives { metric: "b" direction: DIRECTION_MINIMIZE }
    objectives { metric: "c" direction: DIRECTION_MINIMIZE }
  )pb");
  const std::vector<v1::Trial> trials = {
      Completed(0, {1, 1, 5}), Completed(1, {1, 1, 5}),
      Completed(2, {2, 2, 6}), Completed(3, {5, 0, 9}),
      Completed(4, {0, 9, 9}), Completed(5, {1, 2, 5})};

  EXPECT_THAT(ParetoFront(config, View(trials)), ElementsAre(0, 1, 3, 4));
}

TEST(PlotsJson, LearningCurvesOfTheFirstObjectiveByStep) {
  v1::Study study;
  study.mutable_config()->add_objectives()->set_metric("loss");
  v1::Trial trial;
  trial.set_number(0);
  trial.set_state(v1::TRIAL_STATE_PRUNED);
  for (const auto& [step, metric, value] :
       std::vector<std::tuple<int, std::string, double>>{
           {2, "loss", 0.5}, {1, "", 0.9}, {1, "accuracy", 0.1}}) {
    v1::IntermediateValue* report = trial.add_intermediate_values();
    report->set_step(step);
    report->set_metric(metric);
    report->set_value(value);
  }
  const std::vector<v1::Trial> trials = {trial};

  const json intermediate =
      PlotsJson(study, View(trials), kDefaultMaxPoints)["intermediate"];

  EXPECT_EQ(intermediate["number"], json({0}));
  EXPECT_EQ(intermediate["steps"], json({{1, 2}}));
  EXPECT_EQ(intermediate["values"], json({{0.9, 0.5}}));
}

TEST(SamplePoints, KeepsTheBestAndSpreadsTheRest) {
  const v1::StudyConfig config = Config(R"pb(
    objectives { metric: "loss" direction: DIRECTION_MINIMIZE }
  )pb");
  std::vector<v1::Trial> trials;
  for (int i = 0; i < 1000; ++i) {
    // The best losses are at the end.
    trials.push_back(Completed(i, {1000.0 - i}));
  }

  const std::vector<size_t> sample = SamplePoints(config, View(trials), 100);

  ASSERT_EQ(sample.size(), 100u);
  EXPECT_TRUE(std::is_sorted(sample.begin(), sample.end()));
  for (size_t best = 990; best < 1000; ++best) {
    EXPECT_THAT(sample, ::testing::Contains(best));
  }
  // The other 90 cover the range evenly: the first is kept, and no gap
  // is much wider than 1000 / 90.
  EXPECT_EQ(sample.front(), 0u);
  for (size_t i = 1; i < 90; ++i) EXPECT_LE(sample[i] - sample[i - 1], 12u);
}

TEST(TrialTable, ParsesTheQuery) {
  const v1::StudyConfig config = Config(R"pb(
    parameters {
      name: "lr"
      float_domain { min: 0 max: 1 }
    }
  )pb");
  absl::StatusOr<TrialTableQuery> query =
      ParseTrialTableQuery({{"offset", "20"},
                            {"limit", "1000"},
                            {"sort", "param:lr"},
                            {"order", "desc"},
                            {"state", "completed,stale"}},
                           config);

  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->offset, 20);
  EXPECT_EQ(query->limit, 1000);
  EXPECT_EQ(query->sort, TrialTableQuery::SortKey::kParam);
  EXPECT_EQ(query->param, "lr");
  EXPECT_TRUE(query->descending);
  EXPECT_THAT(query->states,
              ElementsAre(v1::TRIAL_STATE_COMPLETED, v1::TRIAL_STATE_STALE));
  EXPECT_EQ(ParseTrialTableQuery({{"limit", "1001"}}, config).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TrialTable, CategoricalSortPutsNumbersBeforeStringsAndAbsentLast) {
  std::vector<v1::Trial> trials(4);
  for (int i = 0; i < 4; ++i) trials[i].set_number(i);
  (*trials[0].mutable_parameters())["c"].set_string_value("b");
  (*trials[1].mutable_parameters())["c"].set_int_value(7);
  (*trials[2].mutable_parameters())["c"].set_string_value("a");
  TrialTableQuery query;
  query.sort = TrialTableQuery::SortKey::kParam;
  query.param = "c";

  std::vector<int64_t> numbers;
  for (const v1::Trial* trial : SortedTrials(View(trials), query)) {
    numbers.push_back(trial->number());
  }
  EXPECT_THAT(numbers, ElementsAre(1, 2, 0, 3));

  query.descending = true;
  numbers.clear();
  for (const v1::Trial* trial : SortedTrials(View(trials), query)) {
    numbers.push_back(trial->number());
  }
  EXPECT_THAT(numbers, ElementsAre(0, 2, 1, 3));
}

}  // namespace
}  // namespace knob::dashboard

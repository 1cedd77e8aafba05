#include "server/importance/param_importance.h"

#include <atomic>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/model/search_space.h"
#include "server/samplers/random_sampler.h"
#include "tests/testing/space_builders.h"
#include "tests/testing/status_matchers.h"

namespace knob::importance {
namespace {

using ::knob::testing::Choices;
using ::knob::testing::Floats;
using ::knob::testing::Ints;
using ::knob::testing::LogFloats;
using ::knob::testing::Param;
using ::knob::testing::Space;
using ::knob::testing::StatusIs;
using ::knob::testing::When;
using ::testing::AllOf;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

using Objective = std::function<double(const ParamAssignment&)>;

double Number(const ParamAssignment& params, const std::string& name) {
  return ParamValueAsDouble(params.at(name));
}

// `count` COMPLETED trials drawn as the random sampler draws them, each
// valued by `objective`.
std::vector<Trial> RandomTrials(const StudyConfig& config, int count,
                                uint64_t seed, const Objective& objective) {
  std::mt19937_64 rng(seed);
  std::vector<Trial> trials;
  for (int number = 0; number < count; ++number) {
    Trial trial;
    trial.number = number;
    trial.state = TrialState::kCompleted;
    for (const ParameterSpec* spec : SamplingOrder(config)) {
      if (IsActive(*spec, trial.params)) {
        trial.params[spec->name] = SampleUniformly(spec->domain, rng);
      }
    }
    trial.values = {objective(trial.params)};
    trials.push_back(std::move(trial));
  }
  return trials;
}

std::map<std::string, double> ByName(const ImportanceReport& report) {
  std::map<std::string, double> importances;
  for (const ParamImportance& entry : report.importances) {
    importances[entry.parameter] = entry.importance;
  }
  return importances;
}

void ExpectSortedAndNormalized(const ImportanceReport& report) {
  double total = 0;
  for (size_t i = 0; i < report.importances.size(); ++i) {
    total += report.importances[i].importance;
    if (i > 0) {
      EXPECT_GE(report.importances[i - 1].importance,
                report.importances[i].importance);
    }
  }
  EXPECT_NEAR(total, 1, 1e-9);
}

absl::StatusOr<ImportanceReport> Compute(const StudyConfig& config,
                                         const std::vector<Trial>& trials,
                                         ImportanceQuery query = {}) {
  return ComputeParamImportances(config, trials, query, {.seed = 7});
}

TEST(ParamImportance, TheParameterThatDrivesTheObjectiveGetsNearlyAll) {
  const StudyConfig config =
      Space({Param("noise_a", Floats(0, 1)), Param("x", Floats(-2, 2)),
             Param("noise_b", Ints(1, 20)), Param("noise_c", Floats(0, 1))});
  const std::vector<Trial> trials = RandomTrials(
      config, 200, 1,
      [](const ParamAssignment& p) { return std::pow(Number(p, "x"), 2); });
  ASSERT_OK_AND_ASSIGN(ImportanceReport report, Compute(config, trials));
  ExpectSortedAndNormalized(report);
  EXPECT_EQ(report.trial_count, 200);
  EXPECT_EQ(report.importances[0].parameter, "x");
  const std::map<std::string, double> importances = ByName(report);
  EXPECT_GT(importances.at("x"), 0.95);
  EXPECT_LT(importances.at("noise_a"), 0.02);
  EXPECT_LT(importances.at("noise_b"), 0.02);
  EXPECT_LT(importances.at("noise_c"), 0.02);
}

TEST(ParamImportance, AdditiveEffectsShareAsTheirVariances) {
  // f = 3x + y, x and y uniform on [0, 1]: variances 9/12 and 1/12, so
  // shares of 0.9 and 0.1.
  const StudyConfig config =
      Space({Param("y", Floats(0, 1)), Param("x", Floats(0, 1))});
  const std::vector<Trial> trials =
      RandomTrials(config, 300, 2, [](const ParamAssignment& p) {
        return 3 * Number(p, "x") + Number(p, "y");
      });
  ASSERT_OK_AND_ASSIGN(ImportanceReport report, Compute(config, trials));
  EXPECT_THAT(
      report.importances,
      ElementsAre(
          AllOf(Field(&ParamImportance::parameter, "x"),
                Field(&ParamImportance::importance, DoubleNear(0.9, 0.04))),
          AllOf(Field(&ParamImportance::parameter, "y"),
                Field(&ParamImportance::importance, DoubleNear(0.1, 0.04)))));
}

TEST(ParamImportance, ACategoricalThatDecidesTheObjectiveLeads) {
  const StudyConfig config = Space(
      {Param("lr", LogFloats(1e-4, 1)),
       Param("optimizer", Choices({std::string("sgd"), std::string("adam"),
                                   std::string("rmsprop"), int64_t{4}})),
       Param("layers", Ints(1, 4))});
  const std::vector<Trial> trials =
      RandomTrials(config, 200, 3, [](const ParamAssignment& p) {
        const std::string label = ParamValueLabel(p.at("optimizer"));
        const double by_optimizer = label == "adam" ? 0 : label == "4" ? 8 : 4;
        return by_optimizer + 0.5 * Number(p, "layers");
      });
  ASSERT_OK_AND_ASSIGN(ImportanceReport report, Compute(config, trials));
  ExpectSortedAndNormalized(report);
  EXPECT_EQ(report.importances[0].parameter, "optimizer");
  EXPECT_EQ(report.importances[1].parameter, "layers");
  const std::map<std::string, double> importances = ByName(report);
  EXPECT_GT(importances.at("optimizer"), 0.85);
  EXPECT_GT(importances.at("layers"), 0.03);
  EXPECT_LT(importances.at("lr"), 0.02);
}

TEST(ParamImportance, LogScaleParametersCountInLogSpace) {
  // The objective moves with log(lr) evenly over its range; measured in
  // linear space almost all of the range would sit in the top decade.
  const StudyConfig config =
      Space({Param("lr", LogFloats(1e-5, 1)), Param("width", Floats(0, 1))});
  const std::vector<Trial> trials =
      RandomTrials(config, 200, 4, [](const ParamAssignment& p) {
        return std::log10(Number(p, "lr")) + 2 * Number(p, "width");
      });
  ASSERT_OK_AND_ASSIGN(ImportanceReport report, Compute(config, trials));
  // Variances: 25/12 for log10(lr) over 5 decades, 4/12 for 2 * width.
  const std::map<std::string, double> importances = ByName(report);
  EXPECT_NEAR(importances.at("lr"), 25.0 / 29, 0.05);
  EXPECT_NEAR(importances.at("width"), 4.0 / 29, 0.05);
}

TEST(ParamImportance, TheSameSeedGivesTheSameImportances) {
  const StudyConfig config =
      Space({Param("a", Floats(0, 1)), Param("b", Floats(0, 1)),
             Param("c", Choices({true, false}))});
  const std::vector<Trial> trials =
      RandomTrials(config, 150, 5, [](const ParamAssignment& p) {
        return std::sin(6 * Number(p, "a")) * Number(p, "b") +
               (std::get<bool>(p.at("c")) ? 0.3 : 0);
      });
  ASSERT_OK_AND_ASSIGN(ImportanceReport first, Compute(config, trials));
  ASSERT_OK_AND_ASSIGN(ImportanceReport second, Compute(config, trials));
  EXPECT_EQ(first.importances, second.importances);
  ASSERT_OK_AND_ASSIGN(
      ImportanceReport reseeded,
      ComputeParamImportances(config, trials, {}, {.seed = 8}));
  EXPECT_NE(first.importances, reseeded.importances)
      << "the seed should change the forest";
}

TEST(ParamImportance, ACancelledComputationSaysSo) {
  const StudyConfig config =
      Space({Param("a", Floats(0, 1)), Param("b", Floats(0, 1))});
  const std::vector<Trial> trials = RandomTrials(
      config, 50, 3, [](const ParamAssignment& p) { return Number(p, "a"); });
  const std::atomic<bool> cancelled = true;
  EXPECT_THAT(ComputeParamImportances(config, trials, {},
                                      {.seed = 7, .cancelled = &cancelled}),
              StatusIs(absl::StatusCode::kCancelled, ::testing::_));
  const std::atomic<bool> not_cancelled = false;
  EXPECT_OK(ComputeParamImportances(config, trials, {},
                                    {.seed = 7, .cancelled = &not_cancelled})
                .status());
}

TEST(ParamImportance, OnlyCompletedTrialsCountAndTwoAreNeeded) {
  const StudyConfig config = Space({Param("x", Floats(0, 1))});
  std::vector<Trial> trials = RandomTrials(
      config, 3, 6, [](const ParamAssignment& p) { return Number(p, "x"); });
  trials[1].state = TrialState::kPruned;
  trials[2].state = TrialState::kFailed;
  EXPECT_THAT(Compute(config, trials),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("at least 2 completed trials; the study "
                                 "has 1")));
  trials[2].state = TrialState::kCompleted;
  ASSERT_OK_AND_ASSIGN(ImportanceReport report, Compute(config, trials));
  EXPECT_EQ(report.trial_count, 2);
  EXPECT_THAT(report.importances,
              ElementsAre(Field(&ParamImportance::importance, 1.0)));
}

TEST(ParamImportance, TheObjectiveIndexChoosesTheValuesToExplain) {
  StudyConfig config =
      Space({Param("x", Floats(0, 1)), Param("y", Floats(0, 1))});
  config.objectives.push_back({"latency", Direction::kMinimize});
  std::vector<Trial> trials = RandomTrials(
      config, 100, 7, [](const ParamAssignment& p) { return Number(p, "x"); });
  for (Trial& trial : trials) trial.values.push_back(Number(trial.params, "y"));
  ASSERT_OK_AND_ASSIGN(ImportanceReport first, Compute(config, trials));
  EXPECT_EQ(first.importances[0].parameter, "x");
  ASSERT_OK_AND_ASSIGN(ImportanceReport second,
                       Compute(config, trials, {.objective_index = 1}));
  EXPECT_EQ(second.importances[0].parameter, "y");
  EXPECT_THAT(
      Compute(config, trials, {.objective_index = 2}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("objective_index"), HasSubstr("between 0 and 1"),
                     HasSubstr("got 2"))));
  EXPECT_THAT(Compute(config, trials, {.objective_index = -1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("objective_index")));
}

TEST(ParamImportance, ListedParametersAreTheOnlyOnesAssessed) {
  const StudyConfig config =
      Space({Param("x", Floats(0, 1)), Param("y", Floats(0, 1)),
             Param("z", Floats(0, 1))});
  const std::vector<Trial> trials =
      RandomTrials(config, 100, 8, [](const ParamAssignment& p) {
        return 5 * Number(p, "x") + Number(p, "y");
      });
  ASSERT_OK_AND_ASSIGN(ImportanceReport report,
                       Compute(config, trials, {.parameters = {"z", "y"}}));
  EXPECT_THAT(report.importances,
              ElementsAre(Field(&ParamImportance::parameter, "y"),
                          Field(&ParamImportance::parameter, "z")));
  EXPECT_THAT(Compute(config, trials, {.parameters = {"x", "w"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("parameters"), HasSubstr("\"w\""))));
  EXPECT_THAT(Compute(config, trials, {.parameters = {"x", "x"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("\"x\" is listed twice")));
}

TEST(ParamImportance, ConditionalParametersCountWhereTheyAreActive) {
  const StudyConfig config =
      Space({Param("kind", Choices({std::string("svm"), std::string("tree")})),
             When(Param("depth", Ints(1, 10)), "kind", {std::string("tree")}),
             Param("x", Floats(0, 1))});
  const std::vector<Trial> trials =
      RandomTrials(config, 200, 9, [](const ParamAssignment& p) {
        const auto depth = p.find("depth");
        return Number(p, "x") +
               (depth == p.end() ? 0 : ParamValueAsDouble(depth->second));
      });
  // Unlisted, depth is left out: it is inactive in the svm trials.
  ASSERT_OK_AND_ASSIGN(ImportanceReport all, Compute(config, trials));
  EXPECT_EQ(all.trial_count, 200);
  EXPECT_EQ(ByName(all).count("depth"), 0u);
  EXPECT_EQ(all.importances[0].parameter, "kind");
  // Listed, only the tree trials count, and there depth leads.
  ASSERT_OK_AND_ASSIGN(ImportanceReport listed,
                       Compute(config, trials, {.parameters = {"depth", "x"}}));
  int64_t tree_trials = 0;
  for (const Trial& trial : trials) tree_trials += trial.params.count("depth");
  EXPECT_EQ(listed.trial_count, tree_trials);
  EXPECT_EQ(listed.importances[0].parameter, "depth");
  EXPECT_GT(listed.importances[0].importance, 0.8);
}

TEST(ParamImportance, ParametersOfOneValueExplainNothing) {
  const StudyConfig config =
      Space({Param("fixed", FixedDomain{int64_t{3}}), Param("x", Floats(0, 1)),
             Param("single", Ints(2, 2))});
  const std::vector<Trial> trials = RandomTrials(
      config, 50, 10, [](const ParamAssignment& p) { return Number(p, "x"); });
  ASSERT_OK_AND_ASSIGN(ImportanceReport report, Compute(config, trials));
  EXPECT_THAT(report.importances,
              ElementsAre(AllOf(Field(&ParamImportance::parameter, "x"),
                                Field(&ParamImportance::importance, 1.0)),
                          AllOf(Field(&ParamImportance::parameter, "fixed"),
                                Field(&ParamImportance::importance, 0.0)),
                          AllOf(Field(&ParamImportance::parameter, "single"),
                                Field(&ParamImportance::importance, 0.0))));
}

TEST(ParamImportance, AConstantObjectiveHasNoImportances) {
  const StudyConfig config = Space({Param("x", Floats(0, 1))});
  const std::vector<Trial> trials =
      RandomTrials(config, 20, 11, [](const ParamAssignment&) { return 1.5; });
  EXPECT_THAT(Compute(config, trials),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("\"loss\" does not vary"),
                             HasSubstr("20 completed trials"))));
}

}  // namespace
}  // namespace knob::importance

#include "server/pruners/pruner_options.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/model/algorithm_options.h"
#include "server/pruners/pruner_registry.h"
#include "tests/server/pruners/pruner_testing.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::LossStudy;
using ::knob::testing::MakePruner;
using ::knob::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Options = std::map<std::string, ParamValue>;

absl::Status Error(const std::string& name, const Options& options) {
  return MakePruner(LossStudy(), name, options).status();
}

absl::StatusOr<PrunerCommonOptions> Parse(const StudyConfig& config,
                                          const Options& options,
                                          CommonOptionUse use = {}) {
  const AlgorithmSpec spec{.name = "median", .options = options};
  AlgorithmOptions reader("pruner", spec);
  return ParseCommonPrunerOptions(config, spec, reader, use);
}

TEST(PrunerOptions, Defaults) {
  StudyConfig config = LossStudy();
  config.objectives.push_back(
      {.metric = "speed", .direction = Direction::kMaximize});
  ASSERT_OK_AND_ASSIGN(PrunerCommonOptions options, Parse(config, {}));
  EXPECT_EQ(options.metric, "loss");
  EXPECT_EQ(options.direction, Direction::kMinimize);
  EXPECT_EQ(options.n_startup_trials, 5);
  EXPECT_EQ(options.n_warmup_steps, 0);
  EXPECT_EQ(options.interval_steps, 1);
  EXPECT_EQ(options.n_min_trials, 1);
  // Another objective brings its own direction.
  ASSERT_OK_AND_ASSIGN(options, Parse(config, {{"metric", "speed"}}));
  EXPECT_EQ(options.direction, Direction::kMaximize);
}

TEST(PrunerOptions, PrunersThatJudgeATrialAloneNeedNoOtherTrials) {
  ASSERT_OK_AND_ASSIGN(
      PrunerCommonOptions options,
      Parse(LossStudy(), {},
            {.direction = false, .peers = false, .step_schedule = true}));
  EXPECT_EQ(options.n_startup_trials, 0);
  EXPECT_EQ(options.n_min_trials, 0);
}

TEST(PrunerOptions, MetricMustBeAStudyMetric) {
  EXPECT_THAT(Error("median", {{"metric", "los"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.metric: median expects an objective or "
                       "extra metric of the study (loss, acc), got \"los\""));
  EXPECT_THAT(Error("median", {{"metric", int64_t{3}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pruner.options.metric: median expects a "
                                 "string")));
}

TEST(PrunerOptions, DirectionIsRequiredForAnExtraMetric) {
  EXPECT_THAT(Error("median", {{"metric", "acc"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.direction: median expects \"minimize\" "
                       "or \"maximize\" for extra metric \"acc\", got none"));
  EXPECT_OK(Error("median", {{"metric", "acc"}, {"direction", "maximize"}}));
  EXPECT_OK(Error("median", {{"metric", "acc"}, {"direction", "minimize"}}));
}

TEST(PrunerOptions, DirectionMustBeKnownAndAgreeWithTheObjective) {
  EXPECT_THAT(Error("median", {{"direction", "up"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.direction: median expects \"minimize\" "
                       "or \"maximize\", got \"up\""));
  EXPECT_THAT(Error("median", {{"direction", "maximize"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.direction: median expects \"minimize\" "
                       "(the direction of objective \"loss\") or no "
                       "direction, got \"maximize\""));
  EXPECT_OK(Error("median", {{"direction", "minimize"}}));
}

TEST(PrunerOptions, CountsAndStepsAreRangeChecked) {
  EXPECT_THAT(Error("median", {{"n_startup_trials", -1}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.n_startup_trials: median expects an "
                       "int >= 0, got -1"));
  EXPECT_THAT(Error("median", {{"n_warmup_steps", -1}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.n_warmup_steps: median expects an int "
                       ">= 0, got -1"));
  EXPECT_THAT(Error("percentile", {{"interval_steps", 0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.interval_steps: percentile expects an "
                       "int >= 1, got 0"));
  EXPECT_THAT(Error("successive_halving", {{"n_min_trials", 0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.n_min_trials: successive_halving "
                       "expects an int >= 1, got 0"));
  EXPECT_THAT(Error("median", {{"n_warmup_steps", 1.5}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pruner.options.n_warmup_steps: median "
                                 "expects an int")));
  EXPECT_THAT(Error("median", {{"n_warmup", 3}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.n_warmup: unknown option for pruner "
                       "\"median\""));
}

TEST(PrunerOptions, PercentileIsAShareStrictlyBetweenNoneAndAll) {
  for (double bad : {0.0, 100.0, -5.0, 150.0}) {
    EXPECT_THAT(Error("percentile", {{"percentile", bad}}),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("pruner.options.percentile: percentile "
                                   "expects a number in (0, 100), got")))
        << bad;
  }
  EXPECT_OK(Error("percentile", {{"percentile", 0.5}}));
  EXPECT_OK(Error("percentile", {{"percentile", int64_t{90}}}));
  // The median is fixed at 50.
  EXPECT_THAT(Error("median", {{"percentile", 40}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pruner.options.percentile: unknown option")));
}

TEST(PrunerOptions, SuccessiveHalvingRungs) {
  EXPECT_OK(Error("successive_halving", {}));
  EXPECT_THAT(Error("successive_halving", {{"min_resource", 0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.min_resource: successive_halving "
                       "expects an int >= 1, got 0"));
  EXPECT_THAT(Error("successive_halving", {{"reduction_factor", 1}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.reduction_factor: successive_halving "
                       "expects an int >= 2, got 1"));
  EXPECT_THAT(Error("successive_halving", {{"min_early_stopping_rate", -1}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pruner.options.min_early_stopping_rate: "
                                 "successive_halving expects an int >= 0")));
  EXPECT_THAT(Error("successive_halving", {{"min_early_stopping_rate", 64}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pruner.options.min_early_stopping_rate: "
                                 "successive_halving expects a rate that puts "
                                 "the first rung")));
  // The rungs are its schedule.
  for (const char* option : {"n_warmup_steps", "interval_steps"}) {
    EXPECT_THAT(Error("successive_halving", {{option, 1}}),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("unknown option")))
        << option;
    EXPECT_THAT(Error("hyperband", {{"max_resource", 9}, {option, 1}}),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("unknown option")))
        << option;
  }
}

TEST(PrunerOptions, HyperbandNeedsAMaxResourceAboveTheMin) {
  EXPECT_THAT(Error("hyperband", {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.max_resource: hyperband expects an int "
                       "in (min_resource, min_resource * 2^32] = (1, "
                       "4294967296], got none"));
  EXPECT_THAT(Error("hyperband", {{"min_resource", 4}, {"max_resource", 4}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pruner.options.max_resource: hyperband "
                                 "expects an int in (min_resource, "
                                 "min_resource * 2^32] = (4, 17179869184], "
                                 "got 4")));
  EXPECT_THAT(Error("hyperband", {{"max_resource", int64_t{1} << 40}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pruner.options.max_resource")));
  EXPECT_THAT(
      Error("hyperband", {{"max_resource", 9}, {"reduction_factor", 1}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("pruner.options.reduction_factor")));
  // Brackets set the early-stopping rates.
  EXPECT_THAT(
      Error("hyperband", {{"max_resource", 9}, {"min_early_stopping_rate", 1}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("pruner.options.min_early_stopping_rate: unknown")));
  EXPECT_OK(Error("hyperband", {{"max_resource", 9}}));
}

TEST(PrunerRegistry, KnowsEveryPruner) {
  EXPECT_THAT(PrunerRegistry().Names(),
              ElementsAre("hyperband", "median", "none", "patience",
                          "percentile", "successive_halving", "threshold"));
}

}  // namespace
}  // namespace knob

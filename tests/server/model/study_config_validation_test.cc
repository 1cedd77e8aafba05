#include "server/model/study_config_validation.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/space_builders.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::Floats;
using ::knob::testing::Ints;
using ::knob::testing::LogFloats;
using ::knob::testing::LogInts;
using ::knob::testing::When;

using ::knob::testing::IsOk;
using ::knob::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

ParameterSpec Float(std::string name, double min, double max) {
  return {std::move(name), Floats(min, max), std::nullopt};
}
ParameterSpec Int(std::string name, int64_t min, int64_t max) {
  return {std::move(name), Ints(min, max), std::nullopt};
}
ParameterSpec Choice(std::string name, std::vector<ParamValue> choices) {
  return {std::move(name), CategoricalDomain{std::move(choices)}, std::nullopt};
}
StudyConfig ConfigWith(std::vector<ParameterSpec> parameters) {
  return ::knob::testing::Space(std::move(parameters));
}

void ExpectInvalid(const StudyConfig& config,
                   const std::vector<std::string>& fragments) {
  ::testing::Matcher<const std::string&> all = HasSubstr(fragments[0]);
  for (size_t i = 1; i < fragments.size(); ++i) {
    all = AllOf(all, HasSubstr(fragments[i]));
  }
  EXPECT_THAT(ValidateStudyConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument, all));
}

TEST(StudyConfigValidation, AcceptsComplexConfig) {
  StudyConfig config = ConfigWith({
      When(Float("momentum", 0.5, 0.99), "optimizer", {std::string("sgd")}),
      Choice("optimizer", {std::string("sgd"), std::string("adam")}),
      {"lr", LogFloats(1e-5, 1), std::nullopt},
      {"dropout", Floats(0, 0.5, 0.1), std::nullopt},
      When(Int("beta_steps", 1, 3), "dropout", {0.1, 0.3}),
      {"layers", LogInts(1, 1024), std::nullopt},
      {"batch", Ints(16, 256, 16), std::nullopt},
      When(Choice("nesterov", {true, false}), "momentum_kind", {int64_t{2}}),
      Int("momentum_kind", 1, 3),
      {"model/depth", FixedDomain{int64_t{12}}, std::nullopt},
      When(Float("deep", 0, 1), "model/depth", {int64_t{12}}),
  });
  config.objectives.push_back({"accuracy", Direction::kMaximize});
  config.extra_metrics = {"train_time", "val/f1"};
  config.stopping = {.max_trials = 100,
                     .max_failed_trials = 0,
                     .max_wall_time = absl::Hours(2)};
  EXPECT_THAT(ValidateStudyConfig(config), IsOk());
}

TEST(StudyConfigValidation, RejectsEmptyName) {
  ExpectInvalid(ConfigWith({Float("", 0, 1)}),
                {"parameters[0].name", "must not be empty"});
}

TEST(StudyConfigValidation, RejectsMalformedName) {
  ExpectInvalid(ConfigWith({Float("x", 0, 1), Float("learning rate", 0, 1)}),
                {"parameters[1].name \"learning rate\"", "' '", "position 8"});
}

TEST(StudyConfigValidation, RejectsOverlongName) {
  ExpectInvalid(ConfigWith({Float(std::string(129, 'a'), 0, 1)}),
                {"parameters[0].name", "129 characters", "128"});
}

TEST(StudyConfigValidation, RejectsDuplicateNames) {
  ExpectInvalid(
      ConfigWith({Float("lr", 0, 1), Int("n", 1, 2), Float("lr", 0, 2)}),
      {"parameters[2].name \"lr\"", "duplicate of parameters[0]"});
}

TEST(StudyConfigValidation, RejectsFloatMinNotBelowMax) {
  ExpectInvalid(ConfigWith({Float("lr", 1, 0.5)}),
                {"parameters[0] \"lr\"", "min < max", "min=1, max=0.5"});
  ExpectInvalid(ConfigWith({Float("lr", 1, 1)}),
                {"parameters[0] \"lr\"", "min=1, max=1", "fixed_value"});
}

TEST(StudyConfigValidation, RejectsIntMinNotBelowMax) {
  ExpectInvalid(ConfigWith({Int("n", 3, 3)}),
                {"parameters[0] \"n\"", "min < max", "min=3, max=3"});
}

TEST(StudyConfigValidation, RejectsNonFiniteFloatBounds) {
  ExpectInvalid(ConfigWith({Float("x", 0, INFINITY)}),
                {"parameters[0] \"x\"", "finite", "max=inf"});
}

TEST(StudyConfigValidation, RejectsLogScaleWithNonPositiveMin) {
  ExpectInvalid(
      ConfigWith({Float("a", 0, 1), {"lr", LogFloats(0, 1), std::nullopt}}),
      {"parameters[1] \"lr\": float_domain.log_scale requires min > 0, got "
       "min=0"});
  ExpectInvalid(ConfigWith({{"n", LogInts(0, 8), std::nullopt}}),
                {"parameters[0] \"n\"",
                 "int_domain.log_scale requires min >= 1", "min=0"});
}

TEST(StudyConfigValidation, RejectsLogScaleWithStep) {
  ExpectInvalid(
      ConfigWith(
          {{"lr",
            FloatDomain{.min = 1, .max = 10, .log_scale = true, .step = 1},
            std::nullopt}}),
      {"parameters[0] \"lr\"", "log_scale", "step=1"});
  ExpectInvalid(
      ConfigWith(
          {{"n", IntDomain{.min = 1, .max = 10, .log_scale = true, .step = 3},
            std::nullopt}}),
      {"parameters[0] \"n\"", "requires step 1", "step=3"});
}

TEST(StudyConfigValidation, RejectsNonPositiveStep) {
  ExpectInvalid(
      ConfigWith({{"x", Floats(0, 1, 0), std::nullopt}}),
      {"parameters[0] \"x\"", "float_domain.step must be > 0", "step=0"});
  ExpectInvalid(ConfigWith({{"x", Floats(0, 1, -0.5), std::nullopt}}),
                {"parameters[0] \"x\"", "step=-0.5"});
  ExpectInvalid(
      ConfigWith({{"n", Ints(0, 10, 0), std::nullopt}}),
      {"parameters[0] \"n\"", "int_domain.step must be >= 1", "step=0"});
}

TEST(StudyConfigValidation, RejectsStepLargerThanRange) {
  ExpectInvalid(ConfigWith({{"x", Floats(0, 1, 2), std::nullopt}}),
                {"parameters[0] \"x\"", "at most max - min = 1", "step=2"});
  ExpectInvalid(ConfigWith({{"n", Ints(0, 4, 5), std::nullopt}}),
                {"parameters[0] \"n\"", "at most max - min = 4", "step=5"});
}

// Found by tests/fuzz/study_config_fuzzer: with step 1e-299 on [0, 0.9]
// every value lies within rounding distance of countless grid points, and
// a point's number no longer maps back to the point.
TEST(StudyConfigValidation, RejectsStepTooSmallToTellGridPointsApart) {
  ExpectInvalid(ConfigWith({{"x", Floats(0, 0.9, 1e-299), std::nullopt}}),
                {"parameters[0] \"x\"", "at least 1e-12 times", "magnitude 0.9",
                 "step=1e-299"});
  ExpectInvalid(ConfigWith({{"x", Floats(1e6, 1e6 + 1, 1e-7), std::nullopt}}),
                {"parameters[0] \"x\"", "magnitude 1000001", "step=1e-07"});
  EXPECT_THAT(ValidateStudyConfig(
                  ConfigWith({{"x", Floats(0, 1, 1e-12), std::nullopt}})),
              IsOk());
}

TEST(StudyConfigValidation, RejectsEmptyCategorical) {
  ExpectInvalid(ConfigWith({Choice("opt", {})}),
                {"parameters[0] \"opt\"", "choices must not be empty"});
}

TEST(StudyConfigValidation, RejectsDuplicateChoiceLabels) {
  ExpectInvalid(
      ConfigWith({Choice("opt", {std::string("sgd"), std::string("adam"),
                                 std::string("sgd")})}),
      {"parameters[0] \"opt\"", "choices[2] \"sgd\"",
       "duplicate label of choices[0]"});
  // The string "2" and the int 2 would be stored as the same label.
  ExpectInvalid(ConfigWith({Choice("n", {int64_t{2}, std::string("2")})}),
                {"parameters[0] \"n\"", "choices[1] \"2\"", "duplicate"});
}

TEST(StudyConfigValidation, RejectsNanChoice) {
  ExpectInvalid(ConfigWith({Choice("x", {1.0, NAN})}),
                {"parameters[0] \"x\"", "choices[1] is NaN"});
}

TEST(StudyConfigValidation, RejectsConditionOnMissingParent) {
  ExpectInvalid(
      ConfigWith({Float("x", 0, 1),
                  When(Float("m", 0, 1), "optimiser", {std::string("sgd")})}),
      {"parameters[1] \"m\"", "condition.parent \"optimiser\"",
       "no such parameter"});
}

TEST(StudyConfigValidation, RejectsSelfCondition) {
  ExpectInvalid(ConfigWith({When(Int("n", 1, 4), "n", {int64_t{1}})}),
                {"parameters[0] \"n\"", "condition.parent \"n\"", "itself"});
}

TEST(StudyConfigValidation, RejectsConditionCycleOfThree) {
  ExpectInvalid(
      ConfigWith({Float("x", 0, 1), When(Int("a", 1, 3), "c", {int64_t{1}}),
                  When(Int("b", 1, 3), "a", {int64_t{1}}),
                  When(Int("c", 1, 3), "b", {int64_t{1}})}),
      {"parameters[1] \"a\"", "condition cycle", "a -> c -> b -> a"});
}

TEST(StudyConfigValidation, RejectsConditionValueParentCannotTake) {
  ExpectInvalid(
      ConfigWith({Choice("opt", {std::string("sgd"), std::string("adam")}),
                  When(Float("m", 0, 1), "opt", {std::string("rmsprop")})}),
      {"parameters[1] \"m\"", "condition.values[0] \"rmsprop\"",
       "parent \"opt\"", "categorical {\"sgd\", \"adam\"}"});
  ExpectInvalid(
      ConfigWith({{"n", Ints(1, 9, 2), std::nullopt},
                  When(Float("m", 0, 1), "n", {int64_t{4}})}),
      {"parameters[1] \"m\"", "condition.values[0] 4", "int [1, 9] step 2"});
}

TEST(StudyConfigValidation, RejectsEmptyConditionValues) {
  ExpectInvalid(ConfigWith({Int("n", 1, 3), When(Float("m", 0, 1), "n", {})}),
                {"parameters[1] \"m\"", "condition.values must not be empty"});
}

TEST(StudyConfigValidation, RejectsConditionOnContinuousFloat) {
  ExpectInvalid(
      ConfigWith({Float("lr", 0, 1), When(Int("n", 1, 3), "lr", {0.5})}),
      {"parameters[1] \"n\"", "condition.parent \"lr\"", "continuous float"});
}

TEST(StudyConfigValidation, RequiresCanonicalSteppedFloatConditionValue) {
  StudyConfig config = ConfigWith({{"x", Floats(0, 1, 0.1), std::nullopt},
                                   When(Int("n", 1, 3), "x", {0.1 * 3})});
  ExpectInvalid(
      config, {"parameters[1] \"n\"", "0.30000000000000004", "written as 0.3"});
  config.parameters[1].condition->values = {0.3};
  EXPECT_THAT(ValidateStudyConfig(config), IsOk());
}

TEST(StudyConfigValidation, RejectsNoObjectives) {
  StudyConfig config = ConfigWith({Float("x", 0, 1)});
  config.objectives.clear();
  ExpectInvalid(config, {"objectives", "at least one"});
}

TEST(StudyConfigValidation, RejectsDuplicateMetric) {
  StudyConfig config = ConfigWith({Float("x", 0, 1)});
  config.objectives.push_back({"loss", Direction::kMaximize});
  ExpectInvalid(
      config, {"objectives[1].metric \"loss\"", "duplicate of objectives[0]"});
  config.objectives.pop_back();
  config.extra_metrics = {"time", "loss"};
  ExpectInvalid(config, {"extra_metrics[1] \"loss\"",
                         "duplicate of objectives[0].metric"});
}

TEST(StudyConfigValidation, RejectsMalformedMetricName) {
  StudyConfig config = ConfigWith({Float("x", 0, 1)});
  config.objectives[0].metric = "val loss";
  ExpectInvalid(config, {"objectives[0].metric \"val loss\"", "' '"});
}

StudyConfig ConstrainedConfig(std::vector<OutcomeConstraint> constraints) {
  StudyConfig config = ConfigWith({Float("x", 0, 1)});
  config.extra_metrics = {"latency_ms", "recall"};
  config.constraints = std::move(constraints);
  return config;
}

constexpr auto kMax = OutcomeConstraint::Kind::kMax;
constexpr auto kMin = OutcomeConstraint::Kind::kMin;

TEST(StudyConfigValidation, AcceptsConstraintsOnExtraMetrics) {
  // Both bounds of one metric make a range; min == max pins it.
  EXPECT_THAT(
      ValidateStudyConfig(ConstrainedConfig({{"latency_ms", kMax, 50},
                                             {"recall", kMin, 0.9},
                                             {"recall", kMax, 0.99},
                                             {"latency_ms", kMin, 50}})),
      IsOk());
}

TEST(StudyConfigValidation, RejectsConstraintOnUndeclaredMetric) {
  ExpectInvalid(
      ConstrainedConfig({{"recall", kMin, 0.9}, {"memory_mb", kMax, 100}}),
      {"constraints[1].metric \"memory_mb\"",
       "not declared in extra_metrics [latency_ms, recall]"});
  ExpectInvalid(ConstrainedConfig({{"", kMax, 1}}),
                {"constraints[0].metric", "must not be empty"});
}

TEST(StudyConfigValidation, RejectsConstraintOnAnObjective) {
  ExpectInvalid(
      ConstrainedConfig({{"loss", kMax, 1}}),
      {"constraints[0].metric \"loss\"", "is an objective", "extra_metrics"});
}

TEST(StudyConfigValidation, RejectsNonFiniteConstraintBound) {
  ExpectInvalid(ConstrainedConfig({{"latency_ms", kMax, std::nan("")}}),
                {"constraints[0].max", "finite", "got nan"});
  ExpectInvalid(ConstrainedConfig({{"recall", kMin,
                                    -std::numeric_limits<double>::infinity()}}),
                {"constraints[0].min", "finite", "got -inf"});
}

TEST(StudyConfigValidation, RejectsASecondBoundInTheSameDirection) {
  ExpectInvalid(ConstrainedConfig({{"latency_ms", kMax, 50},
                                   {"recall", kMin, 0.9},
                                   {"latency_ms", kMax, 40}}),
                {"constraints[2] \"latency_ms <= 40\"", "duplicate max",
                 "constraints[0]"});
  ExpectInvalid(
      ConstrainedConfig({{"recall", kMin, 0.9}, {"recall", kMin, 0.9}}),
      {"constraints[1] \"recall >= 0.9\"", "duplicate min"});
}

TEST(StudyConfigValidation, RejectsBoundsNoValueCanMeet) {
  ExpectInvalid(
      ConstrainedConfig({{"recall", kMax, 0.8}, {"recall", kMin, 0.9}}),
      {"constraints[1] \"recall >= 0.9\"",
       "contradicts constraints[0] \"recall <= 0.8\""});
}

TEST(StudyConfigValidation, RejectsNegativeBudgets) {
  StudyConfig config = ConfigWith({Float("x", 0, 1)});
  config.stopping.max_trials = -1;
  ExpectInvalid(config, {"stopping.max_trials", ">= 0", "got -1"});
  config.stopping.max_trials = 0;
  config.stopping.max_failed_trials = -3;
  ExpectInvalid(config, {"stopping.max_failed_trials", "got -3"});
  config.stopping.max_failed_trials.reset();
  config.stopping.max_wall_time = absl::Seconds(-5);
  ExpectInvalid(config, {"stopping.max_wall_time", "got -5s"});
}

TEST(StudyConfigValidation, TargetAndPatienceNeedOneObjective) {
  StudyConfig config = ConfigWith({Float("x", 0, 1)});
  config.stopping.target_value = 0.5;
  config.stopping.patience = 10;
  EXPECT_OK(ValidateStudyConfig(config));
  config.stopping.target_value = std::numeric_limits<double>::infinity();
  ExpectInvalid(config, {"stopping.target_value", "finite", "got inf"});
  config.stopping.target_value = 0.5;
  config.stopping.patience = -2;
  ExpectInvalid(config, {"stopping.patience", ">= 0", "got -2"});
  config.stopping.patience = 10;
  config.objectives.push_back({"latency", Direction::kMinimize});
  ExpectInvalid(config, {"stopping.target_value", "one objective", "has 2"});
  config.stopping.target_value.reset();
  ExpectInvalid(config, {"stopping.patience", "one objective", "has 2"});
}

TEST(StudyConfigValidation, RejectsNonPositiveLease) {
  StudyConfig config = ConfigWith({Float("x", 0, 1)});
  config.lease_duration = absl::ZeroDuration();
  ExpectInvalid(config, {"lease_duration", "> 0", "got 0"});
}

TEST(StudyConfigValidation, BoundsStaleRetries) {
  StudyConfig config = ConfigWith({Float("x", 0, 1)});
  config.max_stale_retries = -1;
  ExpectInvalid(config, {"max_stale_retries", "between 0 and 100", "got -1"});
  config.max_stale_retries = 101;
  ExpectInvalid(config, {"max_stale_retries", "got 101"});
  config.max_stale_retries = 100;
  EXPECT_OK(ValidateStudyConfig(config));
}

TEST(StudyConfigValidation, RejectsTooManyParameters) {
  std::vector<ParameterSpec> parameters;
  for (int i = 0; i < 1001; ++i) {
    parameters.push_back(Float("p" + std::to_string(i), 0, 1));
  }
  ExpectInvalid(ConfigWith(std::move(parameters)),
                {"parameters", "1001", "sanity limit of 1000"});
}

TEST(StudyConfigValidation, StudyNames) {
  EXPECT_THAT(ValidateStudyName("mnist-resnet_v2.1"), IsOk());
  EXPECT_THAT(ValidateStudyName(""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("name: must not be empty")));
  EXPECT_THAT(ValidateStudyName("a/b"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("name \"a/b\""), HasSubstr("'/'"))));
  EXPECT_THAT(ValidateStudyName(std::string(129, 'x')),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("129 characters")));
  EXPECT_THAT(ValidateStudyName(std::string(128, 'x')), IsOk());
}

}  // namespace
}  // namespace knob

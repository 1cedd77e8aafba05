#include "server/model/constraints.h"

#include <cmath>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::IsOk;
using ::knob::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr auto kMax = OutcomeConstraint::Kind::kMax;
constexpr auto kMin = OutcomeConstraint::Kind::kMin;

// latency_ms <= 50, recall >= 0.9, recall <= 0.99.
StudyConfig ConstrainedConfig() {
  StudyConfig config;
  config.objectives = {{"loss", Direction::kMinimize}};
  config.extra_metrics = {"latency_ms", "recall"};
  config.constraints = {
      {"latency_ms", kMax, 50}, {"recall", kMin, 0.9}, {"recall", kMax, 0.99}};
  return config;
}

Trial WithMetrics(std::map<std::string, double> metrics) {
  Trial trial;
  trial.state = TrialState::kCompleted;
  trial.values = {1.0};
  trial.metrics = std::move(metrics);
  return trial;
}

TEST(ConstraintViolation, ZeroWithoutConstraints) {
  StudyConfig config = ConstrainedConfig();
  config.constraints.clear();
  const Trial trial = WithMetrics({});
  EXPECT_EQ(ConstraintViolation(config, trial), 0);
  EXPECT_TRUE(IsFeasible(config, trial));
}

TEST(ConstraintViolation, BoundsAreInclusive) {
  const StudyConfig config = ConstrainedConfig();
  for (const Trial& trial :
       {WithMetrics({{"latency_ms", 50}, {"recall", 0.9}}),
        WithMetrics({{"latency_ms", 50}, {"recall", 0.99}}),
        WithMetrics({{"latency_ms", -3}, {"recall", 0.95}})}) {
    EXPECT_EQ(ConstraintViolation(config, trial), 0);
    EXPECT_TRUE(IsFeasible(config, trial));
  }
}

TEST(ConstraintViolation, SumsHowFarEachMissedBoundIsExceeded) {
  const StudyConfig config = ConstrainedConfig();
  const Trial slow = WithMetrics({{"latency_ms", 62.5}, {"recall", 0.95}});
  EXPECT_EQ(ConstraintViolation(config, slow), 12.5);
  EXPECT_FALSE(IsFeasible(config, slow));

  const Trial slow_and_blind =
      WithMetrics({{"latency_ms", 52}, {"recall", 0.5}});
  EXPECT_DOUBLE_EQ(ConstraintViolation(config, slow_and_blind), 2 + 0.4);

  // Room left under one bound never makes up for another.
  const Trial fast_but_blind =
      WithMetrics({{"latency_ms", 1}, {"recall", 0.75}});
  EXPECT_DOUBLE_EQ(ConstraintViolation(config, fast_but_blind), 0.15);

  const Trial overfit = WithMetrics({{"latency_ms", 10}, {"recall", 1.0}});
  EXPECT_EQ(ConstraintViolation(config, overfit), 1.0 - 0.99);
}

TEST(ConstraintViolation, ASmallestExcessStillCounts) {
  const StudyConfig config = ConstrainedConfig();
  const Trial trial = WithMetrics(
      {{"latency_ms", std::nextafter(50.0, 100.0)}, {"recall", 0.95}});
  EXPECT_GT(ConstraintViolation(config, trial), 0);
  EXPECT_FALSE(IsFeasible(config, trial));
}

TEST(ConstraintViolation, MissingMetricIsInfinitelyInfeasible) {
  const StudyConfig config = ConstrainedConfig();
  const Trial trial = WithMetrics({{"latency_ms", 10}});
  EXPECT_EQ(ConstraintViolation(config, trial),
            std::numeric_limits<double>::infinity());
  EXPECT_FALSE(IsFeasible(config, trial));
}

TEST(CheckConstrainedMetricsReported, NamesTheFirstMissingMetric) {
  const StudyConfig config = ConstrainedConfig();
  EXPECT_THAT(CheckConstrainedMetricsReported(
                  config, {{"latency_ms", 500}, {"recall", 0}}),
              IsOk());
  EXPECT_THAT(
      CheckConstrainedMetricsReported(config, {{"latency_ms", 5}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("metrics[\"recall\"]"), HasSubstr("missing"),
                     HasSubstr("constraints[1] (recall >= 0.9)"))));
}

TEST(DescribeConstraint, ReadsAsWritten) {
  EXPECT_EQ(DescribeConstraint({"latency_ms", kMax, 50}), "latency_ms <= 50");
  EXPECT_EQ(DescribeConstraint({"recall", kMin, 0.1 + 0.2}),
            "recall >= 0.30000000000000004");
}

}  // namespace
}  // namespace knob

#include "server/pruners/learning_curves.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace knob {
namespace {

using ::testing::ElementsAre;
using ::testing::IsNull;
using ::testing::Optional;
using ::testing::Pointee;

MATCHER_P2(Point, step, value, "") {
  return arg.step == step && arg.value == value;
}

Trial TrialWith(std::vector<IntermediateValue> values) {
  Trial trial;
  trial.id = 1;
  trial.number = 0;
  trial.sequence = 1;
  trial.intermediate_values = std::move(values);
  return trial;
}

IntermediateValue Reported(int64_t step, std::string metric, double value) {
  return {.step = step, .metric = std::move(metric), .value = value};
}

TEST(ExtractCurve, SortsByStepKeepsTheMetricAndFiniteValues) {
  const Trial trial =
      TrialWith({Reported(3, "loss", 0.3), Reported(1, "loss", 0.1),
                 Reported(2, "acc", 0.9), Reported(2, "loss", NAN),
                 Reported(0, "loss", 1.0)});
  EXPECT_THAT(ExtractCurve(trial, "loss"),
              ElementsAre(Point(0, 1.0), Point(1, 0.1), Point(3, 0.3)));
  EXPECT_THAT(ExtractCurve(trial, "acc"), ElementsAre(Point(2, 0.9)));
}

TEST(ExtractCurve, TheLaterReportOfAStepWins) {
  const Trial trial =
      TrialWith({Reported(1, "loss", 0.5), Reported(0, "loss", 1.0),
                 Reported(1, "loss", 0.4)});
  EXPECT_THAT(ExtractCurve(trial, "loss"),
              ElementsAre(Point(0, 1.0), Point(1, 0.4)));
}

TEST(Curve, Queries) {
  const Curve curve = {{0, 1.0}, {2, 0.5}, {5, 0.7}};
  EXPECT_THAT(PointAt(curve, 2), Pointee(Point(2, 0.5)));
  EXPECT_THAT(PointAt(curve, 3), IsNull());
  EXPECT_THAT(FirstPointFrom(curve, 3), Pointee(Point(5, 0.7)));
  EXPECT_THAT(FirstPointFrom(curve, 2), Pointee(Point(2, 0.5)));
  EXPECT_THAT(FirstPointFrom(curve, 6), IsNull());
  EXPECT_THAT(BestUpTo(curve, 5, Direction::kMinimize), Optional(0.5));
  EXPECT_THAT(BestUpTo(curve, 1, Direction::kMinimize), Optional(1.0));
  EXPECT_THAT(BestUpTo(curve, 5, Direction::kMaximize), Optional(1.0));
  EXPECT_EQ(BestUpTo({}, 5, Direction::kMinimize), std::nullopt);
}

TEST(CurveCache, RereadsATrialWhenItChanges) {
  CurveCache cache("loss");
  Trial trial = TrialWith({Reported(0, "loss", 1.0)});
  EXPECT_THAT(cache.CurveOf(trial), ElementsAre(Point(0, 1.0)));
  // A replaced value: same number of values, new sequence.
  trial.intermediate_values[0].value = 2.0;
  trial.sequence = 2;
  EXPECT_THAT(cache.CurveOf(trial), ElementsAre(Point(0, 2.0)));
  // Another trial under the same number (another study's history).
  Trial other = TrialWith({Reported(0, "loss", 3.0)});
  other.id = 2;
  other.sequence = 2;
  EXPECT_THAT(cache.CurveOf(other), ElementsAre(Point(0, 3.0)));
}

TEST(CurveCache, CurvesStayInPlaceAsTheStudyGrows) {
  CurveCache cache("loss");
  Trial first = TrialWith({Reported(0, "loss", 1.0)});
  const Curve& curve = cache.CurveOf(first);
  for (int64_t number = 1; number < 1000; ++number) {
    Trial later = TrialWith({});
    later.number = number;
    later.id = number + 1;
    cache.CurveOf(later);
  }
  EXPECT_THAT(curve, ElementsAre(Point(0, 1.0)));
}

}  // namespace
}  // namespace knob

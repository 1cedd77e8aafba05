#include "server/samplers/grid_sampler.h"

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/model/search_space.h"
#include "tests/server/samplers/sampler_testing.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::Choices;
using ::knob::testing::Floats;
using ::knob::testing::History;
using ::knob::testing::Ints;
using ::knob::testing::LogFloats;
using ::knob::testing::Param;
using ::knob::testing::SampleNext;
using ::knob::testing::SamplerSpec;
using ::knob::testing::Space;
using ::knob::testing::StatusIs;
using ::knob::testing::When;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 3 choices x ints 1..4 x floats 0..1 step 0.25 = 60 points.
StudyConfig SixtyPoints(uint64_t seed = 42) {
  return Space({Param("kind", Choices({std::string("a"), std::string("b"),
                                       std::string("c")})),
                Param("n", Ints(1, 4)), Param("x", Floats(0, 1, 0.25))},
               seed);
}

// optimizer sgd: momentum 1..3, and nesterov {true, false} only when
// momentum is 3 -> 2 + 2 = 4; adam: beta {0.9, 0.99} -> 2. Times lr's 3
// values: 18 points.
StudyConfig ConditionalEighteen() {
  return Space(
      {When(Param("nesterov", Choices({true, false})), "momentum",
            {int64_t{3}}),
       Param("optimizer", Choices({std::string("sgd"), std::string("adam")})),
       When(Param("momentum", Ints(1, 3)), "optimizer", {std::string("sgd")}),
       When(Param("beta", Choices({0.9, 0.99})), "optimizer",
            {std::string("adam")}),
       Param("lr", Floats(0, 1, 0.5))});
}

std::unique_ptr<Sampler> Grid(const StudyConfig& config, bool shuffle = true) {
  absl::StatusOr<std::unique_ptr<Sampler>> sampler =
      CreateGridSampler(config, SamplerSpec("grid", {{"shuffle", shuffle}}));
  EXPECT_TRUE(sampler.ok()) << sampler.status();
  return *std::move(sampler);
}

// Samples until the grid is exhausted, feeding every point back as a
// running trial; returns the points in order.
std::vector<ParamAssignment> Exhaust(Sampler& sampler,
                                     const StudyConfig& config,
                                     History& history) {
  std::vector<ParamAssignment> points;
  while (true) {
    absl::StatusOr<ParamAssignment> params =
        SampleNext(sampler, config, history);
    if (!params.ok()) {
      EXPECT_THAT(params, StatusIs(absl::StatusCode::kOutOfRange,
                                   HasSubstr("grid exhausted")));
      return points;
    }
    points.push_back(*params);
    history.Add(*std::move(params));
  }
}

TEST(GridSampler, SuggestsEveryPointExactlyOnceThenReportsExhaustion) {
  const StudyConfig config = SixtyPoints();
  std::unique_ptr<Sampler> sampler = Grid(config);
  History history;
  const std::vector<ParamAssignment> points =
      Exhaust(*sampler, config, history);
  EXPECT_EQ(points.size(), 60u);
  EXPECT_EQ(std::set<ParamAssignment>(points.begin(), points.end()).size(),
            60u);
  EXPECT_THAT(SampleNext(*sampler, config, history),
              StatusIs(absl::StatusCode::kOutOfRange,
                       HasSubstr("grid exhausted: all 60 points suggested")));
}

TEST(GridSampler, EnumeratesOnlyActiveCombinationsOfConditions) {
  const StudyConfig config = ConditionalEighteen();
  std::unique_ptr<Sampler> sampler = Grid(config);
  History history;
  const std::vector<ParamAssignment> points =
      Exhaust(*sampler, config, history);
  EXPECT_EQ(points.size(), 18u);
  EXPECT_EQ(std::set<ParamAssignment>(points.begin(), points.end()).size(),
            18u);
  for (const ParamAssignment& point : points) {
    EXPECT_OK(NormalizeAssignment(config, point));
  }
}

TEST(GridSampler, WithoutShuffleVisitsPointsInLexicographicOrder) {
  const StudyConfig config = Space(
      {When(Param("c", Ints(1, 2)), "a", {int64_t{2}}), Param("a", Ints(1, 2)),
       Param("b", Choices({std::string("x"), std::string("y")}))});
  std::unique_ptr<Sampler> sampler = Grid(config, /*shuffle=*/false);
  History history;
  const ParamValue x = std::string("x");
  const ParamValue y = std::string("y");
  const ParamValue one = int64_t{1};
  const ParamValue two = int64_t{2};
  EXPECT_THAT(Exhaust(*sampler, config, history),
              ElementsAre(ParamAssignment{{"a", one}, {"b", x}},
                          ParamAssignment{{"a", one}, {"b", y}},
                          ParamAssignment{{"a", two}, {"c", one}, {"b", x}},
                          ParamAssignment{{"a", two}, {"c", one}, {"b", y}},
                          ParamAssignment{{"a", two}, {"c", two}, {"b", x}},
                          ParamAssignment{{"a", two}, {"c", two}, {"b", y}}));
}

TEST(GridSampler, ShuffledOrderDependsOnTheSeed) {
  History first_history;
  History second_history;
  History third_history;
  const std::vector<ParamAssignment> first =
      Exhaust(*Grid(SixtyPoints(1)), SixtyPoints(1), first_history);
  const std::vector<ParamAssignment> second =
      Exhaust(*Grid(SixtyPoints(2)), SixtyPoints(2), second_history);
  const std::vector<ParamAssignment> lexicographic =
      Exhaust(*Grid(SixtyPoints(1), false), SixtyPoints(1), third_history);
  EXPECT_NE(first, second);
  EXPECT_NE(first, lexicographic);
}

TEST(GridSampler, NeverReissuesAPointHeldByAnyTrial) {
  const StudyConfig config = SixtyPoints();
  std::unique_ptr<Sampler> lexicographic = Grid(config, false);
  History history;
  ASSERT_OK_AND_ASSIGN(ParamAssignment first,
                       SampleNext(*lexicographic, config, history));
  history.Add(first, TrialState::kFailed);
  ASSERT_OK_AND_ASSIGN(ParamAssignment second,
                       SampleNext(*lexicographic, config, history));
  EXPECT_NE(second, first);
  history.Add(second, TrialState::kRunning);
  ASSERT_OK_AND_ASSIGN(ParamAssignment third,
                       SampleNext(*lexicographic, config, history));
  history.Add(third, TrialState::kPruned);
  // An enqueued trial holds its point before it starts.
  ParamAssignment enqueued = {
      {"kind", std::string("c")}, {"n", int64_t{4}}, {"x", 1.0}};
  history.Add(enqueued, TrialState::kWaiting);
  const std::vector<ParamAssignment> rest =
      Exhaust(*lexicographic, config, history);
  EXPECT_EQ(rest.size(), 56u);
  for (const ParamAssignment& point : rest) {
    EXPECT_NE(point, first);
    EXPECT_NE(point, second);
    EXPECT_NE(point, third);
    EXPECT_NE(point, enqueued);
  }
}

TEST(GridSampler, MatchesTrialsByValueAcrossKinds) {
  const StudyConfig config = Space({Param("x", Floats(0, 1, 0.5))});
  std::unique_ptr<Sampler> sampler = Grid(config, false);
  History history;
  history.Add({{"x", int64_t{0}}});
  history.Add({{"x", 0.25 + 0.25}});
  ASSERT_OK_AND_ASSIGN(ParamAssignment params,
                       SampleNext(*sampler, config, history));
  EXPECT_EQ(params, (ParamAssignment{{"x", 1.0}}));
}

TEST(GridSampler, FreshInstanceContinuesAnExistingHistory) {
  const StudyConfig config = SixtyPoints();
  std::unique_ptr<Sampler> original = Grid(config);
  History history;
  for (int i = 0; i < 25; ++i) {
    ASSERT_OK_AND_ASSIGN(ParamAssignment params,
                         SampleNext(*original, config, history));
    history.Add(std::move(params));
  }
  std::unique_ptr<Sampler> restarted = Grid(config);
  ASSERT_OK_AND_ASSIGN(ParamAssignment expected,
                       SampleNext(*original, config, history));
  ASSERT_OK_AND_ASSIGN(ParamAssignment actual,
                       SampleNext(*restarted, config, history));
  EXPECT_EQ(actual, expected);
  std::set<ParamAssignment> all;
  for (const Trial* trial : history.trials()) all.insert(trial->params);
  for (const ParamAssignment& point : Exhaust(*restarted, config, history)) {
    EXPECT_TRUE(all.insert(point).second);
  }
  EXPECT_EQ(all.size(), 60u);
}

TEST(GridSampler, ReissuesPointsOfProposalsThatNeverCommitted) {
  const StudyConfig config = SixtyPoints();
  std::unique_ptr<Sampler> sampler = Grid(config);
  History history;
  for (int i = 0; i < 10; ++i) {
    history.Add(*SampleNext(*sampler, config, history));
  }
  ASSERT_OK_AND_ASSIGN(ParamAssignment proposed,
                       SampleNext(*sampler, config, history));
  history.Add(proposed);
  ASSERT_OK_AND_ASSIGN(ParamAssignment next,
                       SampleNext(*sampler, config, history));
  EXPECT_NE(next, proposed);
  history.Truncate(10);
  ASSERT_OK_AND_ASSIGN(ParamAssignment again,
                       SampleNext(*sampler, config, history));
  EXPECT_EQ(again, proposed);
  // Another replica committed a different point under the same number.
  history.AddNumbered(10, next);
  ASSERT_OK_AND_ASSIGN(ParamAssignment after,
                       SampleNext(*sampler, config, history));
  EXPECT_EQ(after, proposed);
}

TEST(GridSampler, HandsOutALargeGridOnce) {
  const StudyConfig config = Space({Param("n", Ints(0, 99'999))});
  std::unique_ptr<Sampler> sampler = Grid(config);
  History history;
  std::vector<bool> seen(100'000, false);
  for (int i = 0; i < 100'000; ++i) {
    ASSERT_OK_AND_ASSIGN(ParamAssignment params,
                         SampleNext(*sampler, config, history));
    const int64_t n = std::get<int64_t>(params.at("n"));
    ASSERT_FALSE(seen[n]) << n;
    seen[n] = true;
    history.Add(std::move(params));
  }
  EXPECT_THAT(
      SampleNext(*sampler, config, history),
      StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("all 100000 points")));
}

TEST(GridSampler, RejectsContinuousFloat) {
  const StudyConfig config =
      Space({Param("n", Ints(1, 3)), Param("lr", LogFloats(1e-4, 1))});
  EXPECT_THAT(CreateGridSampler(config, SamplerSpec("grid")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("parameters[1] \"lr\""),
                             HasSubstr("continuous float [0.0001, 1] log"),
                             HasSubstr("step"))));
}

TEST(GridSampler, RejectsGridsBeyondTheLimit) {
  const StudyConfig config =
      Space({Param("a", Ints(1, 100'000)), Param("b", Ints(1, 1'000)),
             Param("c", Floats(0, 1, 1e-9))});
  EXPECT_THAT(CreateGridSampler(config, SamplerSpec("grid")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("1e+17 points"),
                             HasSubstr("limit of 10000000"))));
}

TEST(GridSampler, RejectsUnknownOrMistypedOptions) {
  EXPECT_THAT(
      CreateGridSampler(SixtyPoints(), SamplerSpec("grid", {{"shufle", true}})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("sampler.options.shufle: unknown option")));
  EXPECT_THAT(CreateGridSampler(SixtyPoints(),
                                SamplerSpec("grid", {{"shuffle", int64_t{1}}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sampler.options.shuffle")));
}

}  // namespace
}  // namespace knob

#include "server/samplers/grid_space.h"

#include <set>
#include <string>
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
using ::knob::testing::Ints;
using ::knob::testing::Param;
using ::knob::testing::Space;
using ::knob::testing::StatusIs;
using ::knob::testing::When;
using ::testing::HasSubstr;

// a in {x, y, z}; b in 1..3 only under x and z; c in {0, 0.5, 1} only
// under b = 2; d fixed; e in {true, false}. Under x and z: b=1, b=3, and
// b=2 with 3 values of c -> 5 each; y -> 1. (5 + 1 + 5) * 2 = 22.
StudyConfig Nested() {
  return Space(
      {When(Param("c", Floats(0, 1, 0.5)), "b", {int64_t{2}}),
       Param("a",
             Choices({std::string("x"), std::string("y"), std::string("z")})),
       When(Param("b", Ints(1, 3)), "a", {std::string("x"), std::string("z")}),
       Param("d", FixedDomain{std::string("fixed")}),
       Param("e", Choices({true, false}))});
}

TEST(GridSpace, CountsOnlyActiveCombinations) {
  ASSERT_OK_AND_ASSIGN(GridSpace space, GridSpace::Create(Nested(), 1000));
  EXPECT_EQ(space.size(), 22);
}

TEST(GridSpace, NumbersEveryPointOnceAndInverts) {
  const StudyConfig config = Nested();
  ASSERT_OK_AND_ASSIGN(GridSpace space, GridSpace::Create(config, 1000));
  std::set<ParamAssignment> points;
  for (int64_t i = 0; i < space.size(); ++i) {
    const ParamAssignment point = space.At(i);
    EXPECT_OK(NormalizeAssignment(config, point));
    EXPECT_EQ(space.IndexOf(point), i);
    points.insert(point);
  }
  EXPECT_EQ(points.size(), 22u);
}

TEST(GridSpace, IndexOfRejectsAssignmentsThatAreNoPoint) {
  ASSERT_OK_AND_ASSIGN(GridSpace space, GridSpace::Create(Nested(), 1000));
  const ParamAssignment point = {
      {"a", std::string("y")}, {"d", std::string("fixed")}, {"e", true}};
  ASSERT_TRUE(space.IndexOf(point).has_value());
  ParamAssignment extra = point;
  extra["b"] = int64_t{1};
  EXPECT_EQ(space.IndexOf(extra), std::nullopt);
  ParamAssignment missing = point;
  missing.erase("e");
  EXPECT_EQ(space.IndexOf(missing), std::nullopt);
  ParamAssignment off_grid = point;
  off_grid["a"] = std::string("w");
  EXPECT_EQ(space.IndexOf(off_grid), std::nullopt);
  ParamAssignment unknown = point;
  unknown["f"] = 1.0;
  EXPECT_EQ(space.IndexOf(unknown), std::nullopt);
}

TEST(GridSpace, MatchesCategoricalChoicesAcrossNumericKinds) {
  ASSERT_OK_AND_ASSIGN(
      GridSpace space,
      GridSpace::Create(Space({Param("w", Choices({0.5, 2.0, int64_t{3}}))}),
                        10));
  EXPECT_EQ(space.IndexOf({{"w", int64_t{2}}}), 1);
  EXPECT_EQ(space.IndexOf({{"w", 3.0}}), 2);
  EXPECT_EQ(space.IndexOf({{"w", std::string("3")}}), std::nullopt);
}

TEST(GridSpace, RejectsContinuousFloatsAndOversizedGrids) {
  EXPECT_THAT(GridSpace::Create(Space({Param("x", Floats(0, 1))}), 1000),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("parameters[0] \"x\"")));
  EXPECT_THAT(
      GridSpace::Create(
          Space({Param("n", Ints(1, 20)), Param("m", Ints(1, 51))}), 1000),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("has 1020 points, more than the grid limit of 1000")));
}

}  // namespace
}  // namespace knob

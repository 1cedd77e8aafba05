#include "server/samplers/gp/gp_space.h"

#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/model/search_space.h"
#include "tests/testing/space_builders.h"

namespace knob::gp {
namespace {

using ::knob::testing::Choices;
using ::knob::testing::Floats;
using ::knob::testing::Ints;
using ::knob::testing::LogFloats;
using ::knob::testing::Param;
using ::knob::testing::Space;
using ::knob::testing::When;

StudyConfig Mixed() {
  return Space({Param("lr", LogFloats(1e-4, 1)), Param("n", Ints(1, 4)),
                Param("kind", Choices({std::string("a"), std::string("b")})),
                Param("version", FixedDomain{int64_t{3}})});
}

TEST(GpSpace, KindsFollowTheDomains) {
  const GpSpace space(Mixed());
  ASSERT_EQ(space.dimensions(), 3);
  EXPECT_EQ(space.kind(0), CoordinateKind::kContinuous);
  EXPECT_EQ(space.kind(1), CoordinateKind::kDiscrete);
  EXPECT_EQ(space.kind(2), CoordinateKind::kCategorical);
  EXPECT_EQ(space.Cardinality(1), 4);
  EXPECT_EQ(space.Cardinality(2), 2);
  EXPECT_THAT(space.categorical(), ::testing::ElementsAre(false, false, true));
  EXPECT_FALSE(space.has_conditions());
}

TEST(GpSpace, EncodesLogScalesLinearlyAndGridPointsAtTheirCentres) {
  const GpSpace space(Mixed());
  const Eigen::VectorXd point = space.Encode({{"lr", 1e-2},
                                              {"n", int64_t{2}},
                                              {"kind", std::string("b")},
                                              {"version", int64_t{3}}});
  EXPECT_NEAR(point[0], 0.5, 1e-12);
  // Ints 1..4 own a quarter each: 2 is the centre of the second.
  EXPECT_NEAR(point[1], 0.375, 1e-12);
  EXPECT_NEAR(point[2], 0.75, 1e-12);
  EXPECT_EQ(space.GridPoint(1, 1), point[1]);
  EXPECT_EQ(space.GridIndex(1, 0.3), 1);
}

TEST(GpSpace, CanonicalPointsSitOnTheGrid) {
  const GpSpace space(Mixed());
  Eigen::VectorXd point = Eigen::Vector3d(0.123, 0.3, 0.1);
  space.Canonicalize(point);
  EXPECT_EQ(point[0], 0.123);
  EXPECT_EQ(point[1], 0.375);
  EXPECT_EQ(point[2], 0.25);
  const ParamAssignment params = space.Decode(point);
  EXPECT_EQ(params.at("n"), ParamValue(int64_t{2}));
  EXPECT_EQ(params.at("kind"), ParamValue(std::string("a")));
  EXPECT_EQ(params.at("version"), ParamValue(int64_t{3}));
  EXPECT_TRUE(space.Encode(params).isApprox(point, 1e-12));
}

TEST(GpSpace, InactiveAndMissingParametersTakeTheirConstant) {
  const GpSpace space(Space(
      {Param("optimizer", Choices({std::string("sgd"), std::string("adam")})),
       When(Param("momentum", Floats(0, 1)), "optimizer", {std::string("sgd")}),
       When(Param("variant", Choices({int64_t{1}, int64_t{2}, int64_t{3}})),
            "optimizer", {std::string("sgd")})}));
  EXPECT_TRUE(space.has_conditions());
  const Eigen::VectorXd adam =
      space.Encode({{"optimizer", std::string("adam")}});
  EXPECT_EQ(adam[1], kInactiveNumeric);
  EXPECT_EQ(adam[2], kInactiveCategorical);
  EXPECT_THAT(space.ActiveCoordinates(adam),
              ::testing::ElementsAre(true, false, false));

  // Switching the parent to sgd activates the children at real values.
  Eigen::VectorXd sgd = adam;
  sgd[0] = space.GridPoint(0, 0);
  space.Canonicalize(sgd);
  EXPECT_THAT(space.ActiveCoordinates(sgd),
              ::testing::ElementsAre(true, true, true));
  const ParamAssignment params = space.Decode(sgd);
  EXPECT_EQ(params.size(), 3u);
  EXPECT_TRUE(DomainContains(Choices({int64_t{1}, int64_t{2}, int64_t{3}}),
                             params.at("variant")));

  // And back: the children return to their constants.
  Eigen::VectorXd back = sgd;
  back[0] = space.GridPoint(0, 1);
  space.Canonicalize(back);
  EXPECT_EQ(back, adam);
}

TEST(GpSpace, RandomPointsAreCanonicalAndCoverTheCube) {
  const GpSpace space(Mixed());
  std::mt19937_64 rng(3);
  double low = 1;
  double high = 0;
  for (int k = 0; k < 200; ++k) {
    const Eigen::VectorXd point = space.RandomPoint(rng);
    Eigen::VectorXd canonical = point;
    space.Canonicalize(canonical);
    EXPECT_EQ(point, canonical);
    low = std::min(low, point[0]);
    high = std::max(high, point[0]);
  }
  EXPECT_LT(low, 0.05);
  EXPECT_GT(high, 0.95);
}

}  // namespace
}  // namespace knob::gp

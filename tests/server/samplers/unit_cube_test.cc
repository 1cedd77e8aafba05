#include "server/samplers/unit_cube.h"

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/model/search_space.h"
#include "tests/testing/space_builders.h"

namespace knob {
namespace {

using ::knob::testing::Choices;
using ::knob::testing::Floats;
using ::knob::testing::Ints;
using ::knob::testing::LogFloats;
using ::knob::testing::LogInts;
using ::knob::testing::Param;
using ::knob::testing::Space;
using ::knob::testing::When;
using ::testing::DoubleNear;
using ::testing::Optional;

TEST(UnitCube, OneCoordinatePerNonFixedParameterInSamplingOrder) {
  const StudyConfig config = Space(
      {When(Param("momentum", Floats(0, 1)), "optimizer", {std::string("sgd")}),
       Param("version", FixedDomain{std::string("v1")}),
       Param("optimizer", Choices({std::string("sgd"), std::string("adam")}))});
  const UnitCube cube(config);
  ASSERT_EQ(cube.dimensions(), 2);
  EXPECT_EQ(cube.parameter(0).name, "optimizer");
  EXPECT_EQ(cube.parameter(1).name, "momentum");
  EXPECT_EQ(cube.CoordinateOf("momentum"), 1);
  EXPECT_EQ(cube.CoordinateOf("version"), std::nullopt);
  EXPECT_TRUE(cube.IsCategorical(0));
  EXPECT_FALSE(cube.IsCategorical(1));
}

TEST(UnitCube, DecodeEvaluatesConditionsAndFillsFixedValues) {
  const UnitCube cube(Space(
      {Param("optimizer", Choices({std::string("sgd"), std::string("adam")})),
       When(Param("momentum", Floats(0, 1)), "optimizer", {std::string("sgd")}),
       Param("version", FixedDomain{int64_t{3}})}));
  EXPECT_EQ(cube.Decode({0.1, 0.25}),
            (ParamAssignment{{"optimizer", std::string("sgd")},
                             {"momentum", 0.25},
                             {"version", int64_t{3}}}));
  EXPECT_EQ(cube.Decode({0.9, 0.25}),
            (ParamAssignment{{"optimizer", std::string("adam")},
                             {"version", int64_t{3}}}));
}

TEST(UnitCube, LogFloatsAreUniformInTheirLog) {
  const UnitCube cube(Space({Param("lr", LogFloats(1e-4, 1))}));
  EXPECT_THAT(std::get<double>(cube.DecodeCoordinate(0, 0.5)),
              DoubleNear(1e-2, 1e-12));
  EXPECT_THAT(cube.EncodeCoordinate(0, 1e-3),
              Optional(DoubleNear(0.25, 1e-12)));
  EXPECT_EQ(std::get<double>(cube.DecodeCoordinate(0, 0)), 1e-4);
  EXPECT_EQ(std::get<double>(cube.DecodeCoordinate(0, 1)), 1.0);
}

TEST(UnitCube, IntsShareTheCubeEquallyAndRoundTrip) {
  const UnitCube cube(Space({Param("n", Ints(1, 4))}));
  std::map<int64_t, int> hits;
  for (int k = 0; k < 400; ++k) {
    ++hits[std::get<int64_t>(cube.DecodeCoordinate(0, (k + 0.5) / 400))];
  }
  EXPECT_EQ(hits,
            (std::map<int64_t, int>{{1, 100}, {2, 100}, {3, 100}, {4, 100}}));
  for (int64_t n = 1; n <= 4; ++n) {
    const std::optional<double> u = cube.EncodeCoordinate(0, n);
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(cube.DecodeCoordinate(0, *u), ParamValue(n));
  }
}

TEST(UnitCube, SteppedValuesDecodeOntoTheGrid) {
  const UnitCube cube(
      Space({Param("x", Floats(0, 1, 0.3)), Param("batch", Ints(16, 64, 16)),
             Param("units", LogInts(1, 1000))}));
  for (int k = 0; k <= 100; ++k) {
    const double u = k / 100.0;
    const ParamAssignment params = cube.Decode({u, u, u});
    for (const ParameterSpec& spec :
         Space({Param("x", Floats(0, 1, 0.3)), Param("batch", Ints(16, 64, 16)),
                Param("units", LogInts(1, 1000))})
             .parameters) {
      EXPECT_TRUE(DomainContains(spec.domain, params.at(spec.name)))
          << spec.name << " at u=" << u;
    }
  }
  EXPECT_EQ(cube.DecodeCoordinate(0, 1.0), ParamValue(0.9));
  EXPECT_EQ(cube.DecodeCoordinate(1, 0.0), ParamValue(int64_t{16}));
  EXPECT_EQ(cube.DecodeCoordinate(2, 1.0), ParamValue(int64_t{1000}));
}

TEST(UnitCube, ValuesOutsideTheDomainHaveNoCoordinate) {
  const UnitCube cube(
      Space({Param("n", Ints(1, 4)), Param("c", Choices({std::string("a")}))}));
  EXPECT_EQ(cube.EncodeCoordinate(0, int64_t{5}), std::nullopt);
  EXPECT_EQ(cube.EncodeCoordinate(1, std::string("b")), std::nullopt);
  const std::vector<std::optional<double>> point =
      cube.Encode({{"n", int64_t{9}}});
  EXPECT_EQ(point,
            (std::vector<std::optional<double>>{std::nullopt, std::nullopt}));
}

TEST(UnitCube, OutOfRangeAndNanCoordinatesStillDecodeInsideTheDomain) {
  const UnitCube cube(Space({Param("x", Floats(-1, 1))}));
  EXPECT_EQ(cube.DecodeCoordinate(0, -3), ParamValue(-1.0));
  EXPECT_EQ(cube.DecodeCoordinate(0, 7), ParamValue(1.0));
  EXPECT_EQ(cube.DecodeCoordinate(0, std::nan("")), ParamValue(0.0));
}

}  // namespace
}  // namespace knob

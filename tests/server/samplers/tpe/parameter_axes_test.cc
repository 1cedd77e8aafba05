#include "server/samplers/tpe/parameter_axes.h"

#include <cmath>
#include <cstdint>
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
using ::knob::testing::When;
using ::testing::ElementsAre;
using ::testing::Optional;

TEST(ParameterAxis, ContinuousFloatsMapLinearlyOntoTheUnitInterval) {
  const ParameterAxis axis(Param("x", Floats(-2, 6)));
  EXPECT_EQ(axis.kernel_axis().kind(), KernelAxis::Kind::kContinuous);
  EXPECT_THAT(axis.Encode(0.0), Optional(0.25));
  EXPECT_THAT(axis.Encode(int64_t{6}), Optional(1.0));
  EXPECT_EQ(axis.Encode(7.0), std::nullopt);
  EXPECT_EQ(std::get<double>(axis.Decode(0.5)), 2.0);
  EXPECT_EQ(std::get<double>(axis.Decode(1.0)), 6.0);
}

TEST(ParameterAxis, LogFloatsMapTheirLogs) {
  const ParameterAxis axis(Param("lr", LogFloats(1e-4, 1)));
  EXPECT_THAT(axis.Encode(1e-2), Optional(::testing::DoubleNear(0.5, 1e-12)));
  EXPECT_NEAR(std::get<double>(axis.Decode(0.25)), 1e-3, 1e-15);
  // Decoding never leaves the domain, even where exp rounds outwards.
  for (double u : {0.0, 1.0}) {
    const double x = std::get<double>(axis.Decode(u));
    EXPECT_GE(x, 1e-4);
    EXPECT_LE(x, 1);
  }
}

TEST(ParameterAxis, GridsAndChoicesAreIndexed) {
  const ParameterAxis stepped(Param("s", Floats(0, 1, 0.25)));
  EXPECT_EQ(stepped.kernel_axis().kind(), KernelAxis::Kind::kDiscrete);
  EXPECT_EQ(stepped.kernel_axis().count(), 5);
  EXPECT_THAT(stepped.Encode(0.75), Optional(3.0));
  EXPECT_EQ(stepped.Encode(0.3), std::nullopt);
  EXPECT_EQ(std::get<double>(stepped.Decode(2)), 0.5);

  const ParameterAxis ints(Param("n", Ints(16, 256, 16)));
  EXPECT_EQ(ints.kernel_axis().count(), 16);
  EXPECT_THAT(ints.Encode(int64_t{48}), Optional(2.0));
  EXPECT_EQ(std::get<int64_t>(ints.Decode(15)), 256);

  const ParameterAxis log_ints(Param("units", LogInts(1, 1000)));
  EXPECT_EQ(log_ints.kernel_axis().count(), 1000);
  EXPECT_THAT(log_ints.Encode(int64_t{10}), Optional(9.0));
  EXPECT_EQ(std::get<int64_t>(log_ints.Decode(99)), 100);

  const ParameterAxis choices(
      Param("c", Choices({std::string("a"), true, 2.5})));
  EXPECT_EQ(choices.kernel_axis().kind(), KernelAxis::Kind::kCategorical);
  EXPECT_THAT(choices.Encode(true), Optional(1.0));
  EXPECT_EQ(choices.Encode(std::string("b")), std::nullopt);
  EXPECT_EQ(std::get<double>(choices.Decode(2)), 2.5);
}

class ParameterGroupsTest : public ::testing::Test {
 protected:
  // a, b unconditional; c, d under opt = x; e under opt = y; f under c.
  ParameterGroupsTest()
      : specs_({Param("opt", Choices({std::string("x"), std::string("y")})),
                Param("a", Floats(0, 1)),
                When(Param("c", Ints(0, 3)), "opt", {std::string("x")}),
                When(Param("d", Floats(0, 1)), "opt", {std::string("x")}),
                When(Param("e", Floats(0, 1)), "opt", {std::string("y")}),
                When(Param("f", Floats(0, 1)), "c", {int64_t{1}}),
                Param("b", Floats(0, 1))}) {
    for (const ParameterSpec& spec : specs_) pointers_.push_back(&spec);
  }

  std::vector<ParameterSpec> specs_;
  std::vector<const ParameterSpec*> pointers_;
};

TEST_F(ParameterGroupsTest, IndependentModelsEveryParameterAlone) {
  EXPECT_THAT(ParameterGroups(pointers_, false, true),
              ElementsAre(ElementsAre(0), ElementsAre(1), ElementsAre(2),
                          ElementsAre(3), ElementsAre(4), ElementsAre(5),
                          ElementsAre(6)));
}

TEST_F(ParameterGroupsTest, GroupsFollowConditions) {
  EXPECT_THAT(ParameterGroups(pointers_, true, true),
              ElementsAre(ElementsAre(0, 1, 6), ElementsAre(2, 3),
                          ElementsAre(4), ElementsAre(5)));
}

TEST_F(ParameterGroupsTest, WithoutGroupsConditionalOnesStandAlone) {
  EXPECT_THAT(ParameterGroups(pointers_, true, false),
              ElementsAre(ElementsAre(0, 1, 6), ElementsAre(2), ElementsAre(3),
                          ElementsAre(4), ElementsAre(5)));
}

}  // namespace
}  // namespace knob

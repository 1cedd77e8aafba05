#include "server/samplers/multi_objective/nsga2_variation.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/random/bit_gen_ref.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/space_builders.h"

namespace knob {
namespace {

using ::knob::testing::Choices;
using ::knob::testing::Floats;
using ::knob::testing::Ints;
using ::knob::testing::Param;
using ::knob::testing::Space;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::Each;
using ::testing::Eq;
using ::testing::Ge;
using ::testing::Le;
using Point = std::vector<std::optional<double>>;

// Coordinates: x, y (numeric), kind (categorical), n (int).
const UnitCube& Cube() {
  static const UnitCube* cube = new UnitCube(
      Space({Param("x", Floats(0, 1)), Param("y", Floats(-5, 5)),
             Param("kind", Choices({std::string("a"), std::string("b"),
                                    std::string("c"), std::string("d")})),
             Param("n", Ints(0, 100))}));
  return *cube;
}

const Point kFirst = {0.3, 0.9, 0.125, 0.2};
const Point kSecond = {0.7, 0.1, 0.875, 0.2};

VariationOptions Options(CrossoverKind crossover, double mutation_prob = 0) {
  VariationOptions options;
  options.crossover = crossover;
  options.crossover_prob = 1;
  options.mutation_prob = mutation_prob;
  return options;
}

class MakeChildTest : public ::testing::Test {
 protected:
  std::vector<double> Child(const Point& first, const Point& second,
                            const VariationOptions& options) {
    return MakeChild(Cube(), first, second, options, absl::BitGenRef(bits_));
  }

  std::mt19937_64 bits_{17};
};

TEST_F(MakeChildTest, UniformCrossoverTakesEachCoordinateFromAParent) {
  std::vector<int> from_second(4, 0);
  for (int i = 0; i < 200; ++i) {
    const std::vector<double> child =
        Child(kFirst, kSecond, Options(CrossoverKind::kUniform));
    for (int k = 0; k < 4; ++k) {
      ASSERT_THAT(child[k], AnyOf(Eq(*kFirst[k]), Eq(*kSecond[k])));
      from_second[k] += child[k] == *kSecond[k];
    }
  }
  // Both parents contribute to the coordinates where they differ.
  for (int k = 0; k < 3; ++k) {
    EXPECT_GT(from_second[k], 60) << k;
    EXPECT_LT(from_second[k], 140) << k;
  }
}

TEST_F(MakeChildTest, SwappingProbabilityChoosesTheParent) {
  VariationOptions options = Options(CrossoverKind::kUniform);
  options.swapping_prob = 0;
  const std::vector<double> first = {0.3, 0.9, 0.125, 0.2};
  const std::vector<double> second = {0.7, 0.1, 0.875, 0.2};
  EXPECT_EQ(Child(kFirst, kSecond, options), first);
  options.swapping_prob = 1;
  EXPECT_EQ(Child(kFirst, kSecond, options), second);
}

TEST_F(MakeChildTest, WithoutCrossoverOrMutationTheChildCopiesTheFirstParent) {
  VariationOptions options = Options(CrossoverKind::kSbx);
  options.crossover_prob = 0;
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Child(kFirst, kSecond, options),
              (std::vector<double>{0.3, 0.9, 0.125, 0.2}));
  }
}

TEST_F(MakeChildTest, BlendingCrossoversKeepCategoriesAndSharedValues) {
  for (CrossoverKind kind : {CrossoverKind::kSbx, CrossoverKind::kBlxAlpha}) {
    for (int i = 0; i < 200; ++i) {
      const std::vector<double> child = Child(kFirst, kSecond, Options(kind));
      EXPECT_THAT(child, Each(AllOf(Ge(0.0), Le(1.0))));
      EXPECT_THAT(child[2], AnyOf(Eq(0.125), Eq(0.875)));
      EXPECT_EQ(child[3], 0.2);
    }
  }
}

TEST_F(MakeChildTest, SbxChildLandsOnTheSideOfTheParentItLeansOn) {
  VariationOptions options = Options(CrossoverKind::kSbx);
  double sum_of_distances = 0;
  for (double swapping : {0.0, 1.0}) {
    options.swapping_prob = swapping;
    for (int i = 0; i < 200; ++i) {
      const std::vector<double> child = Child(kFirst, kSecond, options);
      const double near = swapping == 0 ? 0.3 : 0.7;
      EXPECT_EQ(child[0] < 0.5, near < 0.5) << child[0];
      sum_of_distances += std::abs(child[0] - near);
    }
  }
  // Concentrated near the parent: most children within a tenth of it.
  EXPECT_LT(sum_of_distances / 400, 0.05);
}

TEST_F(MakeChildTest, BlxAlphaSpreadsHalfTheGapBeyondTheParents) {
  double lowest = 1;
  double highest = 0;
  for (int i = 0; i < 400; ++i) {
    const double x =
        Child(kFirst, kSecond, Options(CrossoverKind::kBlxAlpha))[0];
    lowest = std::min(lowest, x);
    highest = std::max(highest, x);
  }
  EXPECT_GE(lowest, 0.1);
  EXPECT_LT(lowest, 0.15);
  EXPECT_LE(highest, 0.9);
  EXPECT_GT(highest, 0.85);
}

TEST_F(MakeChildTest, MissingCoordinatesComeFromTheOtherParentOrAtRandom) {
  const Point first = {std::nullopt, 0.9, std::nullopt, 0.2};
  const Point second = {0.7, std::nullopt, std::nullopt, 0.2};
  std::vector<double> drawn;
  for (int i = 0; i < 20; ++i) {
    const std::vector<double> child =
        Child(first, second, Options(CrossoverKind::kSbx));
    EXPECT_EQ(child[0], 0.7);
    EXPECT_EQ(child[1], 0.9);
    EXPECT_THAT(child[2], AllOf(Ge(0.0), Le(1.0)));
    drawn.push_back(child[2]);
  }
  EXPECT_NE(drawn.front(), drawn.back());
}

TEST_F(MakeChildTest, MutationChangesCoordinatesItHits) {
  for (int i = 0; i < 100; ++i) {
    const std::vector<double> child =
        Child(kFirst, kFirst, Options(CrossoverKind::kUniform, 1));
    EXPECT_THAT(child, Each(AllOf(Ge(0.0), Le(1.0))));
    for (int k = 0; k < 4; ++k) EXPECT_NE(child[k], *kFirst[k]) << k;
  }
}

TEST_F(MakeChildTest, MutationProbabilityIsPerCoordinate) {
  int mutated = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::vector<double> child =
        Child(kFirst, kFirst, Options(CrossoverKind::kUniform, 0.25));
    for (int k = 0; k < 4; ++k) mutated += child[k] != *kFirst[k];
  }
  // 1000 children of 4 coordinates, each mutated with chance 1/4.
  EXPECT_GT(mutated, 900);
  EXPECT_LT(mutated, 1100);
}

}  // namespace
}  // namespace knob

#include <cstdint>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/samplers/multi_objective/pareto.h"

namespace knob {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using Points = std::vector<std::vector<double>>;

// Integer points in [0, levels)^dimensions.
Points RandomGridPoints(size_t n, size_t dimensions, int levels,
                        uint32_t seed) {
  std::mt19937 bits(seed);
  Points points(n, std::vector<double>(dimensions));
  for (auto& point : points) {
    for (double& value : point) value = static_cast<double>(bits() % levels);
  }
  return points;
}

// For integer points and reference (levels, ..., levels): the number of
// unit cells of the grid that some point dominates.
double CountDominatedCells(const Points& points, size_t dimensions,
                           int levels) {
  std::vector<int> cell(dimensions, 0);
  double count = 0;
  while (true) {
    for (const auto& point : points) {
      bool covers = true;
      for (size_t j = 0; j < dimensions && covers; ++j) {
        covers = point[j] <= cell[j];
      }
      if (covers) {
        ++count;
        break;
      }
    }
    size_t j = 0;
    while (j < dimensions && ++cell[j] == levels) cell[j++] = 0;
    if (j == dimensions) return count;
  }
}

TEST(Hypervolume, TwoDimensionsByHand) {
  const Points points = {{1, 3}, {2, 2}, {3, 1}};
  const std::vector<double> reference = {4, 4};
  EXPECT_DOUBLE_EQ(Hypervolume(points, reference), 6);
}

TEST(Hypervolume, IgnoresDominatedPointsAndPointsBeyondTheReference) {
  const Points points = {{1, 3}, {3, 3}, {2, 2}, {5, 0},
                         {0, 4}, {3, 1}, {2, 2}};
  const std::vector<double> reference = {4, 4};
  EXPECT_DOUBLE_EQ(Hypervolume(points, reference), 6);
  EXPECT_EQ(Hypervolume({}, reference), 0);
  EXPECT_EQ(Hypervolume(Points{{5, 0}, {4, 4}}, reference), 0);
}

TEST(Hypervolume, OneDimensionIsTheDistanceOfTheBest) {
  EXPECT_DOUBLE_EQ(Hypervolume(Points{{3}, {1}, {7}}, std::vector<double>{5}),
                   4);
}

// The unit vectors scaled to 1 against reference (2, ..., 2) dominate all
// of [0, 2]^d except [0, 1)^d.
TEST(Hypervolume, UnitVectorsLeaveOneCornerUncovered) {
  for (size_t dimensions = 2; dimensions <= 6; ++dimensions) {
    Points points(dimensions, std::vector<double>(dimensions, 0));
    for (size_t i = 0; i < dimensions; ++i) points[i][i] = 1;
    const std::vector<double> reference(dimensions, 2);
    EXPECT_DOUBLE_EQ(Hypervolume(points, reference),
                     static_cast<double>((1 << dimensions) - 1))
        << dimensions << " dimensions";
  }
}

TEST(Hypervolume, EqualsTheDominatedCellCount) {
  constexpr int kLevels = 7;
  for (size_t dimensions = 2; dimensions <= 5; ++dimensions) {
    for (uint32_t seed = 1; seed <= 4; ++seed) {
      const Points points = RandomGridPoints(25, dimensions, kLevels, seed);
      const std::vector<double> reference(dimensions, kLevels);
      EXPECT_DOUBLE_EQ(Hypervolume(points, reference),
                       CountDominatedCells(points, dimensions, kLevels))
          << dimensions << " dimensions, seed " << seed;
    }
  }
}

TEST(SelectByHypervolumeContribution, PicksTheLargestGainFirst) {
  // Alone, (2, 2) covers 4 and the others 3 and 1; next to (2, 2), (1, 3)
  // and (3, 1) add 1 each and (3, 3) nothing.
  const Points points = {{1, 3}, {2, 2}, {3, 1}, {3, 3}};
  const std::vector<double> reference = {4, 4};
  EXPECT_THAT(SelectByHypervolumeContribution(points, reference, 2),
              ElementsAre(1, 0));
  EXPECT_THAT(SelectByHypervolumeContribution(points, reference, 10),
              ElementsAre(1, 0, 2, 3));
  EXPECT_TRUE(SelectByHypervolumeContribution(points, reference, 0).empty());
}

TEST(SelectByHypervolumeContribution, MatchesPlainGreedy) {
  std::mt19937 bits(3);
  std::uniform_real_distribution<double> uniform(0, 1);
  for (size_t dimensions = 2; dimensions <= 4; ++dimensions) {
    // Points near the simplex, so that most are non-dominated.
    Points points(40, std::vector<double>(dimensions));
    for (auto& point : points) {
      double sum = 0;
      for (double& value : point) sum += value = uniform(bits);
      for (double& value : point) value /= sum;
    }
    const std::vector<double> reference(dimensions, 1.1);
    std::vector<size_t> expected;
    Points chosen;
    std::vector<bool> picked(points.size(), false);
    for (int step = 0; step < 10; ++step) {
      const double base = Hypervolume(chosen, reference);
      size_t best = 0;
      double best_gain = -1;
      for (size_t i = 0; i < points.size(); ++i) {
        if (picked[i]) continue;
        Points with = chosen;
        with.push_back(points[i]);
        const double gain = Hypervolume(with, reference) - base;
        if (gain > best_gain) {
          best_gain = gain;
          best = i;
        }
      }
      picked[best] = true;
      expected.push_back(best);
      chosen.push_back(points[best]);
    }
    EXPECT_EQ(SelectByHypervolumeContribution(points, reference, 10), expected)
        << dimensions << " dimensions";
  }
}

}  // namespace
}  // namespace knob

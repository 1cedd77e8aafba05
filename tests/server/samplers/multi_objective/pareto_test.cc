#include "server/samplers/multi_objective/pareto.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace knob {
namespace {

using ::testing::DoubleEq;
using ::testing::ElementsAre;
using Fronts = std::vector<std::vector<size_t>>;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Small integer losses, so that ties and duplicates are common.
std::vector<std::vector<double>> RandomLosses(size_t n, size_t objectives,
                                              int levels, uint32_t seed) {
  std::mt19937 bits(seed);
  std::vector<std::vector<double>> losses(n, std::vector<double>(objectives));
  for (auto& loss : losses) {
    for (double& value : loss) value = static_cast<double>(bits() % levels);
  }
  return losses;
}

// Fronts straight from the definition: a vector's front is one past the
// deepest front among its dominators.
Fronts FrontsByDefinition(const std::vector<std::vector<double>>& losses) {
  std::vector<int> rank(losses.size(), -1);
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = 0; i < losses.size(); ++i) {
      int deepest = -1;
      for (size_t j = 0; j < losses.size(); ++j) {
        if (Dominates(losses[j], losses[i]))
          deepest = std::max(deepest, rank[j]);
      }
      if (rank[i] != deepest + 1) {
        rank[i] = deepest + 1;
        changed = true;
      }
    }
  }
  Fronts fronts(*std::max_element(rank.begin(), rank.end()) + 1);
  for (size_t i = 0; i < losses.size(); ++i) fronts[rank[i]].push_back(i);
  return fronts;
}

TEST(Dominates, NeedsNoWorseEverywhereAndBetterSomewhere) {
  EXPECT_TRUE(Dominates(std::vector<double>{1, 2}, std::vector<double>{1, 3}));
  EXPECT_TRUE(Dominates(std::vector<double>{0, 0}, std::vector<double>{1, 3}));
  EXPECT_FALSE(Dominates(std::vector<double>{1, 3}, std::vector<double>{1, 3}));
  EXPECT_FALSE(Dominates(std::vector<double>{0, 4}, std::vector<double>{1, 3}));
  EXPECT_FALSE(Dominates(std::vector<double>{1, 3}, std::vector<double>{1, 2}));
}

TEST(NondominatedFronts, SortsTwoObjectivesIntoFronts) {
  const std::vector<std::vector<double>> losses = {
      {1, 5}, {2, 2}, {5, 1}, {3, 3}, {4, 4}, {2, 2}, {6, 6}, {1, 7}};
  EXPECT_THAT(NondominatedFronts(losses),
              ElementsAre(ElementsAre(0, 1, 2, 5), ElementsAre(3, 7),
                          ElementsAre(4), ElementsAre(6)));
}

TEST(NondominatedFronts, SortsThreeObjectivesIntoFronts) {
  const std::vector<std::vector<double>> losses = {
      {1, 1, 1}, {0, 2, 2}, {2, 2, 2}, {2, 0, 3}, {3, 3, 3}, {1, 1, 1}};
  EXPECT_THAT(
      NondominatedFronts(losses),
      ElementsAre(ElementsAre(0, 1, 3, 5), ElementsAre(2), ElementsAre(4)));
}

TEST(NondominatedFronts, GroupsEqualLossesOfOneObjective) {
  const std::vector<std::vector<double>> losses = {{3}, {1}, {2}, {1}};
  EXPECT_THAT(NondominatedFronts(losses),
              ElementsAre(ElementsAre(1, 3), ElementsAre(2), ElementsAre(0)));
}

TEST(NondominatedFronts, EmptyInputHasNoFronts) {
  EXPECT_TRUE(NondominatedFronts({}).empty());
}

TEST(NondominatedFronts, AgreesWithTheDefinition) {
  for (size_t objectives = 1; objectives <= 4; ++objectives) {
    for (uint32_t seed = 1; seed <= 5; ++seed) {
      const auto losses = RandomLosses(80, objectives, 6, seed);
      EXPECT_EQ(NondominatedFronts(losses), FrontsByDefinition(losses))
          << objectives << " objectives, seed " << seed;
    }
  }
}

TEST(NondominatedFronts, StopsOnceEnoughVectorsAreSorted) {
  for (size_t objectives = 1; objectives <= 3; ++objectives) {
    const auto losses = RandomLosses(100, objectives, 8, 7);
    const Fronts all = NondominatedFronts(losses);
    ASSERT_GE(all.size(), 3u);
    const size_t first_two = all[0].size() + all[1].size();
    // Reaching into the second front returns it whole.
    const Fronts some = NondominatedFronts(losses, all[0].size() + 1);
    EXPECT_EQ(some, Fronts(all.begin(), all.begin() + 2));
    EXPECT_EQ(NondominatedFronts(losses, first_two), some);
    EXPECT_EQ(NondominatedFronts(losses, 1),
              Fronts(all.begin(), all.begin() + 1));
  }
}

TEST(CrowdingDistances, SumsNeighbourGapsRelativeToTheRange) {
  const std::vector<std::vector<double>> losses = {
      {9, 9}, {0, 4}, {1, 2}, {3, 1}, {4, 0}};
  // Given in a scrambled order; answers follow it.
  const std::vector<size_t> front = {3, 1, 4, 2};
  // (1, 2): 3/4 along the first loss, 3/4 along the second.
  // (3, 1): 3/4 along the first loss, 2/4 along the second.
  EXPECT_THAT(CrowdingDistances(losses, front),
              ElementsAre(DoubleEq(1.25), kInf, kInf, DoubleEq(1.5)));
}

TEST(CrowdingDistances, ExtremesOfEveryObjectiveAreInfinite) {
  const std::vector<std::vector<double>> losses = {
      {0, 5, 1}, {1, 4, 5}, {2, 3, 0}, {3, 2, 4}, {4, 1, 3}};
  const std::vector<double> distances =
      CrowdingDistances(losses, std::vector<size_t>{0, 1, 2, 3, 4});
  EXPECT_EQ(distances[0], kInf);
  EXPECT_EQ(distances[1], kInf);  // Largest third loss.
  EXPECT_EQ(distances[2], kInf);  // Smallest third loss.
  EXPECT_EQ(distances[4], kInf);
  EXPECT_THAT(distances[3], DoubleEq(2.0 / 4 + 2.0 / 4 + 2.0 / 5));
}

TEST(CrowdingDistances, ConstantObjectivesAddNothing) {
  const std::vector<std::vector<double>> losses = {{1, 7}, {1, 7}, {2, 7}};
  EXPECT_THAT(CrowdingDistances(losses, std::vector<size_t>{0}),
              ElementsAre(0.0));
  EXPECT_THAT(CrowdingDistances(losses, std::vector<size_t>{0, 1}),
              ElementsAre(0.0, 0.0));
  EXPECT_THAT(CrowdingDistances(losses, std::vector<size_t>{0, 2}),
              ElementsAre(kInf, kInf));
}

}  // namespace
}  // namespace knob

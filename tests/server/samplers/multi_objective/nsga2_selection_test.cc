#include "server/samplers/multi_objective/nsga2_selection.h"

#include <limits>
#include <random>
#include <set>
#include <vector>

#include "absl/random/bit_gen_ref.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace knob {
namespace {

using ::testing::DoubleEq;
using ::testing::Field;
using ::testing::UnorderedElementsAre;

constexpr double kInf = std::numeric_limits<double>::infinity();

std::set<size_t> Indices(const std::vector<Survivor>& survivors) {
  std::set<size_t> indices;
  for (const Survivor& s : survivors) indices.insert(s.index);
  return indices;
}

TEST(SelectSurvivors, KeepsWholeFrontsWhileTheyFit) {
  // Front 0: 0, 2, 4; front 1: 1, 5; front 2: 3.
  const std::vector<std::vector<double>> losses = {{1, 4}, {2, 4}, {2, 2},
                                                   {5, 5}, {4, 1}, {4, 3}};
  const std::vector<double> feasible(losses.size(), 0);
  const std::vector<Survivor> survivors = SelectSurvivors(losses, feasible, 5);
  EXPECT_EQ(Indices(survivors), (std::set<size_t>{0, 1, 2, 4, 5}));
  for (const Survivor& s : survivors) {
    EXPECT_EQ(s.rank, s.index == 1 || s.index == 5 ? 1 : 0) << s.index;
  }
  EXPECT_EQ(Indices(SelectSurvivors(losses, feasible, 3)),
            (std::set<size_t>{0, 2, 4}));
  EXPECT_EQ(SelectSurvivors(losses, feasible, 10).size(), losses.size());
}

TEST(SelectSurvivors, CutsTheLastFrontByCrowding) {
  // One front, crowded near (0, 8): (0.5, 7.5) has the closest neighbours.
  const std::vector<std::vector<double>> losses = {{0, 8}, {0.5, 7.5}, {1, 7},
                                                   {4, 4}, {8, 0},     {9, 9}};
  const std::vector<double> feasible(losses.size(), 0);
  const std::vector<Survivor> survivors = SelectSurvivors(losses, feasible, 4);
  EXPECT_EQ(Indices(survivors), (std::set<size_t>{0, 2, 3, 4}));
  // Distances are those of the whole front, (0.5, 7.5) included.
  EXPECT_THAT(survivors, UnorderedElementsAre(
                             Field(&Survivor::crowding, kInf),
                             Field(&Survivor::crowding, kInf),
                             Field(&Survivor::crowding, DoubleEq(1.75)),
                             Field(&Survivor::crowding, DoubleEq(0.875))));
}

TEST(SelectSurvivors, FeasibleTrialsComeFirstThenTheLeastViolating) {
  const std::vector<std::vector<double>> losses = {
      {0, 0}, {5, 5}, {1, 1}, {9, 9}, {2, 2}};
  const std::vector<double> violations = {3, 0, 1, 0, kInf};
  const std::vector<Survivor> survivors =
      SelectSurvivors(losses, violations, 4);
  ASSERT_EQ(survivors.size(), 4u);
  EXPECT_EQ(survivors[0].index, 1u);
  EXPECT_EQ(survivors[0].rank, 0);
  EXPECT_EQ(survivors[1].index, 3u);
  EXPECT_EQ(survivors[1].rank, 1);
  EXPECT_EQ(survivors[2].index, 2u);
  EXPECT_EQ(survivors[2].rank, 2);
  EXPECT_EQ(survivors[3].index, 0u);
  EXPECT_EQ(survivors[3].rank, 3);
}

TEST(SelectSurvivors, SingleObjectiveKeepsTheBest) {
  const std::vector<std::vector<double>> losses = {{3}, {1}, {4}, {1}, {5}};
  const std::vector<double> feasible(losses.size(), 0);
  EXPECT_EQ(Indices(SelectSurvivors(losses, feasible, 3)),
            (std::set<size_t>{0, 1, 3}));
}

TEST(Tournament, BetterRankThenLargerCrowdingWins) {
  std::mt19937_64 bits(1);
  const std::vector<Survivor> ranks = {{0, 1, kInf}, {1, 0, 0.5}};
  const std::vector<Survivor> spread = {{0, 0, 0.5}, {1, 0, 2.0}};
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(Tournament(ranks, absl::BitGenRef(bits)), 1u);
    EXPECT_EQ(Tournament(spread, absl::BitGenRef(bits)), 1u);
  }
}

TEST(Tournament, EveryMemberButTheWorstCanWin) {
  std::mt19937_64 bits(2);
  const std::vector<Survivor> population = {
      {0, 0, kInf}, {1, 0, 1.0}, {2, 1, kInf}, {3, 2, 0.0}};
  std::set<size_t> winners;
  for (int i = 0; i < 200; ++i) {
    winners.insert(Tournament(population, absl::BitGenRef(bits)));
  }
  EXPECT_EQ(winners, (std::set<size_t>{0, 1, 2}));
  const std::vector<Survivor> alone = {{7, 3, 0.0}};
  EXPECT_EQ(Tournament(alone, absl::BitGenRef(bits)), 0u);
}

}  // namespace
}  // namespace knob

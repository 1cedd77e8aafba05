#include "server/samplers/tpe/history_split.h"

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace knob {
namespace {

using ::testing::DoubleEq;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Observations over trials it owns, numbered in the order they are added.
class Builder {
 public:
  Builder& Completed(std::vector<double> losses, double violation = 0) {
    observations_.completed.push_back(
        {&NewTrial(), {losses.begin(), losses.end()}, violation});
    return *this;
  }
  Builder& Pruned(std::optional<int64_t> step = std::nullopt,
                  std::optional<double> loss = std::nullopt) {
    observations_.pruned.push_back({&NewTrial(), step, loss});
    return *this;
  }
  Builder& Pending() {
    observations_.pending.push_back(&NewTrial());
    return *this;
  }
  Builder& Failed() {
    observations_.failed.push_back(&NewTrial());
    return *this;
  }
  const Observations& observations() const { return observations_; }

 private:
  Trial& NewTrial() {
    Trial& trial = trials_.emplace_back();
    trial.number = static_cast<int64_t>(trials_.size()) - 1;
    return trial;
  }

  std::deque<Trial> trials_;
  Observations observations_;
};

std::vector<int64_t> Numbers(const std::vector<const Trial*>& trials) {
  std::vector<int64_t> numbers;
  for (const Trial* trial : trials) numbers.push_back(trial->number);
  return numbers;
}

TEST(SplitTrials, GoodGroupIsTheLowestLossesByNumber) {
  Builder builder;
  for (double loss : {5.0, 1.0, 4.0, 0.5, 3.0, 9.0, 2.0, 8.0, 7.0, 6.0}) {
    builder.Completed({loss});
  }
  // ceil(0.25 * 10) = 3 good trials: losses 0.5, 1 and 2.
  const TrialSplit split = SplitTrials(builder.observations(), {.gamma = 0.25});
  EXPECT_THAT(Numbers(split.good), ElementsAre(1, 3, 6));
  EXPECT_THAT(Numbers(split.bad), ElementsAre(0, 2, 4, 5, 7, 8, 9));
}

TEST(SplitTrials, InfeasibleTrialsRankAfterFeasibleOnesByViolation) {
  Builder builder;
  builder
      .Completed({0.1}, 2.0)  // 0: the lowest loss, but infeasible
      .Completed({5})         // 1
      .Completed({0.2}, 0.5)  // 2: infeasible, the closest to feasible
      .Completed({7});        // 3
  // ceil(0.75 * 4) = 3 good: both feasible trials, then the closest.
  const TrialSplit split = SplitTrials(builder.observations(), {.gamma = 0.75});
  EXPECT_THAT(Numbers(split.good), ElementsAre(1, 2, 3));
  EXPECT_THAT(Numbers(split.bad), ElementsAre(0));
}

TEST(SplitTrials, SeveralObjectivesPreferFeasibleTrials) {
  Builder builder;
  builder
      .Completed({0, 0}, 1.0)  // 0: dominates all, but infeasible
      .Completed({5, 5})       // 1
      .Completed({6, 6})       // 2
      .Completed({1, 1}, 3.0)  // 3: infeasible, further off
      .Completed({9, 9});      // 4
  // ceil(0.4 * 5) = 2 good: the two best feasible trials.
  const TrialSplit two =
      SplitTrials(builder.observations(), {.objectives = 2, .gamma = 0.4});
  EXPECT_THAT(Numbers(two.good), ElementsAre(1, 2));
  // ceil(0.8 * 5) = 4 good: the three feasible ones, then the infeasible
  // trial with the smaller violation.
  const TrialSplit four =
      SplitTrials(builder.observations(), {.objectives = 2, .gamma = 0.8});
  EXPECT_THAT(Numbers(four.good), ElementsAre(0, 1, 2, 4));
  EXPECT_THAT(Numbers(four.bad), ElementsAre(3));
}

TEST(SplitTrials, GoodGroupIsCappedForOneObjective) {
  Builder builder;
  for (int i = 0; i < 100; ++i) builder.Completed({static_cast<double>(i)});
  const TrialSplit split =
      SplitTrials(builder.observations(), {.gamma = 0.5, .max_good_trials = 7});
  EXPECT_EQ(split.good.size(), 7u);
  EXPECT_EQ(split.bad.size(), 93u);
}

TEST(SplitTrials, PrunedTrialsRankAfterCompletedOnesByStepThenLoss) {
  Builder builder;
  builder
      .Completed({3})   // 0
      .Pruned(5, 10.0)  // 1
      .Pruned()         // 2: reported nothing
      .Pruned(9, 20.0)  // 3: got furthest
      .Pruned(5, 1.0)   // 4
      .Failed();        // 5
  // 5 finished trials; gamma 0.55 makes 3 good: the completed one, then the
  // pruned one that reached step 9, then the better of those at step 5.
  const TrialSplit split = SplitTrials(builder.observations(), {.gamma = 0.55});
  EXPECT_THAT(Numbers(split.good), ElementsAre(0, 3, 4));
  EXPECT_THAT(Numbers(split.bad), ElementsAre(1, 2));
}

TEST(SplitTrials, PendingTrialsAreBadOnlyWithTheConstantLiar) {
  Builder builder;
  builder.Completed({1}).Pending().Completed({2}).Pending();
  const TrialSplit with_liar = SplitTrials(
      builder.observations(), {.gamma = 0.5, .constant_liar = true});
  EXPECT_THAT(Numbers(with_liar.good), ElementsAre(0));
  EXPECT_THAT(Numbers(with_liar.bad), ElementsAre(1, 2, 3));
  const TrialSplit without = SplitTrials(
      builder.observations(), {.gamma = 0.5, .constant_liar = false});
  EXPECT_THAT(Numbers(without.good), ElementsAre(0));
  EXPECT_THAT(Numbers(without.bad), ElementsAre(2));
}

TEST(SplitTrials, NoFinishedTrialsMeansNoGoodOnes) {
  Builder builder;
  builder.Pending().Failed();
  const TrialSplit split = SplitTrials(builder.observations(), {});
  EXPECT_THAT(split.good, IsEmpty());
  EXPECT_THAT(Numbers(split.bad), ElementsAre(0));
}

TEST(SplitTrials, SeveralObjectivesTakeWholeFrontsFirst) {
  Builder builder;
  builder
      .Completed({1, 5})   // 0: front 0
      .Completed({2, 6})   // 1: front 1 (dominated by 0)
      .Completed({5, 1})   // 2: front 0
      .Completed({3, 3})   // 3: front 0
      .Completed({6, 6})   // 4: front 2
      .Completed({4, 4});  // 5: front 1 (dominated by 3)
  // ceil(0.5 * 6) = 3: exactly front 0, with no cap to cut it.
  const TrialSplit split =
      SplitTrials(builder.observations(),
                  {.objectives = 2, .gamma = 0.5, .max_good_trials = 1});
  EXPECT_THAT(Numbers(split.good), ElementsAre(0, 2, 3));
  EXPECT_THAT(Numbers(split.bad), ElementsAre(1, 4, 5));
}

TEST(SplitTrials, SeveralObjectivesThinTheLastFrontByHypervolume) {
  Builder builder;
  // One front of five; the point (1.6, 1.6) adds little area next to its
  // neighbours (1, 2) and (2, 1), the extremes more.
  builder.Completed({0, 4})
      .Completed({1, 2})
      .Completed({1.6, 1.6})
      .Completed({2, 1})
      .Completed({4, 0});
  const TrialSplit split =
      SplitTrials(builder.observations(), {.objectives = 2, .gamma = 0.75});
  EXPECT_THAT(Numbers(split.good), ElementsAre(0, 1, 3, 4));
  EXPECT_THAT(Numbers(split.bad), ElementsAre(2));
}

TEST(ObservationWeights, UniformWeighsAllAlike) {
  EXPECT_THAT(ObservationWeights(40, TpeWeights::kUniform), Each(DoubleEq(1)));
}

TEST(ObservationWeights, DecayOldKeepsTheNewestAndRampsTheOlder) {
  EXPECT_THAT(ObservationWeights(25, TpeWeights::kDecayOld), Each(DoubleEq(1)));
  const std::vector<double> weights =
      ObservationWeights(45, TpeWeights::kDecayOld);
  ASSERT_EQ(weights.size(), 45u);
  EXPECT_DOUBLE_EQ(weights[0], 1.0 / 45);
  EXPECT_DOUBLE_EQ(weights[19], 1);
  for (size_t i = 1; i < 20; ++i) EXPECT_GT(weights[i], weights[i - 1]);
  for (size_t i = 20; i < 45; ++i) EXPECT_DOUBLE_EQ(weights[i], 1);
}

}  // namespace
}  // namespace knob

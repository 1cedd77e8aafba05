#include "client/loadgen/cycle_budget.h"

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace knob::loadgen {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;

TEST(CycleBudget, GivesExactlyItsCyclesThenNone) {
  CycleBudget budget(3);
  EXPECT_TRUE(budget.Take());
  EXPECT_TRUE(budget.Take());
  EXPECT_TRUE(budget.Take());
  EXPECT_FALSE(budget.Take());
  EXPECT_FALSE(budget.Take());
}

TEST(CycleBudget, ZeroAndNegativeGiveNothing) {
  CycleBudget zero(0);
  EXPECT_FALSE(zero.Take());
  CycleBudget negative(-5);
  EXPECT_FALSE(negative.Take());
}

TEST(CycleBudget, ThreadsTakingAtOnceShareExactlyTheBudget) {
  CycleBudget budget(10'000);
  std::atomic<int64_t> taken = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      // Each thread alone could take the whole budget: they must contend.
      for (int j = 0; j < 10'000; ++j) {
        if (budget.Take()) taken.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(taken.load(), 10'000);
  EXPECT_FALSE(budget.Take());
}

TEST(SplitCycles, SplitsEvenlyWithTheRemainderFirst) {
  EXPECT_THAT(SplitCycles(10, 3), ElementsAre(4, 3, 3));
  EXPECT_THAT(SplitCycles(100'000, 1), ElementsAre(100'000));
  EXPECT_THAT(SplitCycles(2, 4), ElementsAre(1, 1, 0, 0));
  EXPECT_THAT(SplitCycles(12, 4), ElementsAre(3, 3, 3, 3));
}

TEST(SplitCycles, NoTotalMeansUnlimited) {
  EXPECT_THAT(SplitCycles(0, 3), Each(CycleBudget::kUnlimited));
  EXPECT_THAT(SplitCycles(0, 3).size(), 3);
}

}  // namespace
}  // namespace knob::loadgen

#include "server/pruners/hyperband_pruner.h"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/pruners/hyperband_brackets.h"
#include "tests/server/pruners/pruner_testing.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::Continues;
using ::knob::testing::LossStudy;
using ::knob::testing::MakePruner;
using ::knob::testing::PrunerHistory;
using ::knob::testing::PrunesWith;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// BracketOf(7, 0..11) for min_resource 1, max_resource 27, factor 3, as
// an independent SplitMix64 computation gives them.
constexpr std::array<int64_t, 12> kPinnedSeed7 = {2, 0, 1, 1, 1, 2,
                                                  0, 0, 0, 0, 1, 1};

std::vector<int64_t> Budgets(const HyperbandBrackets& brackets) {
  std::vector<int64_t> budgets;
  for (int64_t bracket = 0; bracket < brackets.count(); ++bracket) {
    budgets.push_back(brackets.budget(bracket));
  }
  return budgets;
}

TEST(HyperbandBrackets, BudgetsFavourBracketsThatStopEarly) {
  // n = floor(log3(27)) + 1 = 4; budget ceil(4 * 3^s / (s + 1)) for
  // s = 3, 2, 1, 0: 108/4 = 27, 36/3 = 12, 12/2 = 6, 4/1 = 4.
  const HyperbandBrackets brackets(1, 27, 3);
  EXPECT_THAT(Budgets(brackets), ElementsAre(27, 12, 6, 4));
  EXPECT_EQ(brackets.total_budget(), 49);
  // n = 5: 405/5 = 81, ceil(135/4) = 34, 45/3 = 15, ceil(15/2) = 8, 5.
  EXPECT_THAT(Budgets(HyperbandBrackets(1, 81, 3)),
              ElementsAre(81, 34, 15, 8, 5));
  // 20 / 2 = 10 -> 3^0, 3^1, 3^2 fit: n = 3: 27/3 = 9, ceil(9/2) = 5, 3.
  EXPECT_THAT(Budgets(HyperbandBrackets(2, 20, 3)), ElementsAre(9, 5, 3));
  // Less than one reduction between the resources: a single bracket.
  EXPECT_THAT(Budgets(HyperbandBrackets(5, 9, 3)), ElementsAre(1));
}

TEST(HyperbandBrackets, TrialsSpreadInProportionToBudgets) {
  const HyperbandBrackets brackets(1, 27, 3);
  std::array<int64_t, 4> counts{};
  constexpr int64_t kTrials = 49000;
  for (int64_t number = 0; number < kTrials; ++number) {
    ++counts[brackets.BracketOf(42, number)];
  }
  // Expected 27000, 12000, 6000, 4000; allow 5%.
  for (int64_t bracket = 0; bracket < 4; ++bracket) {
    const double expected = static_cast<double>(kTrials) *
                            static_cast<double>(brackets.budget(bracket)) /
                            static_cast<double>(brackets.total_budget());
    EXPECT_NEAR(static_cast<double>(counts[bracket]), expected, 0.05 * expected)
        << "bracket " << bracket;
  }
}

TEST(HyperbandBrackets, AssignmentIsAFixedFunctionOfSeedAndNumber) {
  const HyperbandBrackets brackets(1, 27, 3);
  // Pinned: replicas and later versions must put these trials in the same
  // brackets, or a running study's trials would change company.
  std::vector<int64_t> seed_7;
  for (int64_t number = 0; number < 12; ++number) {
    seed_7.push_back(brackets.BracketOf(7, number));
  }
  EXPECT_THAT(seed_7, ElementsAreArray(kPinnedSeed7));
  // Another study seed shuffles the trials differently.
  int64_t differing = 0;
  for (int64_t number = 0; number < 1000; ++number) {
    if (brackets.BracketOf(1, number) != brackets.BracketOf(2, number)) {
      ++differing;
    }
  }
  EXPECT_GT(differing, 300);
}

// Builds a study history in which each trial lands in the bracket asked
// for: numbers whose bracket is another get a WAITING trial, which has no
// values and counts nowhere.
class BracketedHistory {
 public:
  BracketedHistory() : history_(LossStudy()), brackets_(1, 27, 3) {}

  PrunerHistory& history() { return history_; }

  int64_t AddIn(int64_t bracket, TrialState state,
                const std::vector<StepValue>& points) {
    while (brackets_.BracketOf(history_.config().seed, next_number_) !=
           bracket) {
      history_.AddTrial(TrialState::kWaiting, {});
      ++next_number_;
    }
    ++next_number_;
    return history_.AddTrialWith(state, points);
  }

 private:
  PrunerHistory history_;
  const HyperbandBrackets brackets_;
  int64_t next_number_ = 0;
};

// min_resource 1, max_resource 27, reduction factor 3: four brackets whose
// rungs are at steps 1, 3, 9 (bracket 0); 3, 9 (bracket 1); 9 (bracket 2);
// none (bracket 3).
class HyperbandPrunerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(
        pruner_, MakePruner(LossStudy(), "hyperband",
                            {{"max_resource", 27}, {"n_startup_trials", 0}}));
  }

  BracketedHistory study_;
  std::unique_ptr<Pruner> pruner_;
};

TEST_F(HyperbandPrunerTest, ATrialCompetesOnlyWithinItsBracket) {
  study_.AddIn(0, TrialState::kCompleted, {{1, 0.5}});
  study_.AddIn(0, TrialState::kCompleted, {{1, 0.6}});
  for (int i = 0; i < 3; ++i) {
    study_.AddIn(1, TrialState::kCompleted, {{1, 0.1}, {3, 0.1}});
  }
  const int64_t trial = study_.AddIn(0, TrialState::kRunning, {});
  PrunerHistory& history = study_.history();
  // In bracket 0, nobody beats 0.45. Had bracket 1's three 0.1s competed,
  // 6 competitors would keep 2 and 0.45 would be pruned.
  EXPECT_THAT(history.Ask(*pruner_, trial, 1, 0.45), Continues());
  // 3 competitors keep 1; 0.5 beats 0.55.
  EXPECT_THAT(history.Ask(*pruner_, trial, 1, 0.55),
              PrunesWith("bracket 0 of 4: step 1: loss 0.55 is not among the "
                         "best 1 of 3 trials at the rung of step 1 (1 did "
                         "better)"));
}

TEST_F(HyperbandPrunerTest, LaterBracketsStartJudgingLater) {
  for (int i = 0; i < 3; ++i) {
    study_.AddIn(1, TrialState::kCompleted, {{1, 0.1}, {3, 0.1}});
  }
  const int64_t trial = study_.AddIn(1, TrialState::kRunning, {});
  PrunerHistory& history = study_.history();
  // Bracket 1 has no rung at step 1.
  EXPECT_THAT(history.Report(*pruner_, trial, 1, 100.0), Continues());
  EXPECT_THAT(history.Ask(*pruner_, trial, 3, 0.2),
              PrunesWith("bracket 1 of 4: step 3: loss 0.2 is not among the "
                         "best 1 of 4 trials at the rung of step 3 (3 did "
                         "better)"));
}

TEST_F(HyperbandPrunerTest, TheLastBracketRunsTrialsToTheEnd) {
  for (int i = 0; i < 3; ++i) {
    study_.AddIn(3, TrialState::kCompleted, {{1, 0.1}, {3, 0.1}, {9, 0.1}});
  }
  const int64_t trial = study_.AddIn(3, TrialState::kRunning, {});
  PrunerHistory& history = study_.history();
  for (int64_t step : {1, 3, 9, 26}) {
    EXPECT_THAT(history.Report(*pruner_, trial, step, 100.0), Continues())
        << "step " << step;
  }
}

TEST_F(HyperbandPrunerTest, NoRungAtMaxResource) {
  for (int i = 0; i < 3; ++i) {
    study_.AddIn(2, TrialState::kCompleted, {{9, 0.1}, {27, 0.1}});
  }
  const int64_t trial = study_.AddIn(2, TrialState::kRunning, {});
  PrunerHistory& history = study_.history();
  EXPECT_THAT(history.Report(*pruner_, trial, 9, 0.05), Continues());
  // Successive halving would have a rung at 27 = 9 * 3.
  EXPECT_THAT(history.Report(*pruner_, trial, 27, 100.0), Continues());
}

TEST(HyperbandPruner, TheBracketDependsOnTheStudySeed) {
  // The same trial numbers in bracket 0 for seed 7 spread over brackets
  // for another seed, so a pruner built for another seed judges them
  // differently: here, with no rung at step 1 for a trial outside
  // bracket 0.
  BracketedHistory study;
  study.AddIn(0, TrialState::kCompleted, {{1, 0.1}});
  const int64_t trial = study.AddIn(0, TrialState::kRunning, {});
  StudyConfig reseeded = LossStudy();
  const HyperbandBrackets brackets(1, 27, 3);
  while (brackets.BracketOf(reseeded.seed, trial) == 0) ++reseeded.seed;
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Pruner> seed_7,
      MakePruner(LossStudy(), "hyperband",
                 {{"max_resource", 27}, {"n_startup_trials", 0}}));
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Pruner> other_seed,
      MakePruner(reseeded, "hyperband",
                 {{"max_resource", 27}, {"n_startup_trials", 0}}));
  EXPECT_THAT(study.history().Ask(*seed_7, trial, 1, 100.0),
              PrunesWith(HasSubstr("bracket 0 of 4")));
  EXPECT_THAT(study.history().Ask(*other_seed, trial, 1, 100.0), Continues());
}

}  // namespace
}  // namespace knob

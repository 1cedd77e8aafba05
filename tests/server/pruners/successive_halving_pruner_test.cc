#include "server/pruners/successive_halving_pruner.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/pruners/asha_rungs.h"
#include "tests/server/pruners/pruner_testing.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::AccuracyStudy;
using ::knob::testing::Continues;
using ::knob::testing::LossStudy;
using ::knob::testing::MakePruner;
using ::knob::testing::PrunerHistory;
using ::knob::testing::PrunesWith;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

// With min_resource 1 and reduction factor 3, rungs sit at steps 1, 3, 9,
// 27, ... Five finished trials; their values at the rungs:
//   rung of step 1: 0.5 0.6 0.7 0.8 0.9
//   rung of step 3: 0.3 0.4           (the other three stopped at step 1)
//   rung of step 9: 0.2
class SuccessiveHalvingTest : public ::testing::Test {
 protected:
  SuccessiveHalvingTest() : history_(LossStudy()) {
    history_.AddTrialWith(TrialState::kCompleted,
                          {{0, 0.9}, {1, 0.5}, {3, 0.3}, {9, 0.2}});
    history_.AddTrialWith(TrialState::kCompleted,
                          {{0, 0.9}, {1, 0.6}, {3, 0.4}});
    history_.AddTrialWith(TrialState::kPruned, {{0, 0.9}, {1, 0.7}});
    history_.AddTrialWith(TrialState::kPruned, {{0, 0.9}, {1, 0.8}});
    history_.AddTrialWith(TrialState::kPruned, {{0, 0.9}, {1, 0.9}});
  }

  std::unique_ptr<Pruner> Halving(
      std::map<std::string, ParamValue> options = {}) {
    absl::StatusOr<std::unique_ptr<Pruner>> pruner =
        MakePruner(history_.config(), "successive_halving", options);
    EXPECT_OK(pruner.status());
    return pruner.ok() ? *std::move(pruner) : nullptr;
  }

  PrunerHistory history_;
};

TEST_F(SuccessiveHalvingTest, KeepsTheTopThirdAtARung) {
  std::unique_ptr<Pruner> pruner = Halving();
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {});
  // Step 0 is below the first rung: never judged.
  EXPECT_THAT(history_.Report(*pruner, trial, 0, 100.0), Continues());
  // At the rung of step 1: 6 competitors keep floor(6 / 3) = 2; 0.5 and
  // 0.6 are better than 0.65.
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.65),
              PrunesWith("step 1: loss 0.65 is not among the best 2 of 6 "
                         "trials at the rung of step 1 (2 did better)"));
  // Only 0.5 is better than 0.55; a tie with 0.6 goes to the trial.
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.55), Continues());
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.6), Continues());
}

TEST_F(SuccessiveHalvingTest, JudgesEachRungOnceWhenFirstReached) {
  std::unique_ptr<Pruner> pruner = Halving();
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.9});
  EXPECT_THAT(history_.Report(*pruner, trial, 1, 0.55), Continues());
  // Step 2 reaches no new rung, however bad.
  EXPECT_THAT(history_.Report(*pruner, trial, 2, 100.0), Continues());
  // Rung of step 3: 0.3, 0.4 and the trial; floor(3 / 3) = 1 is kept.
  EXPECT_THAT(history_.Ask(*pruner, trial, 3, 0.35),
              PrunesWith("step 3: loss 0.35 is not among the best 1 of 3 "
                         "trials at the rung of step 3 (1 did better)"));
  EXPECT_THAT(history_.Report(*pruner, trial, 3, 0.25), Continues());
  // Steps 4..8 reach no new rung.
  EXPECT_THAT(history_.Report(*pruner, trial, 4, 100.0), Continues());
  // Rung of step 9: 0.2 and the trial: kept max(1, floor(2 / 3)) = 1.
  EXPECT_THAT(history_.Ask(*pruner, trial, 9, 0.21),
              PrunesWith(HasSubstr("not among the best 1 of 2 trials at the "
                                   "rung of step 9")));
  EXPECT_THAT(history_.Ask(*pruner, trial, 9, 0.19), Continues());
}

TEST_F(SuccessiveHalvingTest, AReportPastSeveralRungsIsJudgedAtEach) {
  std::unique_ptr<Pruner> pruner = Halving();
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {});
  // A first report at step 4 meets the rungs of steps 1 and 3 with 0.45:
  // at step 1 nobody of 6 is better (passes), at step 3 0.3 and 0.4 are
  // better than it and only 1 of 3 is kept.
  EXPECT_THAT(history_.Ask(*pruner, trial, 4, 0.45),
              PrunesWith("step 4: loss 0.45 is not among the best 1 of 3 "
                         "trials at the rung of step 3 (2 did better)"));
}

TEST_F(SuccessiveHalvingTest, APeerMeetsARungAtItsFirstLaterStep) {
  std::unique_ptr<Pruner> pruner = Halving();
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.9});
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.55), Continues());
  // A peer that reported step 5 but not step 1 competes at the rung of
  // step 1 with its step-5 value: now 7 competitors keep 2, and 0.5 and
  // 0.1 are better than 0.55.
  history_.AddTrialWith(TrialState::kCompleted, {{0, 0.9}, {5, 0.1}});
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.55),
              PrunesWith(HasSubstr("not among the best 2 of 7 trials at the "
                                   "rung of step 1 (2 did better)")));
}

TEST_F(SuccessiveHalvingTest, FailedAndStaleTrialsDoNotCompete) {
  std::unique_ptr<Pruner> pruner = Halving();
  history_.AddTrialWith(TrialState::kFailed, {{1, 0.1}});
  history_.AddTrialWith(TrialState::kStale, {{1, 0.1}});
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.9});
  // As without them: 6 competitors, only 0.5 better.
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.55), Continues());
  // Running trials do compete: now 0.5 and 0.1 are better (7 keep 2).
  history_.AddTrialWith(TrialState::kRunning, {{1, 0.1}});
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.55),
              PrunesWith(HasSubstr("best 2 of 7 trials")));
}

TEST_F(SuccessiveHalvingTest, AReReportAtARungIsJudgedAgain) {
  std::unique_ptr<Pruner> pruner = Halving();
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.9});
  EXPECT_THAT(history_.Report(*pruner, trial, 1, 0.65),
              PrunesWith(HasSubstr("loss 0.65")));
  EXPECT_THAT(history_.Report(*pruner, trial, 1, 0.55), Continues());
}

TEST_F(SuccessiveHalvingTest, ReductionFactorSetsTheShareKept) {
  // Factor 2: 6 competitors keep 3 at the rung of step 1 (rungs 1, 2, 4).
  std::unique_ptr<Pruner> pruner = Halving({{"reduction_factor", 2}});
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.9});
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.65), Continues());
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.75),
              PrunesWith(HasSubstr("best 3 of 6 trials")));
}

TEST_F(SuccessiveHalvingTest, EarlyStoppingRateAndMinResourceMoveTheRungs) {
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.9});
  // Rate 1: rungs at steps 3, 9, ...; min_resource 3: the same.
  std::vector<std::unique_ptr<Pruner>> pruners;
  pruners.push_back(Halving({{"min_early_stopping_rate", 1}}));
  pruners.push_back(Halving({{"min_resource", 3}}));
  for (const std::unique_ptr<Pruner>& pruner : pruners) {
    EXPECT_THAT(history_.Ask(*pruner, trial, 1, 100.0), Continues());
    EXPECT_THAT(history_.Ask(*pruner, trial, 3, 0.35),
                PrunesWith(HasSubstr("at the rung of step 3")));
  }
}

TEST_F(SuccessiveHalvingTest, NeedsNMinTrialsAtTheRung) {
  std::unique_ptr<Pruner> pruner = Halving({{"n_min_trials", 3}});
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.9});
  // Five peers at the rung of step 1: judged.
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.65),
              PrunesWith(HasSubstr("rung of step 1")));
  // Two peers at the rung of step 3: passed unjudged.
  EXPECT_THAT(history_.Report(*pruner, trial, 1, 0.55), Continues());
  EXPECT_THAT(history_.Ask(*pruner, trial, 3, 100.0), Continues());
}

TEST_F(SuccessiveHalvingTest, WaitsForStartupTrials) {
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.9});
  // Five trials finished (two completed, three pruned).
  EXPECT_THAT(history_.Ask(*Halving({{"n_startup_trials", 6}}), trial, 1, 0.65),
              Continues());
  EXPECT_THAT(history_.Ask(*Halving({{"n_startup_trials", 5}}), trial, 1, 0.65),
              PrunesWith(HasSubstr("loss 0.65")));
}

TEST_F(SuccessiveHalvingTest, TheFirstTrialAtARungPasses) {
  PrunerHistory history(LossStudy());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Pruner> pruner,
                       MakePruner(history.config(), "successive_halving",
                                  {{"n_min_trials", 1}}));
  // No startup trials by default: the rungs judge from the first trial on.
  const int64_t first = history.AddTrial(TrialState::kRunning, {});
  EXPECT_THAT(history.Report(*pruner, first, 1, 100.0), Continues());
  // The second competes with it: 2 competitors keep max(1, 0) = 1.
  const int64_t second = history.AddTrial(TrialState::kRunning, {});
  EXPECT_THAT(history.Ask(*pruner, second, 1, 101.0),
              PrunesWith(HasSubstr("best 1 of 2 trials")));
  EXPECT_THAT(history.Ask(*pruner, second, 1, 99.0), Continues());
}

TEST(SuccessiveHalvingDirections, MaximizedObjective) {
  PrunerHistory history(AccuracyStudy());
  for (double acc : {0.5, 0.4, 0.3, 0.2, 0.1}) {
    history.AddTrialWith(TrialState::kCompleted, {{1, acc}}, "acc");
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Pruner> pruner,
                       MakePruner(history.config(), "successive_halving"));
  const int64_t trial = history.AddTrial(TrialState::kRunning, {}, "acc");
  // 6 competitors keep 2; 0.5 and 0.4 are better than 0.35.
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 0.35, "acc"),
              PrunesWith("step 1: acc 0.35 is not among the best 2 of 6 "
                         "trials at the rung of step 1 (2 did better)"));
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 0.45, "acc"), Continues());
}

TEST(RungLadder, StepsGrowByTheReductionFactor) {
  RungLadder ladder{.min_resource = 2,
                    .reduction_factor = 3,
                    .min_early_stopping_rate = 1,
                    .max_resource = 54};
  EXPECT_THAT(ladder.RungStep(0), Optional(6));
  EXPECT_THAT(ladder.RungStep(1), Optional(18));
  // 54 is max_resource: no rung there.
  EXPECT_EQ(ladder.RungStep(2), std::nullopt);
  ladder.max_resource.reset();
  EXPECT_THAT(ladder.RungStep(2), Optional(54));
  // Beyond int64: no rung.
  EXPECT_EQ(ladder.RungStep(40), std::nullopt);
}

TEST(RungLadder, RungsReachedByAReport) {
  const RungLadder ladder;  // 1, 3, 9, 27, ...
  JudgedReport report{.step = 10, .value = 0, .curve = {{0, 0}, {10, 0}}};
  EXPECT_THAT(RungsReachedBy(report, ladder), ElementsAre(1, 3, 9));
  report.curve = {{0, 0}, {2, 0}, {10, 0}};
  EXPECT_THAT(RungsReachedBy(report, ladder), ElementsAre(3, 9));
}

}  // namespace
}  // namespace knob

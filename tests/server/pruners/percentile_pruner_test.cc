#include "server/pruners/percentile_pruner.h"

#include <cmath>
#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
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
using ::testing::DoubleEq;
using ::testing::HasSubstr;

// Five completed trials whose losses at steps 0..3 are, sorted per step:
//   step 0: 0.8 0.9 1.0 1.1 1.2  -> median 1.0
//   step 1: 0.6 0.7 0.8 0.9 1.0  -> median 0.8, top-25% cut-off 0.7
//   step 2: 0.4 0.5 0.6 0.7 0.9  -> median 0.6
//   step 3: 0.3 0.4 0.5 0.6 0.8  -> median 0.5
void AddFiveFinishedTrials(PrunerHistory& history) {
  history.AddTrial(TrialState::kCompleted, {1.0, 0.8, 0.6, 0.5});
  history.AddTrial(TrialState::kCompleted, {0.9, 0.7, 0.5, 0.4});
  history.AddTrial(TrialState::kCompleted, {1.2, 1.0, 0.9, 0.8});
  history.AddTrial(TrialState::kCompleted, {0.8, 0.6, 0.4, 0.3});
  history.AddTrial(TrialState::kCompleted, {1.1, 0.9, 0.7, 0.6});
}

class MedianPrunerTest : public ::testing::Test {
 protected:
  MedianPrunerTest() : history_(LossStudy()) {
    AddFiveFinishedTrials(history_);
  }

  std::unique_ptr<Pruner> Median(std::map<std::string, ParamValue> options) {
    absl::StatusOr<std::unique_ptr<Pruner>> pruner =
        MakePruner(history_.config(), "median", options);
    EXPECT_OK(pruner.status());
    return pruner.ok() ? *std::move(pruner) : nullptr;
  }

  PrunerHistory history_;
};

TEST_F(MedianPrunerTest, PrunesATrialWorseThanTheMedianOfTheOthers) {
  std::unique_ptr<Pruner> pruner = Median({});
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {});
  // 0.95 is better than the median 1.0 at step 0.
  EXPECT_THAT(history_.Report(*pruner, trial, 0, 0.95), Continues());
  // 0.85 is worse than the median 0.8 at step 1.
  EXPECT_THAT(history_.Report(*pruner, trial, 1, 0.85),
              PrunesWith("step 1: best loss 0.85 is worse than the median 0.8 "
                         "of 5 trials"));
}

TEST_F(MedianPrunerTest, ATrialEqualToTheMedianContinues) {
  std::unique_ptr<Pruner> pruner = Median({});
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.95});
  EXPECT_THAT(history_.Report(*pruner, trial, 1, 0.8), Continues());
}

TEST_F(MedianPrunerTest, JudgesTheBestValueSoFar) {
  std::unique_ptr<Pruner> pruner = Median({});
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {});
  EXPECT_THAT(history_.Report(*pruner, trial, 0, 0.7), Continues());
  // 0.85 alone is worse than the median 0.8, but the best so far is 0.7.
  EXPECT_THAT(history_.Report(*pruner, trial, 1, 0.85), Continues());
  // The best so far, 0.7, is worse than the median 0.6 at step 2.
  EXPECT_THAT(history_.Report(*pruner, trial, 2, 0.75),
              PrunesWith("step 2: best loss 0.7 is worse than the median 0.6 "
                         "of 5 trials"));
}

TEST_F(MedianPrunerTest, InterpolatesBetweenTheMiddleTwoOfAnEvenCount) {
  PrunerHistory history(LossStudy());
  // Step 1 values: 0.6 0.7 0.8 1.0 -> median (0.7 + 0.8) / 2 = 0.75.
  history.AddTrial(TrialState::kCompleted, {1.0, 0.8});
  history.AddTrial(TrialState::kCompleted, {0.9, 0.7});
  history.AddTrial(TrialState::kCompleted, {1.2, 1.0});
  history.AddTrial(TrialState::kCompleted, {0.8, 0.6});
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Pruner> pruner,
      MakePruner(history.config(), "median", {{"n_startup_trials", 4}}));
  const int64_t trial = history.AddTrial(TrialState::kRunning, {0.95});
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 0.76),
              PrunesWith("step 1: best loss 0.76 is worse than the median "
                         "0.75 of 4 trials"));
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 0.75), Continues());
}

TEST_F(MedianPrunerTest, ComparesWithRunningTrialsButNotPrunedFailedOrStale) {
  std::unique_ptr<Pruner> pruner = Median({});
  history_.AddTrial(TrialState::kRunning, {0.9, 0.1});
  history_.AddTrial(TrialState::kPruned, {0.9, 2.0});
  history_.AddTrial(TrialState::kPruned, {0.9, 3.0});
  history_.AddTrial(TrialState::kFailed, {0.9, 0.05});
  history_.AddTrial(TrialState::kStale, {0.9, 0.05});
  history_.AddTrial(TrialState::kWaiting, {});
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.95});
  // Step 1 peers: the five completed 0.6 0.7 0.8 0.9 1.0 and the running
  // 0.1 -> median (0.7 + 0.8) / 2 = 0.75 of 6. Counting the running trial
  // prunes 0.78 (the completed ones alone have median 0.8); counting the
  // pruned ones would raise the median to 0.85 and let 0.78 go on, and the
  // failed and stale ones would say "of 8 trials".
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.78),
              PrunesWith("step 1: best loss 0.78 is worse than the median "
                         "0.75 of 6 trials"));
}

TEST_F(MedianPrunerTest, SeesAnotherTrialReplaceAValue) {
  std::unique_ptr<Pruner> pruner = Median({});
  const int64_t other = history_.AddTrial(TrialState::kRunning, {0.9, 0.1});
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.95});
  // Step 1: 0.1 0.6 0.7 0.8 0.9 1.0 -> median 0.75.
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.78),
              PrunesWith(HasSubstr("median 0.75 of 6 trials")));
  // The other trial re-reports step 1: 0.6 0.7 0.8 0.9 1.0 5.0 -> 0.85.
  ASSERT_OK(history_.Report(*pruner, other, 1, 5.0).status());
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.78), Continues());
}

TEST_F(MedianPrunerTest, WaitsForStartupTrialsToFinish) {
  PrunerHistory history(LossStudy());
  AddFiveFinishedTrials(history);
  history.SetState(4, TrialState::kRunning);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Pruner> pruner,
                       MakePruner(history.config(), "median"));
  const int64_t trial = history.AddTrial(TrialState::kRunning, {0.95});
  // Four finished trials; the default n_startup_trials is 5.
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 5.0), Continues());
  // A pruned trial counts as finished, though its values are not compared:
  // step 1 of the four others, 0.6 0.7 0.8 1.0, has median 0.75.
  history.SetState(4, TrialState::kPruned);
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 5.0),
              PrunesWith(HasSubstr("median 0.75 of 4 trials")));
}

TEST_F(MedianPrunerTest, StartupCountsOnlyFinishedTrials) {
  std::unique_ptr<Pruner> pruner = Median({{"n_startup_trials", 6}});
  history_.AddTrial(TrialState::kRunning, {0.9, 0.9});
  history_.AddTrial(TrialState::kFailed, {0.9, 0.9});
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.95});
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 5.0), Continues());
}

TEST_F(MedianPrunerTest, NeedsNMinTrialsAtTheStep) {
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.95});
  // Five other trials reported step 1.
  EXPECT_THAT(history_.Ask(*Median({{"n_min_trials", 6}}), trial, 1, 5.0),
              Continues());
  EXPECT_THAT(history_.Ask(*Median({{"n_min_trials", 5}}), trial, 1, 5.0),
              PrunesWith(HasSubstr("of 5 trials")));
  // Nobody reported step 7: nothing to compare with.
  EXPECT_THAT(history_.Ask(*Median({}), trial, 7, 5.0), Continues());
}

TEST_F(MedianPrunerTest, NothingIsPrunedDuringWarmUp) {
  std::unique_ptr<Pruner> pruner = Median({{"n_warmup_steps", 2}});
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {});
  EXPECT_THAT(history_.Report(*pruner, trial, 0, 5.0), Continues());
  EXPECT_THAT(history_.Report(*pruner, trial, 1, 5.0), Continues());
  EXPECT_THAT(history_.Report(*pruner, trial, 2, 5.0),
              PrunesWith(HasSubstr("step 2:")));
}

TEST_F(MedianPrunerTest, JudgesEveryIntervalPastWarmUp) {
  std::unique_ptr<Pruner> pruner =
      Median({{"n_warmup_steps", 1}, {"interval_steps", 2}});
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {});
  // Judged steps: 1, 3, 5, ...
  EXPECT_THAT(history_.Report(*pruner, trial, 0, 5.0), Continues());
  EXPECT_THAT(history_.Report(*pruner, trial, 1, 5.0),
              PrunesWith(HasSubstr("step 1:")));
  EXPECT_THAT(history_.Report(*pruner, trial, 2, 5.0), Continues());
  EXPECT_THAT(history_.Report(*pruner, trial, 3, 5.0),
              PrunesWith(HasSubstr("step 3:")));
}

TEST_F(MedianPrunerTest, JudgesTheFirstReportInEachIntervalWindow) {
  std::unique_ptr<Pruner> pruner = Median({{"interval_steps", 2}});
  // Windows [0, 2), [2, 4). A trial reporting steps 1 and 3 only is judged
  // at both: each is its first report in its window.
  const int64_t sparse = history_.AddTrial(TrialState::kRunning, {});
  EXPECT_THAT(history_.Report(*pruner, sparse, 1, 5.0),
              PrunesWith(HasSubstr("step 1:")));
  EXPECT_THAT(history_.Report(*pruner, sparse, 3, 5.0),
              PrunesWith(HasSubstr("step 3:")));
  // A trial that reported step 0 is not judged again at step 1.
  const int64_t dense = history_.AddTrial(TrialState::kRunning, {5.0});
  EXPECT_THAT(history_.Report(*pruner, dense, 1, 5.0), Continues());
}

TEST_F(MedianPrunerTest, JudgesOnlyReportsOfItsMetric) {
  std::unique_ptr<Pruner> pruner = Median({});
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.95});
  // "acc" reports are not judged (as a loss, 5.0 would be pruned) ...
  EXPECT_THAT(history_.Report(*pruner, trial, 1, 5.0, "acc"), Continues());
  EXPECT_THAT(history_.Report(*pruner, trial, 1, 0.1, "acc"), Continues());
  // ... and do not enter the loss curve (0.1 would be its best).
  EXPECT_THAT(history_.Report(*pruner, trial, 1, 0.85),
              PrunesWith("step 1: best loss 0.85 is worse than the median 0.8 "
                         "of 5 trials"));
}

TEST_F(MedianPrunerTest, ARereportReplacesTheEarlierValue) {
  std::unique_ptr<Pruner> pruner = Median({});
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.95});
  EXPECT_THAT(history_.Report(*pruner, trial, 1, 0.85),
              PrunesWith(HasSubstr("best loss 0.85")));
  // Step 1 again, now better than the median: the 0.85 is gone.
  EXPECT_THAT(history_.Report(*pruner, trial, 1, 0.75), Continues());
}

TEST(MedianPrunerDirections, MaximizedObjective) {
  PrunerHistory history(AccuracyStudy());
  // Step 1 accuracies, best first: 0.4 0.3 0.2 0.1 0.0 -> median 0.2.
  history.AddTrial(TrialState::kCompleted, {0.0, 0.2}, "acc");
  history.AddTrial(TrialState::kCompleted, {0.0, 0.3}, "acc");
  history.AddTrial(TrialState::kCompleted, {0.0, 0.0}, "acc");
  history.AddTrial(TrialState::kCompleted, {0.0, 0.4}, "acc");
  history.AddTrial(TrialState::kCompleted, {0.0, 0.1}, "acc");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Pruner> pruner,
                       MakePruner(history.config(), "median"));
  const int64_t trial = history.AddTrial(TrialState::kRunning, {0.1}, "acc");
  // Best so far max(0.1, 0.15) = 0.15 < 0.2.
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 0.15, "acc"),
              PrunesWith("step 1: best acc 0.15 is worse than the median 0.2 "
                         "of 5 trials"));
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 0.25, "acc"), Continues());
}

TEST(MedianPrunerDirections, ExtraMetricWithItsDirection) {
  PrunerHistory history(LossStudy());
  // Accuracies at step 1, best first: 0.9 0.8 0.7 0.6 0.5 -> median 0.7.
  for (double acc : {0.5, 0.6, 0.7, 0.8, 0.9}) {
    history.AddTrial(TrialState::kCompleted, {0.0, acc}, "acc");
  }
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Pruner> pruner,
      MakePruner(history.config(), "median",
                 {{"metric", "acc"}, {"direction", "maximize"}}));
  const int64_t trial = history.AddTrial(TrialState::kRunning, {0.1}, "acc");
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 0.65, "acc"),
              PrunesWith("step 1: best acc 0.65 is worse than the median 0.7 "
                         "of 5 trials"));
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 0.75, "acc"), Continues());
  // Reports of the objective are not what it watches.
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 99.0), Continues());
}

TEST(MedianPrunerDirections, SecondObjectiveOfAMultiObjectiveStudy) {
  StudyConfig config;
  config.objectives = {{.metric = "loss", .direction = Direction::kMinimize},
                       {.metric = "acc", .direction = Direction::kMaximize}};
  PrunerHistory history(config);
  for (double acc : {0.5, 0.6, 0.7, 0.8, 0.9}) {
    history.AddTrial(TrialState::kCompleted, {0.0, acc}, "acc");
  }
  const int64_t trial = history.AddTrial(TrialState::kRunning, {0.0}, "acc");
  // The direction comes from the objective: maximize.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Pruner> on_acc,
                       MakePruner(config, "median", {{"metric", "acc"}}));
  EXPECT_THAT(history.Ask(*on_acc, trial, 1, 0.65, "acc"),
              PrunesWith(HasSubstr("median 0.7 of 5 trials")));
  EXPECT_THAT(history.Ask(*on_acc, trial, 1, 0.95, "acc"), Continues());
  // By default the first objective, "loss", is judged; nobody reported it.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Pruner> on_loss,
                       MakePruner(config, "median"));
  EXPECT_THAT(history.Ask(*on_loss, trial, 1, 0.0, "acc"), Continues());
}

TEST_F(MedianPrunerTest, PercentileKeepsTheTopShare) {
  // Step 1 best first: 0.6 0.7 0.8 0.9 1.0; rank 0.25 * 4 = 1 -> 0.7.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Pruner> pruner,
                       MakePruner(history_.config(), "percentile"));
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.95});
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.75),
              PrunesWith("step 1: best loss 0.75 is worse than the top-25% "
                         "cut-off 0.7 of 5 trials"));
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.7), Continues());
}

TEST_F(MedianPrunerTest, PercentileInterpolates) {
  // Rank 0.1 * 4 = 0.4 between 0.6 and 0.7 -> 0.64.
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Pruner> pruner,
      MakePruner(history_.config(), "percentile", {{"percentile", 10}}));
  const int64_t trial = history_.AddTrial(TrialState::kRunning, {0.95});
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.65),
              PrunesWith(HasSubstr("top-10% cut-off 0.64 of 5 trials")));
  EXPECT_THAT(history_.Ask(*pruner, trial, 1, 0.63), Continues());
}

TEST(PercentilePrunerDirections, TopShareOfAMaximizedMetric) {
  PrunerHistory history(AccuracyStudy());
  // Step 1 best first: 0.4 0.3 0.2 0.1 0.0; rank 1 -> 0.3 (the 75th
  // percentile in ascending order).
  for (double acc : {0.2, 0.3, 0.0, 0.4, 0.1}) {
    history.AddTrial(TrialState::kCompleted, {0.0, acc}, "acc");
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Pruner> pruner,
                       MakePruner(history.config(), "percentile"));
  const int64_t trial = history.AddTrial(TrialState::kRunning, {0.0}, "acc");
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 0.25, "acc"),
              PrunesWith(HasSubstr("top-25% cut-off 0.3 of 5 trials")));
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 0.3, "acc"), Continues());
}

TEST(PercentileFromBest, RanksBestFirstAndInterpolates) {
  const std::vector<double> values = {3, 1, 4, 2};
  // Best first when minimizing: 1 2 3 4.
  EXPECT_THAT(PercentileFromBest(values, 0, Direction::kMinimize), DoubleEq(1));
  EXPECT_THAT(PercentileFromBest(values, 50, Direction::kMinimize),
              DoubleEq(2.5));
  EXPECT_THAT(PercentileFromBest(values, 100, Direction::kMinimize),
              DoubleEq(4));
  // Rank 0.25 * 3 = 0.75.
  EXPECT_THAT(PercentileFromBest(values, 25, Direction::kMinimize),
              DoubleEq(1.75));
  // Best first when maximizing: 4 3 2 1.
  EXPECT_THAT(PercentileFromBest(values, 25, Direction::kMaximize),
              DoubleEq(3.25));
  EXPECT_THAT(PercentileFromBest({5}, 25, Direction::kMaximize), DoubleEq(5));
}

}  // namespace
}  // namespace knob

#include "server/pruners/threshold_pruner.h"

#include <cmath>
#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/pruners/pruner_testing.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::Continues;
using ::knob::testing::LossStudy;
using ::knob::testing::MakePruner;
using ::knob::testing::PrunerHistory;
using ::knob::testing::PrunesWith;
using ::knob::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ThresholdPruner, PrunesAValueOutsideTheBounds) {
  PrunerHistory history(LossStudy());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Pruner> pruner,
                       MakePruner(history.config(), "threshold",
                                  {{"lower", 0.1}, {"upper", 1.0}}));
  // The first trial of the study: the threshold needs no other trial.
  const int64_t trial = history.AddTrial(TrialState::kRunning, {});
  EXPECT_THAT(history.Ask(*pruner, trial, 0, 1.5),
              PrunesWith("step 0: loss 1.5 is above the upper bound 1"));
  EXPECT_THAT(history.Ask(*pruner, trial, 0, 0.05),
              PrunesWith("step 0: loss 0.05 is below the lower bound 0.1"));
  // Bounds are inside.
  EXPECT_THAT(history.Ask(*pruner, trial, 0, 1.0), Continues());
  EXPECT_THAT(history.Ask(*pruner, trial, 0, 0.1), Continues());
  EXPECT_THAT(history.Ask(*pruner, trial, 0, 0.5), Continues());
}

TEST(ThresholdPruner, JudgesTheReportedValueNotTheBest) {
  PrunerHistory history(LossStudy());
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Pruner> pruner,
      MakePruner(history.config(), "threshold", {{"upper", 1.0}}));
  const int64_t trial = history.AddTrial(TrialState::kRunning, {0.2});
  // The best so far, 0.2, is inside; the value now is not.
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 3.0),
              PrunesWith(HasSubstr("loss 3 is above")));
}

TEST(ThresholdPruner, OneBoundIsEnough) {
  PrunerHistory history(LossStudy());
  const int64_t trial = history.AddTrial(TrialState::kRunning, {});
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Pruner> lower_only,
      MakePruner(history.config(), "threshold", {{"lower", -1}}));
  EXPECT_THAT(history.Ask(*lower_only, trial, 0, 1e30), Continues());
  EXPECT_THAT(history.Ask(*lower_only, trial, 0, -2),
              PrunesWith(HasSubstr("below the lower")));
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Pruner> upper_only,
      MakePruner(history.config(), "threshold", {{"upper", 5}}));
  EXPECT_THAT(history.Ask(*upper_only, trial, 0, -1e30), Continues());
  EXPECT_THAT(history.Ask(*upper_only, trial, 0, 6),
              PrunesWith(HasSubstr("above the upper")));
}

TEST(ThresholdPruner, PrunesANonFiniteValue) {
  PrunerHistory history(LossStudy());
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Pruner> pruner,
      MakePruner(history.config(), "threshold", {{"upper", 1.0}}));
  const int64_t trial = history.AddTrial(TrialState::kRunning, {});
  EXPECT_THAT(
      history.Ask(*pruner, trial, 0, std::numeric_limits<double>::quiet_NaN()),
      PrunesWith("step 0: loss is nan"));
  EXPECT_THAT(
      history.Ask(*pruner, trial, 0, -std::numeric_limits<double>::infinity()),
      PrunesWith("step 0: loss is -inf"));
}

TEST(ThresholdPruner, RespectsWarmUpAndInterval) {
  PrunerHistory history(LossStudy());
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Pruner> pruner,
      MakePruner(
          history.config(), "threshold",
          {{"upper", 1.0}, {"n_warmup_steps", 2}, {"interval_steps", 3}}));
  const int64_t trial = history.AddTrial(TrialState::kRunning, {});
  // Judged steps: 2, 5, 8, ...
  for (int64_t step = 0; step <= 5; ++step) {
    if (step == 2 || step == 5) {
      EXPECT_THAT(history.Report(*pruner, trial, step, 9.0),
                  PrunesWith(HasSubstr("above")))
          << "step " << step;
    } else {
      EXPECT_THAT(history.Report(*pruner, trial, step, 9.0), Continues())
          << "step " << step;
    }
  }
}

TEST(ThresholdPruner, WatchesTheChosenMetric) {
  PrunerHistory history(LossStudy());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Pruner> pruner,
                       MakePruner(history.config(), "threshold",
                                  {{"metric", "acc"}, {"lower", 0.2}}));
  const int64_t trial = history.AddTrial(TrialState::kRunning, {});
  EXPECT_THAT(history.Ask(*pruner, trial, 0, 0.1, "acc"),
              PrunesWith("step 0: acc 0.1 is below the lower bound 0.2"));
  EXPECT_THAT(history.Ask(*pruner, trial, 0, 0.1), Continues());
}

TEST(ThresholdPruner, RejectsBadBounds) {
  const StudyConfig config = LossStudy();
  EXPECT_THAT(MakePruner(config, "threshold"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.lower: threshold expects a number in "
                       "`lower`, `upper` or both, got neither"));
  EXPECT_THAT(MakePruner(config, "threshold", {{"lower", 2}, {"upper", 1}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.upper: threshold expects a number >= "
                       "lower (2), got 1"));
  EXPECT_THAT(
      MakePruner(config, "threshold",
                 {{"upper", std::numeric_limits<double>::infinity()}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("pruner.options.upper: threshold expects a finite "
                         "number, got inf")));
  EXPECT_THAT(MakePruner(config, "threshold", {{"upper", "high"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pruner.options.upper")));
  // It compares with no other trial and ranks nothing.
  for (const char* option : {"direction", "n_startup_trials", "n_min_trials"}) {
    EXPECT_THAT(
        MakePruner(config, "threshold", {{"upper", 1}, {option, "minimize"}}),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 HasSubstr(absl::StrCat("pruner.options.", option,
                                        ": unknown option"))));
  }
}

}  // namespace
}  // namespace knob

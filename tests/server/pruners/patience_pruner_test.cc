#include "server/pruners/patience_pruner.h"

#include <map>
#include <memory>
#include <string>

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
using ::knob::testing::StatusIs;
using ::testing::HasSubstr;

std::unique_ptr<Pruner> Patience(const StudyConfig& config,
                                 std::map<std::string, ParamValue> options) {
  absl::StatusOr<std::unique_ptr<Pruner>> pruner =
      MakePruner(config, "patience", options);
  EXPECT_OK(pruner.status());
  return pruner.ok() ? *std::move(pruner) : nullptr;
}

TEST(PatiencePruner, PrunesATrialThatStoppedImproving) {
  PrunerHistory history(LossStudy());
  std::unique_ptr<Pruner> pruner =
      Patience(history.config(), {{"patience", 2}});
  // The study's first trial: patience alone looks at no other trial.
  const int64_t trial = history.AddTrial(TrialState::kRunning, {});
  EXPECT_THAT(history.Report(*pruner, trial, 0, 1.0), Continues());
  // 0.9 improves on 1.0.
  EXPECT_THAT(history.Report(*pruner, trial, 1, 0.9), Continues());
  // 0.95 and 0.92 do not improve on 0.9: two steps without improvement.
  EXPECT_THAT(history.Report(*pruner, trial, 2, 0.95), Continues());
  EXPECT_THAT(history.Report(*pruner, trial, 3, 0.92),
              PrunesWith("step 3: loss has not improved on 0.9 for 2 steps"));
}

TEST(PatiencePruner, AnImprovementStartsTheCountAgain) {
  PrunerHistory history(LossStudy());
  std::unique_ptr<Pruner> pruner =
      Patience(history.config(), {{"patience", 2}});
  const int64_t trial = history.AddTrial(TrialState::kRunning, {1.0, 1.1});
  EXPECT_THAT(history.Report(*pruner, trial, 2, 0.8), Continues());
  EXPECT_THAT(history.Report(*pruner, trial, 3, 0.85), Continues());
  EXPECT_THAT(history.Report(*pruner, trial, 4, 0.85),
              PrunesWith("step 4: loss has not improved on 0.8 for 2 steps"));
}

TEST(PatiencePruner, MinDeltaIsTheImprovementThatCounts) {
  PrunerHistory history(LossStudy());
  // 0.97 and 0.96 improve on 1.0 by 0.03 and 0.04, not more than 0.05.
  std::unique_ptr<Pruner> strict =
      Patience(history.config(), {{"patience", 2}, {"min_delta", 0.05}});
  std::unique_ptr<Pruner> lenient =
      Patience(history.config(), {{"patience", 2}});
  const int64_t trial = history.AddTrial(TrialState::kRunning, {1.0, 0.97});
  EXPECT_THAT(history.Ask(*strict, trial, 2, 0.96),
              PrunesWith("step 2: loss has not improved on 1 by more than "
                         "0.05 for 2 steps"));
  EXPECT_THAT(history.Ask(*lenient, trial, 2, 0.96), Continues());
  // 0.94 beats the reference 1.0 by 0.06.
  EXPECT_THAT(history.Ask(*strict, trial, 2, 0.94), Continues());
}

TEST(PatiencePruner, FollowsTheDirection) {
  PrunerHistory history(AccuracyStudy());
  std::unique_ptr<Pruner> pruner =
      Patience(history.config(), {{"patience", 2}});
  // Maximized: 0.6 is the best; 0.55 and 0.58 would improve if minimized.
  const int64_t trial =
      history.AddTrial(TrialState::kRunning, {0.5, 0.6, 0.55}, "acc");
  EXPECT_THAT(history.Ask(*pruner, trial, 3, 0.58, "acc"),
              PrunesWith("step 3: acc has not improved on 0.6 for 2 steps"));
  EXPECT_THAT(history.Ask(*pruner, trial, 3, 0.61, "acc"), Continues());
}

TEST(PatiencePruner, CountsOnlyStepsUpToTheReportedOne) {
  PrunerHistory history(LossStudy());
  std::unique_ptr<Pruner> pruner =
      Patience(history.config(), {{"patience", 2}});
  // Steps 2 and 3 stagnate, but a re-report of step 1 looks at steps 0..1.
  const int64_t trial =
      history.AddTrial(TrialState::kRunning, {1.0, 0.9, 0.95, 0.92});
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 0.9), Continues());
}

TEST(PatiencePruner, RespectsWarmUp) {
  PrunerHistory history(LossStudy());
  std::unique_ptr<Pruner> pruner =
      Patience(history.config(), {{"patience", 1}, {"n_warmup_steps", 3}});
  const int64_t trial = history.AddTrial(TrialState::kRunning, {1.0});
  EXPECT_THAT(history.Report(*pruner, trial, 1, 2.0), Continues());
  EXPECT_THAT(history.Report(*pruner, trial, 2, 2.0), Continues());
  EXPECT_THAT(history.Report(*pruner, trial, 3, 2.0),
              PrunesWith(HasSubstr("for 3 steps")));
}

// Five finished trials whose step medians are 1.0, 0.8, 0.6, 0.5.
PrunerHistory WithFinishedTrials() {
  PrunerHistory history(LossStudy());
  history.AddTrial(TrialState::kCompleted, {1.0, 0.8, 0.6, 0.5});
  history.AddTrial(TrialState::kCompleted, {0.9, 0.7, 0.5, 0.4});
  history.AddTrial(TrialState::kCompleted, {1.2, 1.0, 0.9, 0.8});
  history.AddTrial(TrialState::kCompleted, {0.8, 0.6, 0.4, 0.3});
  history.AddTrial(TrialState::kCompleted, {1.1, 0.9, 0.7, 0.6});
  return history;
}

TEST(PatiencePruner, AWrappedPrunerIsAskedOnlyOncePatienceRunsOut) {
  PrunerHistory history = WithFinishedTrials();
  std::unique_ptr<Pruner> pruner =
      Patience(history.config(), {{"patience", 1}, {"wrapped", "median"}});
  const int64_t trial = history.AddTrial(TrialState::kRunning, {});
  EXPECT_THAT(history.Report(*pruner, trial, 0, 0.95), Continues());
  // Worse than the median 0.8, but still improving.
  EXPECT_THAT(history.Report(*pruner, trial, 1, 0.85), Continues());
  // No improvement for a step, and the best 0.85 is worse than 0.6.
  EXPECT_THAT(history.Report(*pruner, trial, 2, 0.9),
              PrunesWith("step 2: loss has not improved on 0.85 for 1 step; "
                         "step 2: best loss 0.85 is worse than the median 0.6 "
                         "of 5 trials"));
}

TEST(PatiencePruner, AWrappedPrunerCanSpareAStagnatingTrial) {
  PrunerHistory history = WithFinishedTrials();
  std::unique_ptr<Pruner> pruner =
      Patience(history.config(), {{"patience", 1}, {"wrapped", "median"}});
  // Stagnating, but its best 0.7 beats the median 0.8.
  const int64_t trial = history.AddTrial(TrialState::kRunning, {0.7});
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 0.75), Continues());
}

TEST(PatiencePruner, PassesPrefixedOptionsToTheWrappedPruner) {
  PrunerHistory history = WithFinishedTrials();
  std::unique_ptr<Pruner> pruner = Patience(
      history.config(),
      {{"patience", 1}, {"wrapped", "median"}, {"wrapped.n_warmup_steps", 3}});
  const int64_t trial = history.AddTrial(TrialState::kRunning, {0.95, 0.85});
  // The median would prune at step 2 but warms up until step 3.
  EXPECT_THAT(history.Report(*pruner, trial, 2, 0.9), Continues());
  EXPECT_THAT(history.Report(*pruner, trial, 3, 0.9),
              PrunesWith(HasSubstr("median 0.5")));
}

TEST(PatiencePruner, TheWrappedPrunerJudgesTheSameMetric) {
  PrunerHistory history(LossStudy());
  // Accuracies at step 1: 0.5 .. 0.9, median 0.7; no losses at all.
  for (double acc : {0.5, 0.6, 0.7, 0.8, 0.9}) {
    history.AddTrial(TrialState::kCompleted, {0.9, acc}, "acc");
  }
  std::unique_ptr<Pruner> pruner =
      Patience(history.config(), {{"patience", 1},
                                  {"metric", "acc"},
                                  {"direction", "maximize"},
                                  {"wrapped", "median"},
                                  {"wrapped.direction", "maximize"}});
  const int64_t trial = history.AddTrial(TrialState::kRunning, {0.65}, "acc");
  EXPECT_THAT(history.Ask(*pruner, trial, 1, 0.6, "acc"),
              PrunesWith(HasSubstr("best acc 0.65 is worse than the median "
                                   "0.7 of 5 trials")));
}

TEST(PatiencePruner, RejectsBadOptions) {
  const StudyConfig config = LossStudy();
  using Options = std::map<std::string, ParamValue>;
  auto error = [&](const Options& options) {
    return MakePruner(config, "patience", options).status();
  };
  EXPECT_THAT(error({}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.patience: patience expects an int >= "
                       "1, got none"));
  EXPECT_THAT(error({{"patience", 0}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.patience: patience expects an int >= "
                       "1, got 0"));
  EXPECT_THAT(error({{"patience", 2}, {"min_delta", -0.1}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pruner.options.min_delta: patience expects "
                                 "a finite number >= 0, got -0.1")));
  EXPECT_THAT(error({{"patience", 2}, {"wrapped", "bogus"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pruner.options.wrapped: patience expects a "
                                 "pruner name (")));
  EXPECT_THAT(error({{"patience", 2},
                     {"wrapped", "median"},
                     {"wrapped.n_warmup_steps", -1}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "pruner.options.wrapped.n_warmup_steps: median expects "
                       "an int >= 0, got -1"));
  EXPECT_THAT(
      error({{"patience", 2}, {"wrapped", "median"}, {"wrapped.bogus", 1}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("pruner.options.wrapped.bogus: unknown "
                         "option for pruner \"median\"")));
  EXPECT_THAT(error({{"patience", 2}, {"wrapped", "hyperband"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pruner.options.wrapped.max_resource")));
  EXPECT_THAT(error({{"patience", 2}, {"wrapped.n_warmup_steps", 1}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pruner.options.wrapped.n_warmup_steps: "
                                 "patience has no wrapped pruner")));
  // It compares with no other trial.
  EXPECT_THAT(error({{"patience", 2}, {"n_startup_trials", 1}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pruner.options.n_startup_trials: unknown "
                                 "option")));
}

}  // namespace
}  // namespace knob

// The retry policy for trials lost with their workers: a STALE trial's
// parameters run again as a new trial, within the study's budgets.
#include <optional>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "tests/server/core/tuner_fixture.h"

namespace knob::testing {
namespace {

using ::testing::HasSubstr;

class TunerRetryTest : public TunerTest {
 protected:
  // Lets every lease run out and the reaper expire them.
  int ExpireAll() {
    clock_.Advance(absl::Minutes(6));
    absl::StatusOr<int> expired = tuner_->ExpireLeases();
    EXPECT_OK(expired);
    return expired.ok() ? *expired : -1;
  }

  std::vector<Trial> AllTrials(int64_t study_id) {
    absl::StatusOr<TrialListing> listing =
        tuner_->ListTrials({study_id, {}, 0, 1000, ""});
    EXPECT_OK(listing);
    return listing.ok() ? listing->page.items : std::vector<Trial>{};
  }

  // The study's state and why it is in it.
  std::pair<StudyState, std::string> StateOf(int64_t study_id) {
    absl::StatusOr<StudyInfo> info = tuner_->GetStudy(study_id);
    EXPECT_OK(info);
    if (!info.ok()) return {};
    return {info->study.state, info->study.state_reason};
  }

  Trial OnlyTrial(const SuggestResult& result) {
    EXPECT_EQ(result.trials.size(), 1u);
    return result.trials.empty() ? Trial{} : result.trials.front();
  }
};

TEST_F(TunerRetryTest, LostTrialRunsAgainWithTheSameParametersFirst) {
  StudyConfig config = BasicConfig();
  config.max_stale_retries = 1;
  const int64_t id = Create("retry", config).study.id;
  const Trial lost = OnlyTrial(SuggestOne(id));
  ASSERT_EQ(ExpireAll(), 1);

  std::vector<Trial> trials = AllTrials(id);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].state, TrialState::kStale);
  EXPECT_FALSE(trials[0].retry_of.has_value());
  EXPECT_EQ(trials[1].state, TrialState::kWaiting);
  EXPECT_EQ(trials[1].retry_of, std::optional<int64_t>(lost.number));
  EXPECT_EQ(trials[1].params, lost.params);
  ASSERT_OK_AND_ASSIGN(StudyInfo study, tuner_->GetStudy(id));
  EXPECT_EQ(study.counts.stale, 1);
  EXPECT_EQ(study.counts.retried, 1);
  EXPECT_EQ(study.counts.waiting, 1);

  // The retry is handed out before anything new is sampled.
  const Trial retry = OnlyTrial(SuggestOne(id));
  EXPECT_EQ(retry.number, 1);
  EXPECT_EQ(retry.state, TrialState::kRunning);
  EXPECT_EQ(retry.params, lost.params);
  EXPECT_EQ(retry.retry_of, std::optional<int64_t>(lost.number));
}

TEST_F(TunerRetryTest, NoRetriesByDefault) {
  const int64_t id = Create("no-retry", BasicConfig()).study.id;
  SuggestOne(id);
  ASSERT_EQ(ExpireAll(), 1);
  std::vector<Trial> trials = AllTrials(id);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].state, TrialState::kStale);
  ASSERT_OK_AND_ASSIGN(StudyInfo study, tuner_->GetStudy(id));
  EXPECT_EQ(study.counts.retried, 0);
}

TEST_F(TunerRetryTest, APointIsRetriedAtMostMaxStaleRetriesTimes) {
  StudyConfig config = BasicConfig();
  config.max_stale_retries = 2;
  const int64_t id = Create("chain", config).study.id;
  const Trial first = OnlyTrial(SuggestOne(id));
  ASSERT_EQ(ExpireAll(), 1);
  const Trial second = OnlyTrial(SuggestOne(id));
  EXPECT_EQ(second.retry_of, std::optional<int64_t>(first.number));
  ASSERT_EQ(ExpireAll(), 1);
  const Trial third = OnlyTrial(SuggestOne(id));
  EXPECT_EQ(third.retry_of, std::optional<int64_t>(second.number));
  EXPECT_EQ(third.params, first.params);
  ASSERT_EQ(ExpireAll(), 1);

  // The third loss of the point ends its retries.
  std::vector<Trial> trials = AllTrials(id);
  ASSERT_EQ(trials.size(), 3u);
  for (const Trial& trial : trials) EXPECT_EQ(trial.state, TrialState::kStale);
  ASSERT_OK_AND_ASSIGN(StudyInfo study, tuner_->GetStudy(id));
  EXPECT_EQ(study.counts.stale, 3);
  EXPECT_EQ(study.counts.retried, 2);
  // The next trial is a new, sampled one.
  const Trial fresh = OnlyTrial(SuggestOne(id));
  EXPECT_EQ(fresh.number, 3);
  EXPECT_FALSE(fresh.retry_of.has_value());
}

TEST_F(TunerRetryTest, StudyEndsWithExactlyItsBudgetDespiteLostTrials) {
  StudyConfig config = BasicConfig();
  config.max_stale_retries = 3;
  config.stopping.max_trials = 4;
  const int64_t id = Create("budget", config).study.id;
  ASSERT_OK_AND_ASSIGN(SuggestResult handed,
                       tuner_->Suggest({id, 4, "w", "", {}}));
  ASSERT_EQ(handed.trials.size(), 4u);
  ASSERT_OK(CompleteWith(handed.trials[0].id, 1.0));
  ASSERT_OK(CompleteWith(handed.trials[1].id, 2.0));

  // The budget is spent but two trials run: the study waits rather than
  // completing, and tells workers to ask again.
  SuggestResult wait = SuggestOne(id);
  EXPECT_TRUE(wait.trials.empty());
  EXPECT_FALSE(wait.study_done);
  EXPECT_THAT(wait.done_reason, HasSubstr("waiting for 2 running trial"));
  EXPECT_EQ(StateOf(id).first, StudyState::kRunning);

  // Both are lost; their retries take their places in the budget.
  ASSERT_EQ(ExpireAll(), 2);
  const Trial retry_a = OnlyTrial(SuggestOne(id));
  const Trial retry_b = OnlyTrial(SuggestOne(id));
  EXPECT_EQ(retry_a.params, handed.trials[2].params);
  EXPECT_EQ(retry_b.params, handed.trials[3].params);
  EXPECT_TRUE(SuggestOne(id).trials.empty());
  ASSERT_OK(CompleteWith(retry_a.id, 3.0));
  ASSERT_OK(CompleteWith(retry_b.id, 4.0));

  SuggestResult done = SuggestOne(id);
  EXPECT_TRUE(done.study_done);
  EXPECT_THAT(done.done_reason, HasSubstr("max_trials=4 reached"));
  ASSERT_OK_AND_ASSIGN(StudyInfo study, tuner_->GetStudy(id));
  EXPECT_EQ(study.study.state, StudyState::kCompleted);
  EXPECT_EQ(study.counts.completed, 4);
  EXPECT_EQ(study.counts.stale, 2);
  EXPECT_EQ(study.counts.retried, 2);
  EXPECT_EQ(study.counts.Started(), 4);
}

TEST_F(TunerRetryTest, BudgetCompletesOnceTheLastRunningTrialEnds) {
  StudyConfig config = BasicConfig();
  config.max_stale_retries = 1;
  config.stopping.max_trials = 2;
  const int64_t id = Create("last-one", config).study.id;
  ASSERT_OK_AND_ASSIGN(SuggestResult handed,
                       tuner_->Suggest({id, 2, "w", "", {}}));
  ASSERT_OK(CompleteWith(handed.trials[0].id, 1.0));
  EXPECT_EQ(StateOf(id).first, StudyState::kRunning);
  ASSERT_OK(CompleteWith(handed.trials[1].id, 2.0));
  EXPECT_EQ(StateOf(id), std::pair(StudyState::kCompleted,
                                   std::string("max_trials=2 reached")));
}

TEST_F(TunerRetryTest, ExhaustedRetriesCountAsFailures) {
  StudyConfig config = BasicConfig();
  config.max_stale_retries = 1;
  config.stopping.max_failed_trials = 1;
  const int64_t id = Create("failures", config).study.id;
  SuggestOne(id);
  ASSERT_EQ(ExpireAll(), 1);
  // The retried loss is not a failure: the study goes on.
  EXPECT_EQ(StateOf(id).first, StudyState::kRunning);
  SuggestOne(id);
  ASSERT_EQ(ExpireAll(), 1);
  // The point's last loss is.
  EXPECT_EQ(StateOf(id), std::pair(StudyState::kCompleted,
                                   std::string("max_failed_trials=1 reached")));
}

TEST_F(TunerRetryTest, StoppedStudyDoesNotRetry) {
  StudyConfig config = BasicConfig();
  config.max_stale_retries = 2;
  const int64_t id = Create("stopped", config).study.id;
  SuggestOne(id);
  ASSERT_OK(tuner_->UpdateStudy(id, StudyState::kStopped, std::nullopt));
  ASSERT_EQ(ExpireAll(), 1);
  EXPECT_EQ(AllTrials(id).size(), 1u);
}

TEST_F(TunerRetryTest, LateResultOfALostTrialNamesItsRetry) {
  StudyConfig config = BasicConfig();
  config.max_stale_retries = 1;
  const int64_t id = Create("late", config).study.id;
  const Trial lost = OnlyTrial(SuggestOne(id));
  ASSERT_EQ(ExpireAll(), 1);
  const int64_t retry_id = AllTrials(id).at(1).id;
  EXPECT_THAT(
      CompleteWith(lost.id, 1.0),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr(absl::StrCat("run again as trial ", retry_id))));
  // Nothing changed: the lost trial stays STALE, its retry WAITING.
  std::vector<Trial> trials = AllTrials(id);
  EXPECT_EQ(trials[0].state, TrialState::kStale);
  EXPECT_TRUE(trials[0].values.empty());
  EXPECT_EQ(trials[1].state, TrialState::kWaiting);
}

TEST_F(TunerRetryTest, ReplicasRetryALostTrialOnce) {
  StudyConfig config = BasicConfig();
  config.max_stale_retries = 5;
  const int64_t id = Create("replicas", config).study.id;
  SuggestOne(id);
  Tuner replica(*storage_, samplers_, pruners_, clock_, TunerOptions{});
  clock_.Advance(absl::Minutes(6));
  ASSERT_OK_AND_ASSIGN(int expired_here, tuner_->ExpireLeases());
  ASSERT_OK_AND_ASSIGN(int expired_there, replica.ExpireLeases());
  EXPECT_EQ(expired_here + expired_there, 1);
  std::vector<Trial> trials = AllTrials(id);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[1].retry_of, std::optional<int64_t>(0));
}

}  // namespace
}  // namespace knob::testing

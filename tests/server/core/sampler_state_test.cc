// A stateful sampler's state is stored with the trials sampled from it, so
// that restarted servers and replicas continue the run, and a transaction
// that does not commit leaves no trace in it.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/core/sampler_state_fixture.h"

namespace knob::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SamplerStateTest);

TEST_P(SamplerStateTest, StateIsStoredWithTheSampledTrials) {
  std::unique_ptr<Tuner> tuner = NewTuner();
  const int64_t id = CreateStudy(*tuner, "stored");
  EXPECT_THAT(Stored(id).sampler_state, IsEmpty());

  ASSERT_OK_AND_ASSIGN(SuggestResult first,
                       tuner->Suggest({id, 1, "worker", "", {}}));
  ASSERT_EQ(first.trials.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(first.trials[0].params.at("count")), 0);
  Study stored = Stored(id);
  EXPECT_EQ(stored.sampler_state, CountingSamplerState(1));
  // One transaction wrote both.
  EXPECT_EQ(stored.sequence, first.trials[0].sequence);

  EXPECT_THAT(SuggestCounts(*tuner, id, 3), ElementsAre(1, 2, 3));
  stored = Stored(id);
  EXPECT_EQ(stored.sampler_state, CountingSamplerState(4));
  EXPECT_EQ(stored.sequence, 2);
}

TEST_P(SamplerStateTest, TransactionsThatDoNotSampleLeaveTheStateAlone) {
  std::unique_ptr<Tuner> tuner = NewTuner();
  const int64_t id = CreateStudy(*tuner, "untouched");
  ASSERT_OK_AND_ASSIGN(SuggestResult suggested,
                       tuner->Suggest({id, 2, "worker", "", {}}));
  CompleteInput complete;
  complete.trial_id = suggested.trials[0].id;
  complete.outcome.values = {0.5};
  ASSERT_OK(tuner->Complete(complete).status());
  ASSERT_OK(tuner->Heartbeat({suggested.trials[1].id}, "worker").status());
  ASSERT_OK(
      tuner->Enqueue(id, {{"count", int64_t{500}}, {"x", 0.0}}, "").status());
  // The enqueued trial is handed out without sampling.
  EXPECT_THAT(SuggestCounts(*tuner, id), ElementsAre(500));
  EXPECT_EQ(Stored(id).sampler_state, CountingSamplerState(2));
  EXPECT_THAT(SuggestCounts(*tuner, id), ElementsAre(2));
}

TEST_P(SamplerStateTest, RestartedServerContinuesTheCount) {
  int64_t id = 0;
  {
    std::unique_ptr<Tuner> before_restart = NewTuner();
    id = CreateStudy(*before_restart, "restarted");
    EXPECT_THAT(SuggestCounts(*before_restart, id, 2), ElementsAre(0, 1));
    EXPECT_THAT(SuggestCounts(*before_restart, id), ElementsAre(2));
  }
  std::unique_ptr<Tuner> after_restart = NewTuner();
  EXPECT_THAT(SuggestCounts(*after_restart, id), ElementsAre(3));
  EXPECT_EQ(Stored(id).sampler_state, CountingSamplerState(4));
}

TEST_P(SamplerStateTest, ReplicasShareOneCount) {
  std::unique_ptr<Tuner> a = NewTuner();
  std::unique_ptr<Tuner> b = NewTuner();
  const int64_t id = CreateStudy(*a, "replicated");
  std::vector<int64_t> counts;
  for (int round = 0; round < 3; ++round) {
    for (Tuner* replica : {a.get(), b.get()}) {
      for (int64_t count : SuggestCounts(*replica, id, 2)) {
        counts.push_back(count);
      }
    }
  }
  EXPECT_THAT(counts, ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
  EXPECT_EQ(Stored(id).sampler_state, CountingSamplerState(12));
}

TEST_P(SamplerStateTest, RetriedTransactionSamplesFromTheCommittedState) {
  std::unique_ptr<Tuner> tuner = NewTuner();
  const int64_t id = CreateStudy(*tuner, "retried");
  EXPECT_THAT(SuggestCounts(*tuner, id), ElementsAre(0));
  faulty_->InjectIntoNextTransact({.retry_after_conflict = true});
  // The first attempt sampled count 1 and was rolled back; the retry
  // samples count 1 again.
  EXPECT_THAT(SuggestCounts(*tuner, id, 2), ElementsAre(1, 2));
  EXPECT_EQ(Stored(id).sampler_state, CountingSamplerState(3));
  ASSERT_OK_AND_ASSIGN(StudyInfo info, tuner->GetStudy(id));
  EXPECT_EQ(info.counts.running, 3);
  EXPECT_THAT(SuggestCounts(*tuner, id), ElementsAre(3));
}

TEST_P(SamplerStateTest, FailedTrialWriteLeavesTheCommittedState) {
  std::unique_ptr<Tuner> tuner = NewTuner();
  const int64_t id = CreateStudy(*tuner, "failed-trial");
  EXPECT_THAT(SuggestCounts(*tuner, id), ElementsAre(0));
  const Study before = Stored(id);
  // The second trial of the batch fails to be written after the sampler
  // proposed it.
  faulty_->InjectIntoNextTransact({.fail_create_trial = 1});
  EXPECT_THAT(tuner->Suggest({id, 3, "worker", "", {}}),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("injected")));
  const Study after = Stored(id);
  EXPECT_EQ(after.sampler_state, before.sampler_state);
  EXPECT_EQ(after.sequence, before.sequence);
  EXPECT_EQ(after.next_trial_number, 1);
  EXPECT_THAT(SuggestCounts(*tuner, id, 2), ElementsAre(1, 2));
}

TEST_P(SamplerStateTest, FailedStateWriteLeavesTheCommittedState) {
  std::unique_ptr<Tuner> tuner = NewTuner();
  const int64_t id = CreateStudy(*tuner, "failed-state");
  EXPECT_THAT(SuggestCounts(*tuner, id), ElementsAre(0));
  faulty_->InjectIntoNextTransact({.fail_sampler_state_write = true});
  EXPECT_THAT(tuner->Suggest({id, 1, "worker", "", {}}),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("injected")));
  // Neither the trial nor the state was stored.
  const Study after = Stored(id);
  EXPECT_EQ(after.sampler_state, CountingSamplerState(1));
  EXPECT_EQ(after.next_trial_number, 1);
  EXPECT_THAT(SuggestCounts(*tuner, id), ElementsAre(1));
  // A replica that never saw the failure agrees.
  std::unique_ptr<Tuner> replica = NewTuner();
  EXPECT_THAT(SuggestCounts(*replica, id), ElementsAre(2));
}

TEST_P(SamplerStateTest, UnreadableStoredStateStartsOverAndKeepsServing) {
  std::unique_ptr<Tuner> creator = NewTuner();
  const int64_t id = CreateStudy(*creator, "unreadable");
  EXPECT_THAT(SuggestCounts(*creator, id), ElementsAre(0));
  // As if a server version with another state format had run the study.
  ASSERT_OK(storage_->Transact(id, [](StudyTransaction& txn) {
    return txn.SetSamplerState(std::string("counting-v9:\0\xff", 14));
  }));

  std::unique_ptr<Tuner> restarted = NewTuner();
  EXPECT_THAT(SuggestCounts(*restarted, id), ElementsAre(0));
  EXPECT_EQ(Stored(id).sampler_state, CountingSamplerState(1));
  // The replica that ran before learns the new state too.
  EXPECT_THAT(SuggestCounts(*creator, id), ElementsAre(1));
}

TEST_P(SamplerStateTest, StatelessSamplerStoresNoState) {
  std::unique_ptr<Tuner> tuner = NewTuner();
  StudyConfig config = CountingConfig();
  config.sampler.name = "random";
  const int64_t id = CreateStudy(*tuner, "stateless", config);
  ASSERT_OK(tuner->Suggest({id, 3, "worker", "", {}}).status());
  const Study stored = Stored(id);
  EXPECT_THAT(stored.sampler_state, IsEmpty());
  EXPECT_EQ(stored.sequence, 1);
}

TEST_P(SamplerStateTest, SamplerThatRunsOutCompletesTheStudy) {
  std::unique_ptr<Tuner> tuner = NewTuner();
  StudyConfig config = CountingConfig();
  config.parameters[0].domain = IntDomain{0, 1, false, 1};
  const int64_t id = CreateStudy(*tuner, "runs-out", config);
  EXPECT_THAT(SuggestCounts(*tuner, id, 3), ElementsAre(0, 1));
  ASSERT_OK_AND_ASSIGN(StudyInfo info, tuner->GetStudy(id));
  EXPECT_EQ(info.study.state, StudyState::kCompleted);
  EXPECT_THAT(info.study.state_reason, HasSubstr("counted past count"));
  EXPECT_EQ(Stored(id).sampler_state, CountingSamplerState(2));
}

TEST_P(SamplerStateTest, SamplerMetadataIsStoredAndRecreateStaysIdempotent) {
  std::unique_ptr<Tuner> tuner = NewTuner();
  CreateStudyInput input{"labelled",
                         CountingConfig(),
                         true,
                         false,
                         {{"owner", "ana"}, {kCountingParameterKey, "mine"}}};
  ASSERT_OK_AND_ASSIGN(StudyInfo created, tuner->CreateStudy(input));
  const std::map<std::string, std::string> expected = {
      {"owner", "ana"}, {kCountingParameterKey, "count"}};
  EXPECT_EQ(created.study.metadata, expected);
  EXPECT_EQ(Stored(created.study.id).metadata, expected);

  ASSERT_OK_AND_ASSIGN(StudyInfo again, tuner->CreateStudy(input));
  EXPECT_EQ(again.study.id, created.study.id);
  EXPECT_EQ(again.study.metadata, expected);
  input.metadata.clear();
  ASSERT_OK_AND_ASSIGN(StudyInfo unlabelled, tuner->CreateStudy(input));
  EXPECT_EQ(unlabelled.study.id, created.study.id);
  EXPECT_EQ(Stored(created.study.id).metadata, expected);
}

}  // namespace
}  // namespace knob::testing

// The whole life of a study through the API, as a worker and a user see it.
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/server/api/api_fixture.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Key;

TEST_P(ApiTest, StudyLifecycle) {
  v1::CreateStudyRequest request = BasicStudyRequest("lifecycle");
  request.mutable_config()->mutable_stopping()->set_max_trials(3);
  (*request.mutable_metadata())["owner"] = "vision-team";
  const v1::Study created = MustCreate(request);
  EXPECT_EQ(created.state(), v1::STUDY_STATE_RUNNING);
  EXPECT_EQ(created.config().sampler().name(), "auto");
  EXPECT_EQ(created.config().seed(), 7u);
  EXPECT_EQ(created.metadata().at("owner"), "vision-team");
  // The default sampler says what it chose, and why.
  EXPECT_THAT(created.metadata(), Contains(Key("knob.sampler.auto")));
  EXPECT_THAT(created.metadata(), Contains(Key("knob.sampler.auto_reason")));

  grpc::ClientContext get_context;
  v1::GetStudyRequest get;
  get.set_name("lifecycle");
  v1::Study by_name;
  ASSERT_TRUE(server_->studies().GetStudy(&get_context, get, &by_name).ok());
  EXPECT_EQ(by_name.id(), created.id());
  // What the server stored is what it returned.
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      by_name.config(), created.config()));

  for (int i = 0; i < 3; ++i) {
    v1::Trial trial = MustSuggestOne(created.id());
    EXPECT_EQ(trial.number(), i);
    EXPECT_TRUE(trial.has_lease_deadline());
    v1::ReportIntermediateRequest report;
    report.set_trial_id(trial.id());
    report.set_step(1);
    report.set_value(10.0 - i);
    v1::ReportIntermediateResponse reported;
    grpc::ClientContext report_context;
    ASSERT_TRUE(server_->trials()
                    .ReportIntermediate(&report_context, report, &reported)
                    .ok());
    EXPECT_FALSE(reported.should_prune());

    v1::CompleteTrialRequest complete;
    complete.set_trial_id(trial.id());
    complete.set_state(v1::TRIAL_STATE_COMPLETED);
    complete.add_values(5.0 - i);
    (*complete.mutable_metrics())["accuracy"] = 0.5 + 0.1 * i;
    v1::Trial completed;
    ASSERT_TRUE(Complete(complete, &completed).ok());
    EXPECT_EQ(completed.state(), v1::TRIAL_STATE_COMPLETED);
  }

  v1::SuggestTrialsResponse done;
  ASSERT_TRUE(Suggest(created.id(), 1, &done).ok());
  EXPECT_EQ(done.trials_size(), 0);
  EXPECT_TRUE(done.study_done());
  EXPECT_THAT(done.done_reason(), HasSubstr("max_trials=3 reached"));

  v1::GetBestTrialsRequest best_request;
  best_request.set_study_id(created.id());
  v1::GetBestTrialsResponse best;
  grpc::ClientContext best_context;
  ASSERT_TRUE(
      server_->trials().GetBestTrials(&best_context, best_request, &best).ok());
  ASSERT_EQ(best.trials_size(), 1);
  EXPECT_EQ(best.trials(0).number(), 2);
  EXPECT_EQ(best.trials(0).values(0), 3.0);
  EXPECT_NEAR(best.trials(0).metrics().at("accuracy"), 0.7, 1e-12);

  grpc::ClientContext study_context;
  get.set_id(created.id());
  v1::Study finished;
  ASSERT_TRUE(server_->studies().GetStudy(&study_context, get, &finished).ok());
  EXPECT_EQ(finished.state(), v1::STUDY_STATE_COMPLETED);
  EXPECT_EQ(finished.trial_counts().completed(), 3);
  EXPECT_EQ(finished.state_reason(), "max_trials=3 reached");
}

TEST_P(ApiTest, ReachingTheTargetValueCompletesTheStudy) {
  v1::CreateStudyRequest request = BasicStudyRequest("target");
  request.mutable_config()->mutable_stopping()->set_target_value(2.5);
  request.mutable_config()->mutable_stopping()->set_patience(50);
  const v1::Study created = MustCreate(request);
  EXPECT_EQ(created.config().stopping().target_value(), 2.5);
  EXPECT_EQ(created.config().stopping().patience(), 50);
  for (double value : {4.0, 2.0}) {
    v1::CompleteTrialRequest complete;
    complete.set_trial_id(MustSuggestOne(created.id()).id());
    complete.set_state(v1::TRIAL_STATE_COMPLETED);
    complete.add_values(value);
    v1::Trial completed;
    ASSERT_TRUE(Complete(complete, &completed).ok());
  }
  v1::SuggestTrialsResponse done;
  ASSERT_TRUE(Suggest(created.id(), 1, &done).ok());
  EXPECT_TRUE(done.study_done());
  EXPECT_THAT(done.done_reason(), HasSubstr("target_value=2.5 reached"));

  // Several objectives have no single value to reach.
  v1::CreateStudyRequest two = BasicStudyRequest("target-two-objectives");
  two.mutable_config()->mutable_stopping()->set_target_value(2.5);
  v1::Objective* second = two.mutable_config()->add_objectives();
  second->set_metric("latency");
  second->set_direction(v1::DIRECTION_MINIMIZE);
  grpc::ClientContext context;
  v1::Study refused;
  const grpc::Status status =
      server_->studies().CreateStudy(&context, two, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("stopping.target_value"));
}

TEST_P(ApiTest, ListTrialsPagesAndReportsChangesSinceASequence) {
  const int64_t study_id = MustCreate(BasicStudyRequest("paging")).id();
  v1::SuggestTrialsResponse suggested;
  ASSERT_TRUE(Suggest(study_id, 25, &suggested).ok());
  ASSERT_EQ(suggested.trials_size(), 25);

  std::vector<int64_t> numbers;
  v1::ListTrialsRequest list;
  list.set_study_id(study_id);
  list.set_page_size(10);
  int64_t sequence = 0;
  do {
    v1::ListTrialsResponse page;
    grpc::ClientContext context;
    ASSERT_TRUE(server_->trials().ListTrials(&context, list, &page).ok());
    for (const v1::Trial& trial : page.trials()) {
      numbers.push_back(trial.number());
    }
    sequence = page.sequence();
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  ASSERT_EQ(numbers.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(numbers[i], i);

  v1::CompleteTrialRequest complete;
  complete.set_trial_id(suggested.trials(4).id());
  complete.set_state(v1::TRIAL_STATE_FAILED);
  complete.set_fail_reason("diverged");
  v1::Trial failed;
  ASSERT_TRUE(Complete(complete, &failed).ok());

  v1::ListTrialsRequest changes;
  changes.set_study_id(study_id);
  changes.set_changed_since(sequence);
  v1::ListTrialsResponse changed;
  grpc::ClientContext context;
  ASSERT_TRUE(server_->trials().ListTrials(&context, changes, &changed).ok());
  ASSERT_EQ(changed.trials_size(), 1);
  EXPECT_EQ(changed.trials(0).number(), 4);
  EXPECT_EQ(changed.trials(0).state(), v1::TRIAL_STATE_FAILED);
  EXPECT_EQ(changed.trials(0).fail_reason(), "diverged");
  EXPECT_GT(changed.sequence(), sequence);

  v1::ListTrialsRequest by_state;
  by_state.set_study_id(study_id);
  by_state.add_states(v1::TRIAL_STATE_FAILED);
  v1::ListTrialsResponse failed_only;
  grpc::ClientContext state_context;
  ASSERT_TRUE(server_->trials()
                  .ListTrials(&state_context, by_state, &failed_only)
                  .ok());
  EXPECT_EQ(failed_only.trials_size(), 1);
}

TEST_P(ApiTest, PauseResumeStopAndDelete) {
  const int64_t study_id = MustCreate(BasicStudyRequest("steer")).id();
  v1::UpdateStudyRequest update;
  update.set_study_id(study_id);
  update.set_state(v1::STUDY_STATE_PAUSED);
  v1::Study paused;
  grpc::ClientContext c1;
  ASSERT_TRUE(server_->studies().UpdateStudy(&c1, update, &paused).ok());
  EXPECT_EQ(paused.state(), v1::STUDY_STATE_PAUSED);
  v1::SuggestTrialsResponse none;
  ASSERT_TRUE(Suggest(study_id, 1, &none).ok());
  EXPECT_EQ(none.trials_size(), 0);
  EXPECT_FALSE(none.study_done());

  update.set_state(v1::STUDY_STATE_STOPPED);
  v1::Study stopped;
  grpc::ClientContext c2;
  ASSERT_TRUE(server_->studies().UpdateStudy(&c2, update, &stopped).ok());
  update.set_state(v1::STUDY_STATE_RUNNING);
  grpc::ClientContext c3;
  EXPECT_THAT(server_->studies().UpdateStudy(&c3, update, &stopped),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION,
                           HasSubstr("STOPPED")));

  v1::DeleteStudyRequest remove;
  remove.set_study_id(study_id);
  v1::DeleteStudyResponse removed;
  grpc::ClientContext c4;
  ASSERT_TRUE(server_->studies().DeleteStudy(&c4, remove, &removed).ok());
  EXPECT_EQ(StudyCount(), 0);
}

TEST_P(ApiTest, HeartbeatExtendsLeasesAndStopsTrialsOfAStoppedStudy) {
  const int64_t study_id = MustCreate(BasicStudyRequest("heartbeat")).id();
  const v1::Trial trial = MustSuggestOne(study_id);
  v1::HeartbeatRequest heartbeat;
  heartbeat.add_trial_ids(trial.id());
  v1::HeartbeatResponse beat;
  grpc::ClientContext c1;
  ASSERT_TRUE(server_->trials().Heartbeat(&c1, heartbeat, &beat).ok());
  ASSERT_EQ(beat.directives_size(), 1);
  EXPECT_FALSE(beat.directives(0).stop());
  EXPECT_GE(beat.directives(0).lease_deadline().seconds(),
            trial.lease_deadline().seconds());

  v1::UpdateStudyRequest update;
  update.set_study_id(study_id);
  update.set_state(v1::STUDY_STATE_STOPPED);
  v1::Study stopped;
  grpc::ClientContext c2;
  ASSERT_TRUE(server_->studies().UpdateStudy(&c2, update, &stopped).ok());
  grpc::ClientContext c3;
  ASSERT_TRUE(server_->trials().Heartbeat(&c3, heartbeat, &beat).ok());
  EXPECT_TRUE(beat.directives(0).stop());
  EXPECT_THAT(beat.directives(0).reason(), HasSubstr("stopped"));
}

TEST_P(ApiTest, ALostTrialRunsAgainUnderTheRetryPolicy) {
  v1::CreateStudyRequest request = BasicStudyRequest("retries");
  request.mutable_config()->set_max_stale_retries(1);
  request.mutable_config()->mutable_lease_duration()->set_nanos(1'000'000);
  const v1::Study created = MustCreate(request);
  EXPECT_EQ(created.config().max_stale_retries(), 1);
  const v1::Trial lost = MustSuggestOne(created.id());
  EXPECT_FALSE(lost.has_retry_of());
  absl::SleepFor(absl::Milliseconds(5));
  ASSERT_OK_AND_ASSIGN(int expired, server_->tuner().ExpireLeases());
  EXPECT_EQ(expired, 1);

  grpc::ClientContext get_context;
  v1::GetStudyRequest get;
  get.set_id(created.id());
  v1::Study study;
  ASSERT_TRUE(server_->studies().GetStudy(&get_context, get, &study).ok());
  EXPECT_EQ(study.trial_counts().stale(), 1);
  EXPECT_EQ(study.trial_counts().retried(), 1);
  EXPECT_EQ(study.trial_counts().waiting(), 1);

  const v1::Trial retry = MustSuggestOne(created.id());
  EXPECT_EQ(retry.number(), 1);
  ASSERT_TRUE(retry.has_retry_of());
  EXPECT_EQ(retry.retry_of(), lost.number());
  EXPECT_EQ(retry.parameters().size(), lost.parameters().size());
  for (const auto& [name, value] : lost.parameters()) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        retry.parameters().at(name), value))
        << name;
  }
  // A late result of the lost trial is refused and names the retry.
  v1::CompleteTrialRequest late;
  late.set_trial_id(lost.id());
  late.set_state(v1::TRIAL_STATE_COMPLETED);
  late.add_values(0.5);
  v1::Trial refused;
  EXPECT_THAT(
      Complete(late, &refused),
      GrpcStatusIs(
          grpc::StatusCode::FAILED_PRECONDITION,
          AllOf(HasSubstr("STALE"),
                HasSubstr(absl::StrCat("run again as trial ", retry.id())))));
}

}  // namespace knob::testing

// Every bad input gets the right gRPC code, a message naming the field and
// the value at fault, and changes nothing.
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/server/api/api_fixture.h"

namespace knob::testing {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kObjective[] =
    "objectives { metric: 'loss' direction: DIRECTION_MINIMIZE } ";

TEST_P(ApiTest, InvalidSearchSpacesAreRefused) {
  const std::string o = kObjective;
  const std::vector<BadStudy> cases = {
      {"empty name",
       o + "parameters { name: '' float_domain { max: 1 } }",
       {"parameters[0]", "name"}},
      {"duplicate name",
       o + "parameters { name: 'lr' float_domain { max: 1 } }"
           "parameters { name: 'lr' float_domain { max: 2 } }",
       {"parameters[1]", "\"lr\"", "duplicate"}},
      {"min >= max",
       o + "parameters { name: 'lr' float_domain { min: 2 max: 1 } }",
       {"\"lr\"", "min", "2"}},
      {"int min >= max",
       o + "parameters { name: 'n' int_domain { min: 5 max: 5 } }",
       {"\"n\"", "min", "5"}},
      {"log with min <= 0",
       o + "parameters { name: 'lr' float_domain { min: 0 max: 1 log_scale: "
           "true } }",
       {"\"lr\"", "log_scale", "min"}},
      {"empty categorical",
       o + "parameters { name: 'opt' categorical_domain {} }",
       {"\"opt\"", "choice"}},
      {"negative step",
       o + "parameters { name: 'lr' float_domain { min: 0 max: 1 step: -0.5 } "
           "}",
       {"\"lr\"", "step", "-0.5"}},
      {"int negative step",
       o + "parameters { name: 'n' int_domain { min: 0 max: 10 step: -2 } }",
       {"\"n\"", "step", "-2"}},
      {"missing parent",
       o + "parameters { name: 'momentum' float_domain { max: 1 } "
           "condition { parent: 'optimizer' values { string_value: 'sgd' } } }",
       {"\"momentum\"", "condition", "\"optimizer\""}},
      {"cycle",
       o + "parameters { name: 'a' categorical_domain { choices { int_value: 1 "
           "} } "
           "condition { parent: 'b' values { int_value: 1 } } }"
           "parameters { name: 'b' categorical_domain { choices { int_value: 1 "
           "} } "
           "condition { parent: 'a' values { int_value: 1 } } }",
       {"cycle"}},
      {"unknown sampler",
       o + "parameters { name: 'x' float_domain { max: 1 } }"
           "sampler { name: 'oracle' }",
       {"sampler.name", "\"oracle\""}},
      {"unknown sampler option",
       o + "parameters { name: 'x' float_domain { max: 1 } }"
           "sampler { name: 'random' options { key: 'temperature' value { "
           "double_value: 1 } } }",
       {"sampler.options.temperature"}},
      {"unknown pruner",
       o + "parameters { name: 'x' float_domain { max: 1 } }"
           "pruner { name: 'guillotine' }",
       {"pruner.name", "\"guillotine\""}},
      {"no objective",
       "parameters { name: 'x' float_domain { max: 1 } }",
       {"objectives"}},
      {"unset direction",
       "objectives { metric: 'loss' } parameters { name: 'x' float_domain { "
       "max: 1 } }",
       {"objectives[0].direction"}},
      {"negative retries",
       o + "parameters { name: 'x' float_domain { max: 1 } }"
           "max_stale_retries: -2",
       {"max_stale_retries", "-2"}},
  };
  for (const BadStudy& bad : cases) ExpectRefused(bad);
}

TEST_P(ApiTest, UnknownIdsAreNotFound) {
  grpc::ClientContext c1;
  v1::GetStudyRequest get;
  get.set_id(12345);
  v1::Study study;
  EXPECT_THAT(server_->studies().GetStudy(&c1, get, &study),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND,
                           HasSubstr("study_id: no study with id 12345")));
  v1::SuggestTrialsResponse suggested;
  EXPECT_THAT(Suggest(12345, 1, &suggested),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND,
                           HasSubstr("study_id: no study with id 12345")));
  grpc::ClientContext c2;
  get.set_name("nobody");
  EXPECT_THAT(server_->studies().GetStudy(&c2, get, &study),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND,
                           HasSubstr("name: no study named \"nobody\"")));
  v1::Trial trial;
  EXPECT_THAT(GetTrial(777, &trial),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND,
                           AllOf(HasSubstr("trial_id"), HasSubstr("777"))));
  v1::CompleteTrialRequest complete;
  complete.set_trial_id(777);
  complete.set_state(v1::TRIAL_STATE_COMPLETED);
  complete.add_values(1);
  EXPECT_THAT(Complete(complete, &trial),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("777")));
}

TEST_P(ApiTest, FinishedTrialsRefuseReportsAndCompletionsButReplaysSucceed) {
  const int64_t study_id = MustCreate(BasicStudyRequest("finished")).id();
  const int64_t trial_id = MustSuggestOne(study_id).id();
  v1::ReportIntermediateRequest early;
  early.set_trial_id(trial_id);
  early.set_step(1);
  early.set_value(0.5);
  early.set_request_id("report-1");
  v1::ReportIntermediateResponse early_answer;
  grpc::ClientContext early_context;
  ASSERT_TRUE(server_->trials()
                  .ReportIntermediate(&early_context, early, &early_answer)
                  .ok());
  v1::CompleteTrialRequest complete;
  complete.set_trial_id(trial_id);
  complete.set_state(v1::TRIAL_STATE_COMPLETED);
  complete.add_values(0.25);
  complete.set_request_id("complete-1");
  v1::Trial first;
  ASSERT_TRUE(Complete(complete, &first).ok());

  v1::Trial replay;
  ASSERT_TRUE(Complete(complete, &replay).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(replay, first))
      << replay.DebugString() << " vs " << first.DebugString();

  complete.set_request_id("complete-2");
  complete.set_values(0, 0.5);
  v1::Trial refused;
  EXPECT_THAT(
      Complete(complete, &refused),
      GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION,
                   AllOf(HasSubstr("trial_id"), HasSubstr("COMPLETED"))));

  v1::ReportIntermediateRequest report;
  report.set_trial_id(trial_id);
  report.set_step(3);
  report.set_value(0.1);
  report.set_request_id("late-report");
  v1::ReportIntermediateResponse reported;
  grpc::ClientContext context;
  EXPECT_THAT(server_->trials().ReportIntermediate(&context, report, &reported),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION,
                           HasSubstr("COMPLETED")));

  v1::Trial stored;
  ASSERT_TRUE(GetTrial(trial_id, &stored).ok());
  EXPECT_EQ(stored.values(0), 0.25);
  EXPECT_EQ(stored.intermediate_values_size(), 1);

  // The first report, retried after the trial ended, gets its answer back.
  v1::ReportIntermediateResponse replayed;
  grpc::ClientContext replay_context;
  ASSERT_TRUE(server_->trials()
                  .ReportIntermediate(&replay_context, early, &replayed)
                  .ok());
  EXPECT_EQ(replayed.should_prune(), early_answer.should_prune());
}

TEST_P(ApiTest, NonFiniteAndMiscountedObjectiveValuesAreRefused) {
  const int64_t study_id = MustCreate(BasicStudyRequest("values")).id();
  const int64_t trial_id = MustSuggestOne(study_id).id();
  const struct {
    std::vector<double> values;
    std::string expected;
  } cases[] = {
      {{std::nan("")}, "values[0]: must be a finite number, got nan"},
      {{std::numeric_limits<double>::infinity()}, "values[0]"},
      {{-std::numeric_limits<double>::infinity()}, "values[0]"},
      {{}, "values: the study has 1 objective(s), got 0"},
      {{1, 2}, "values: the study has 1 objective(s), got 2"},
  };
  for (const auto& bad : cases) {
    v1::CompleteTrialRequest complete;
    complete.set_trial_id(trial_id);
    complete.set_state(v1::TRIAL_STATE_COMPLETED);
    for (double value : bad.values) complete.add_values(value);
    v1::Trial trial;
    EXPECT_THAT(Complete(complete, &trial),
                GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                             HasSubstr(bad.expected)));
  }
  v1::Trial stored;
  ASSERT_TRUE(GetTrial(trial_id, &stored).ok());
  EXPECT_EQ(stored.state(), v1::TRIAL_STATE_RUNNING);
}

TEST_P(ApiTest, EnqueuedParametersOutsideTheSpaceAreRefused) {
  const int64_t study_id = MustCreate(BasicStudyRequest("enqueue")).id();
  const struct {
    std::string parameters;
    std::string expected;
  } cases[] = {
      {"parameters { key: 'x' value { double_value: 7 } }"
       "parameters { key: 'y' value { int_value: 2 } }"
       "parameters { key: 'kind' value { string_value: 'a' } }",
       "\"x\""},
      {"parameters { key: 'x' value { double_value: 1 } }"
       "parameters { key: 'y' value { int_value: 0 } }"
       "parameters { key: 'kind' value { string_value: 'a' } }",
       "\"y\""},
      {"parameters { key: 'x' value { double_value: 1 } }"
       "parameters { key: 'y' value { int_value: 2 } }"
       "parameters { key: 'kind' value { string_value: 'zzz' } }",
       "zzz"},
      {"parameters { key: 'x' value { double_value: 1 } }"
       "parameters { key: 'kind' value { string_value: 'a' } }",
       "\"y\""},
      {"parameters { key: 'x' value { double_value: 1 } }"
       "parameters { key: 'y' value { int_value: 2 } }"
       "parameters { key: 'kind' value { string_value: 'a' } }"
       "parameters { key: 'depth' value { int_value: 2 } }",
       "\"depth\""},
  };
  for (const auto& bad : cases) {
    v1::EnqueueTrialRequest request =
        ParseText<v1::EnqueueTrialRequest>(bad.parameters);
    request.set_study_id(study_id);
    v1::Trial trial;
    grpc::ClientContext context;
    EXPECT_THAT(
        server_->trials().EnqueueTrial(&context, request, &trial),
        GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                     AllOf(HasSubstr("parameters"), HasSubstr(bad.expected))));
  }
  EXPECT_EQ(TrialCount(study_id), 0);
}

TEST_P(ApiTest, RequestsAboveTheSizeLimitAreRefused) {
  v1::CreateStudyRequest request = BasicStudyRequest("huge");
  (*request.mutable_metadata())["notes"] =
      std::string(TestServer::kMaxRequestBytes + 1, 'x');
  v1::Study study;
  EXPECT_THAT(CreateStudy(request, &study),
              GrpcStatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED, ::testing::_));
  EXPECT_EQ(StudyCount(), 0);
}

// Text PostgreSQL cannot hold (a NUL character) or cannot index (an
// identifier of kilobytes) is refused where it enters, naming the field,
// whichever storage runs behind.
TEST_P(ApiTest, UnstorableStringsAreRefusedNamingTheField) {
  const int64_t study_id = MustCreate(BasicStudyRequest("strings")).id();
  const std::string nul("a\0b", 3);
  // Random letters: PostgreSQL compresses a repetitive index entry, which
  // would then fit.
  std::string huge;
  std::mt19937 random(7);
  for (int i = 0; i < 5000; ++i) huge += static_cast<char>('a' + random() % 26);

  v1::CreateStudyRequest named = BasicStudyRequest("strings-meta");
  (*named.mutable_metadata())["owner"] = nul;
  v1::Study study;
  EXPECT_THAT(
      CreateStudy(named, &study),
      GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                   AllOf(HasSubstr("metadata[\"owner\"]"), HasSubstr("NUL"))));
  EXPECT_EQ(StudyCount(), 1);

  v1::SuggestTrialsRequest suggest;
  suggest.set_study_id(study_id);
  suggest.set_count(1);
  suggest.set_worker_id("w");
  (*suggest.mutable_environment())[nul] = "x";
  v1::SuggestTrialsResponse suggested;
  grpc::ClientContext c1;
  EXPECT_THAT(server_->trials().SuggestTrials(&c1, suggest, &suggested),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                           AllOf(HasSubstr("environment"), HasSubstr("key"),
                                 HasSubstr("NUL"))));
  suggest.clear_environment();
  suggest.set_request_id(huge);
  grpc::ClientContext c2;
  EXPECT_THAT(server_->trials().SuggestTrials(&c2, suggest, &suggested),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                           AllOf(HasSubstr("request_id"), HasSubstr("5000"))));

  const int64_t trial_id = MustSuggestOne(study_id).id();
  v1::CompleteTrialRequest complete;
  complete.set_trial_id(trial_id);
  complete.set_state(v1::TRIAL_STATE_COMPLETED);
  complete.add_values(1);
  (*complete.mutable_metrics())[huge] = 2;
  v1::Trial trial;
  EXPECT_THAT(Complete(complete, &trial),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                           AllOf(HasSubstr("metrics"), HasSubstr("key"),
                                 HasSubstr("5000"))));
  complete.clear_metrics();
  complete.set_fail_reason(nul);
  EXPECT_THAT(Complete(complete, &trial),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                           AllOf(HasSubstr("fail_reason"), HasSubstr("NUL"))));

  // Nothing was stored: the trial is still running, the study holds it alone.
  ASSERT_TRUE(GetTrial(trial_id, &trial).ok());
  EXPECT_EQ(trial.state(), v1::TRIAL_STATE_RUNNING);
  EXPECT_EQ(TrialCount(study_id), 1);
  // A long free-text field is fine: only identifiers are bounded.
  complete.set_fail_reason(std::string(5000, 'f'));
  complete.set_state(v1::TRIAL_STATE_FAILED);
  complete.clear_values();
  EXPECT_TRUE(Complete(complete, &trial).ok());
}

TEST_P(ApiTest, BadCountsAndPageSizesAreRefused) {
  const int64_t study_id = MustCreate(BasicStudyRequest("counts")).id();
  v1::SuggestTrialsResponse response;
  EXPECT_THAT(
      Suggest(study_id, 0, &response),
      GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                   HasSubstr("count: must be between 1 and 100, got 0")));
  EXPECT_THAT(
      Suggest(study_id, 101, &response),
      GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("got 101")));
  v1::ListStudiesRequest list;
  list.set_page_size(-1);
  v1::ListStudiesResponse listed;
  grpc::ClientContext context;
  EXPECT_THAT(
      server_->studies().ListStudies(&context, list, &listed),
      GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("page_size")));
}

TEST_P(ApiTest, CreatingANameWithAnotherConfigIsAlreadyExists) {
  MustCreate(BasicStudyRequest("taken"));
  v1::CreateStudyRequest other = BasicStudyRequest("taken");
  other.mutable_config()->mutable_parameters(1)->mutable_int_domain()->set_max(
      20);
  v1::Study study;
  EXPECT_THAT(CreateStudy(other, &study),
              GrpcStatusIs(grpc::StatusCode::ALREADY_EXISTS,
                           AllOf(HasSubstr("\"taken\""), HasSubstr("\"y\""),
                                 HasSubstr("max=10"), HasSubstr("max=20"))));
  // The same config again is the same study.
  v1::Study again = MustCreate(BasicStudyRequest("taken"));
  EXPECT_EQ(StudyCount(), 1);
}

}  // namespace knob::testing

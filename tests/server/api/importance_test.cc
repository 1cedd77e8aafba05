// Parameter importance through the API: the answer for a study whose loss
// depends on one parameter, and the errors that name what is wrong.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "tests/server/api/api_fixture.h"

namespace knob::testing {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// A random-sampled BasicStudyRequest study.
v1::CreateStudyRequest RandomStudyRequest(const std::string& name) {
  v1::CreateStudyRequest request = BasicStudyRequest(name);
  request.mutable_config()->mutable_sampler()->set_name("random");
  return request;
}

// Suggests and completes `count` trials with loss = 10 * x + y / 10 (y in
// 1..10: at most a tenth of x's effect).
void CompleteTrials(TestServer& server, int64_t study_id, int count) {
  for (int i = 0; i < count; ++i) {
    v1::SuggestTrialsRequest suggest;
    suggest.set_study_id(study_id);
    suggest.set_count(1);
    suggest.set_worker_id("importance-test");
    v1::SuggestTrialsResponse suggested;
    grpc::ClientContext suggest_context;
    ASSERT_TRUE(server.trials()
                    .SuggestTrials(&suggest_context, suggest, &suggested)
                    .ok());
    ASSERT_EQ(suggested.trials_size(), 1);
    const v1::Trial& trial = suggested.trials(0);
    v1::CompleteTrialRequest complete;
    complete.set_trial_id(trial.id());
    complete.set_state(v1::TRIAL_STATE_COMPLETED);
    complete.add_values(10 * trial.parameters().at("x").double_value() +
                        trial.parameters().at("y").int_value() / 10.0);
    v1::Trial completed;
    grpc::ClientContext complete_context;
    ASSERT_TRUE(server.trials()
                    .CompleteTrial(&complete_context, complete, &completed)
                    .ok());
  }
}

grpc::Status Importances(TestServer& server,
                         const v1::GetParamImportancesRequest& request,
                         v1::GetParamImportancesResponse* response) {
  grpc::ClientContext context;
  return server.studies().GetParamImportances(&context, request, response);
}

TEST_P(ApiTest, ParamImportancesRankTheParameterThatDrivesTheLoss) {
  const v1::Study study = MustCreate(RandomStudyRequest("importance"));
  CompleteTrials(*server_, study.id(), 40);
  v1::GetParamImportancesRequest request;
  request.set_study_id(study.id());
  v1::GetParamImportancesResponse response;
  ASSERT_TRUE(Importances(*server_, request, &response).ok());
  EXPECT_EQ(response.trial_count(), 40);
  ASSERT_EQ(response.importances_size(), 3);
  EXPECT_EQ(response.importances(0).parameter(), "x");
  EXPECT_GT(response.importances(0).importance(), 0.8);
  double total = 0;
  for (const v1::ParamImportance& entry : response.importances()) {
    total += entry.importance();
  }
  EXPECT_NEAR(total, 1, 1e-9);

  // The study's seed makes the answer repeatable.
  v1::GetParamImportancesResponse again;
  ASSERT_TRUE(Importances(*server_, request, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), response.SerializeAsString());

  request.add_parameters("kind");
  request.add_parameters("y");
  v1::GetParamImportancesResponse listed;
  ASSERT_TRUE(Importances(*server_, request, &listed).ok());
  EXPECT_EQ(listed.trial_count(), 40);
  std::vector<std::string> names;
  for (const v1::ParamImportance& entry : listed.importances()) {
    names.push_back(entry.parameter());
  }
  EXPECT_THAT(names, UnorderedElementsAre("kind", "y"));
}

TEST_P(ApiTest, ParamImportanceErrorsNameWhatIsWrong) {
  v1::GetParamImportancesRequest request;
  request.set_study_id(999);
  v1::GetParamImportancesResponse response;
  EXPECT_THAT(Importances(*server_, request, &response),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("999")));

  const v1::Study study = MustCreate(RandomStudyRequest("few-trials"));
  request.set_study_id(study.id());
  CompleteTrials(*server_, study.id(), 1);
  MustSuggestOne(study.id());
  EXPECT_THAT(Importances(*server_, request, &response),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION,
                           HasSubstr("at least 2 completed trials; the study "
                                     "has 1")));

  CompleteTrials(*server_, study.id(), 1);
  request.set_objective_index(1);
  EXPECT_THAT(
      Importances(*server_, request, &response),
      GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                   AllOf(HasSubstr("objective_index"), HasSubstr("got 1"))));
  request.set_objective_index(0);
  request.add_parameters("depth");
  EXPECT_THAT(
      Importances(*server_, request, &response),
      GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                   AllOf(HasSubstr("parameters"), HasSubstr("\"depth\""))));
}

}  // namespace knob::testing

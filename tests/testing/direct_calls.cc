#include "tests/testing/direct_calls.h"

#include <string>
#include <utility>

namespace knob::testing {
namespace {

// Not client/grpc_status.h: that conversion is under test in client tests.
absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

template <typename Response>
absl::StatusOr<Response> Result(const grpc::Status& status, Response response) {
  if (!status.ok()) return FromGrpc(status);
  return response;
}

}  // namespace

absl::StatusOr<v1::Study> CreateStudy(TestServer& server,
                                      const v1::CreateStudyRequest& request) {
  grpc::ClientContext context;
  v1::Study study;
  const grpc::Status status =
      server.studies().CreateStudy(&context, request, &study);
  return Result(status, std::move(study));
}

absl::StatusOr<v1::Study> GetStudy(TestServer& server, int64_t study_id) {
  v1::GetStudyRequest request;
  request.set_id(study_id);
  grpc::ClientContext context;
  v1::Study study;
  const grpc::Status status =
      server.studies().GetStudy(&context, request, &study);
  return Result(status, std::move(study));
}

absl::StatusOr<v1::Study> SetStudyState(TestServer& server, int64_t study_id,
                                        v1::StudyState state) {
  v1::UpdateStudyRequest request;
  request.set_study_id(study_id);
  request.set_state(state);
  grpc::ClientContext context;
  v1::Study study;
  const grpc::Status status =
      server.studies().UpdateStudy(&context, request, &study);
  return Result(status, std::move(study));
}

absl::StatusOr<std::vector<v1::Trial>> SuggestTrials(TestServer& server,
                                                     int64_t study_id,
                                                     int count) {
  v1::SuggestTrialsRequest request;
  request.set_study_id(study_id);
  request.set_count(count);
  request.set_worker_id("direct-calls");
  grpc::ClientContext context;
  v1::SuggestTrialsResponse response;
  const grpc::Status status =
      server.trials().SuggestTrials(&context, request, &response);
  return Result(status, std::vector<v1::Trial>(response.trials().begin(),
                                               response.trials().end()));
}

absl::StatusOr<v1::Trial> CompleteTrial(
    TestServer& server, const v1::CompleteTrialRequest& request) {
  grpc::ClientContext context;
  v1::Trial trial;
  const grpc::Status status =
      server.trials().CompleteTrial(&context, request, &trial);
  return Result(status, std::move(trial));
}

absl::StatusOr<v1::Trial> GetTrial(TestServer& server, int64_t trial_id) {
  v1::GetTrialRequest request;
  request.set_trial_id(trial_id);
  grpc::ClientContext context;
  v1::Trial trial;
  const grpc::Status status =
      server.trials().GetTrial(&context, request, &trial);
  return Result(status, std::move(trial));
}

absl::StatusOr<std::vector<v1::Trial>> ListTrials(TestServer& server,
                                                  int64_t study_id) {
  std::vector<v1::Trial> trials;
  v1::ListTrialsRequest request;
  request.set_study_id(study_id);
  do {
    grpc::ClientContext context;
    v1::ListTrialsResponse response;
    const grpc::Status status =
        server.trials().ListTrials(&context, request, &response);
    if (!status.ok()) return FromGrpc(status);
    trials.insert(trials.end(), response.trials().begin(),
                  response.trials().end());
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return trials;
}

}  // namespace knob::testing

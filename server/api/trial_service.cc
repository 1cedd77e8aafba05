#include "server/api/trial_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/api/serve.h"
#include "server/util/status_macros.h"

namespace knob::api {

grpc::ServerUnaryReactor* TrialService::SuggestTrials(
    grpc::CallbackServerContext* context,
    const v1::SuggestTrialsRequest* request,
    v1::SuggestTrialsResponse* response) {
  return serve_(context, *request, [this, request, response]() -> absl::Status {
    SuggestInput input;
    input.study_id = request->study_id();
    input.count = request->count();
    input.worker_id = request->worker_id();
    input.request_id = request->request_id();
    input.environment.insert(request->environment().begin(),
                             request->environment().end());
    ASSIGN_OR_RETURN(SuggestResult result, tuner_.Suggest(input));
    for (const Trial& trial : result.trials) {
      ToProto(trial, response->add_trials());
    }
    response->set_study_done(result.study_done);
    response->set_done_reason(result.done_reason);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TrialService::Heartbeat(
    grpc::CallbackServerContext* context, const v1::HeartbeatRequest* request,
    v1::HeartbeatResponse* response) {
  return serve_(context, *request, [this, request, response]() -> absl::Status {
    std::vector<int64_t> trial_ids(request->trial_ids().begin(),
                                   request->trial_ids().end());
    ASSIGN_OR_RETURN(std::vector<TrialDirective> directives,
                     tuner_.Heartbeat(trial_ids, request->worker_id()));
    for (const TrialDirective& directive : directives) {
      v1::TrialDirective* out = response->add_directives();
      out->set_trial_id(directive.trial_id);
      out->set_stop(directive.stop);
      out->set_reason(directive.reason);
      if (directive.lease_deadline) {
        ToProto(*directive.lease_deadline, out->mutable_lease_deadline());
      }
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TrialService::ReportIntermediate(
    grpc::CallbackServerContext* context,
    const v1::ReportIntermediateRequest* request,
    v1::ReportIntermediateResponse* response) {
  return serve_(context, *request, [this, request, response]() -> absl::Status {
    ReportInput input;
    input.trial_id = request->trial_id();
    input.value.step = request->step();
    input.value.metric = request->metric();
    input.value.value = request->value();
    input.value.request_id = request->request_id();
    ASSIGN_OR_RETURN(PruneDecision decision,
                     tuner_.ReportIntermediate(std::move(input)));
    response->set_should_prune(decision.prune);
    response->set_reason(decision.reason);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TrialService::CompleteTrial(
    grpc::CallbackServerContext* context,
    const v1::CompleteTrialRequest* request, v1::Trial* response) {
  return serve_(context, *request, [this, request, response]() -> absl::Status {
    CompleteInput input;
    input.trial_id = request->trial_id();
    ASSIGN_OR_RETURN(input.outcome.state, FromProto(request->state(), "state"));
    input.outcome.values.assign(request->values().begin(),
                                request->values().end());
    input.outcome.metrics.insert(request->metrics().begin(),
                                 request->metrics().end());
    input.outcome.fail_reason = request->fail_reason();
    input.outcome.request_id = request->request_id();
    ASSIGN_OR_RETURN(Trial trial, tuner_.Complete(input));
    ToProto(trial, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TrialService::EnqueueTrial(
    grpc::CallbackServerContext* context,
    const v1::EnqueueTrialRequest* request, v1::Trial* response) {
  return serve_(context, *request, [this, request, response]() -> absl::Status {
    ASSIGN_OR_RETURN(ParamAssignment params,
                     FromProto(request->parameters(), "parameters"));
    ASSIGN_OR_RETURN(Trial trial, tuner_.Enqueue(request->study_id(), params,
                                                 request->request_id()));
    ToProto(trial, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TrialService::GetTrial(
    grpc::CallbackServerContext* context, const v1::GetTrialRequest* request,
    v1::Trial* response) {
  return serve_(context, *request, [this, request, response]() -> absl::Status {
    ASSIGN_OR_RETURN(Trial trial, tuner_.GetTrial(request->trial_id()));
    ToProto(trial, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TrialService::ListTrials(
    grpc::CallbackServerContext* context, const v1::ListTrialsRequest* request,
    v1::ListTrialsResponse* response) {
  return serve_(context, *request, [this, request, response]() -> absl::Status {
    if (request->page_size() < 0 || request->page_size() > 10000) {
      return absl::InvalidArgumentError(
          absl::StrCat("page_size: must be between 0 and 10000, got ",
                       request->page_size()));
    }
    if (request->changed_since() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "changed_since: must be >= 0, got ", request->changed_since()));
    }
    TrialQuery query;
    query.study_id = request->study_id();
    for (int i = 0; i < request->states_size(); ++i) {
      ASSIGN_OR_RETURN(
          TrialState state,
          FromProto(request->states(i), absl::StrCat("states[", i, "]")));
      query.states.push_back(state);
    }
    query.changed_since = request->changed_since();
    query.page_size = request->page_size() == 0 ? 1000 : request->page_size();
    query.page_token = request->page_token();
    ASSIGN_OR_RETURN(TrialListing listing, tuner_.ListTrials(query));
    for (const Trial& trial : listing.page.items) {
      ToProto(trial, response->add_trials());
    }
    response->set_next_page_token(listing.page.next_page_token);
    response->set_sequence(listing.sequence);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* TrialService::GetBestTrials(
    grpc::CallbackServerContext* context,
    const v1::GetBestTrialsRequest* request,
    v1::GetBestTrialsResponse* response) {
  return serve_(context, *request, [this, request, response]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<Trial> best,
                     tuner_.BestTrials(request->study_id()));
    for (const Trial& trial : best) ToProto(trial, response->add_trials());
    return absl::OkStatus();
  });
}

}  // namespace knob::api

#include "server/api/study_service.h"

#include <iterator>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/api/serve.h"
#include "server/importance/param_importance.h"
#include "server/util/status_macros.h"

namespace knob::api {
namespace {

// Most trials one page of the listing holds: importance reads them all.
constexpr int kTrialPageSize = 10000;

absl::StatusOr<std::vector<Trial>> CompletedTrials(Tuner& tuner,
                                                   int64_t study_id) {
  TrialQuery query;
  query.study_id = study_id;
  query.states = {TrialState::kCompleted};
  query.page_size = kTrialPageSize;
  std::vector<Trial> trials;
  do {
    ASSIGN_OR_RETURN(TrialListing listing, tuner.ListTrials(query));
    std::move(listing.page.items.begin(), listing.page.items.end(),
              std::back_inserter(trials));
    query.page_token = std::move(listing.page.next_page_token);
  } while (!query.page_token.empty());
  return trials;
}

}  // namespace

grpc::ServerUnaryReactor* StudyService::CreateStudy(
    grpc::CallbackServerContext* context, const v1::CreateStudyRequest* request,
    v1::Study* response) {
  return serve_(context, *request, [this, request, response]() -> absl::Status {
    CreateStudyInput input;
    input.name = request->name();
    ASSIGN_OR_RETURN(input.config, FromProto(request->config()));
    input.seed_given = request->config().has_seed();
    input.lease_given = request->config().has_lease_duration();
    input.metadata.insert(request->metadata().begin(),
                          request->metadata().end());
    ASSIGN_OR_RETURN(StudyInfo study, tuner_.CreateStudy(std::move(input)));
    ToProto(study, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* StudyService::GetStudy(
    grpc::CallbackServerContext* context, const v1::GetStudyRequest* request,
    v1::Study* response) {
  return serve_(context, *request, [this, request, response]() -> absl::Status {
    absl::StatusOr<StudyInfo> study;
    switch (request->study_case()) {
      case v1::GetStudyRequest::kId:
        study = tuner_.GetStudy(request->id());
        break;
      case v1::GetStudyRequest::kName:
        study = tuner_.GetStudyByName(request->name());
        break;
      case v1::GetStudyRequest::STUDY_NOT_SET:
        return absl::InvalidArgumentError("study: set id or name");
    }
    RETURN_IF_ERROR(study.status());
    ToProto(*study, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* StudyService::ListStudies(
    grpc::CallbackServerContext* context, const v1::ListStudiesRequest* request,
    v1::ListStudiesResponse* response) {
  return serve_(context, *request, [this, request, response]() -> absl::Status {
    StudyQuery query;
    if (request->page_size() < 0 || request->page_size() > 1000) {
      return absl::InvalidArgumentError(absl::StrCat(
          "page_size: must be between 0 and 1000, got ", request->page_size()));
    }
    query.page_size = request->page_size() == 0 ? 100 : request->page_size();
    query.page_token = request->page_token();
    ASSIGN_OR_RETURN(query.state, FromProto(request->state(), "state"));
    ASSIGN_OR_RETURN(Page<StudyInfo> page, tuner_.ListStudies(query));
    for (const StudyInfo& study : page.items) {
      ToProto(study, response->add_studies());
    }
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* StudyService::UpdateStudy(
    grpc::CallbackServerContext* context, const v1::UpdateStudyRequest* request,
    v1::Study* response) {
  return serve_(context, *request, [this, request, response]() -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<StudyState> state,
                     FromProto(request->state(), "state"));
    std::optional<std::map<std::string, std::string>> metadata;
    if (request->update_metadata()) {
      metadata.emplace(request->metadata().begin(), request->metadata().end());
    }
    ASSIGN_OR_RETURN(
        StudyInfo study,
        tuner_.UpdateStudy(request->study_id(), state, std::move(metadata)));
    ToProto(study, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* StudyService::DeleteStudy(
    grpc::CallbackServerContext* context, const v1::DeleteStudyRequest* request,
    v1::DeleteStudyResponse*) {
  return serve_(context, *request, [this, request]() {
    return tuner_.DeleteStudy(request->study_id());
  });
}

grpc::ServerUnaryReactor* StudyService::GetParamImportances(
    grpc::CallbackServerContext* context,
    const v1::GetParamImportancesRequest* request,
    v1::GetParamImportancesResponse* response) {
  return serve_(context, *request, [this, request, response]() -> absl::Status {
    ASSIGN_OR_RETURN(StudyInfo info, tuner_.GetStudy(request->study_id()));
    ASSIGN_OR_RETURN(std::vector<Trial> trials,
                     CompletedTrials(tuner_, request->study_id()));
    importance::ImportanceQuery query;
    query.objective_index = request->objective_index();
    query.parameters.assign(request->parameters().begin(),
                            request->parameters().end());
    importance::ForestOptions forest;
    forest.seed = info.study.config.seed;
    ASSIGN_OR_RETURN(importance::ImportanceReport report,
                     importance::ComputeParamImportances(
                         info.study.config, trials, query, forest));
    for (const importance::ParamImportance& entry : report.importances) {
      v1::ParamImportance* proto = response->add_importances();
      proto->set_parameter(entry.parameter);
      proto->set_importance(entry.importance);
    }
    response->set_trial_count(report.trial_count);
    return absl::OkStatus();
  });
}

}  // namespace knob::api

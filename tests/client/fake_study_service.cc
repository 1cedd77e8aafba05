#include <google/protobuf/util/message_differencer.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/client/fake_knob_server.h"

namespace knob::testing {
namespace {

using State = FakeKnobServer::State;

grpc::Status NotFound(int64_t id) {
  return grpc::Status(grpc::StatusCode::NOT_FOUND,
                      absl::StrCat("study ", id, " does not exist"));
}

class FakeStudyService final : public v1::StudyService::Service {
 public:
  explicit FakeStudyService(State& state) : state_(state) {}

  grpc::Status CreateStudy(grpc::ServerContext*,
                           const v1::CreateStudyRequest* request,
                           v1::Study* study) override {
    absl::MutexLock lock(&state_.mu);
    if (grpc::Status s = state_.Enter("CreateStudy", ""); !s.ok()) return s;
    if (request->name().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "name: must not be empty");
    }
    for (const auto& [id, existing] : state_.studies) {
      if (existing.name() != request->name()) continue;
      if (!google::protobuf::util::MessageDifferencer::Equals(
              existing.config(), request->config())) {
        return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                            absl::StrCat("study \"", request->name(),
                                         "\" exists with another config"));
      }
      *study = existing;
      return grpc::Status::OK;
    }
    study->set_id(state_.next_study_id++);
    study->set_name(request->name());
    *study->mutable_config() = request->config();
    study->set_state(v1::STUDY_STATE_RUNNING);
    study->mutable_metadata()->insert(request->metadata().begin(),
                                      request->metadata().end());
    study->mutable_create_time()->set_seconds(1700000000);
    state_.studies[study->id()] = *study;
    return grpc::Status::OK;
  }

  grpc::Status GetStudy(grpc::ServerContext*,
                        const v1::GetStudyRequest* request,
                        v1::Study* study) override {
    absl::MutexLock lock(&state_.mu);
    if (grpc::Status s = state_.Enter("GetStudy", ""); !s.ok()) return s;
    for (auto& [id, existing] : state_.studies) {
      if ((request->has_id() && id == request->id()) ||
          (request->has_name() && existing.name() == request->name())) {
        state_.Recount(existing);
        *study = existing;
        return grpc::Status::OK;
      }
    }
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("no study ", request->ShortDebugString()));
  }

  grpc::Status ListStudies(grpc::ServerContext*,
                           const v1::ListStudiesRequest* request,
                           v1::ListStudiesResponse* response) override {
    absl::MutexLock lock(&state_.mu);
    if (grpc::Status s = state_.Enter("ListStudies", ""); !s.ok()) return s;
    const int page_size = request->page_size() > 0 ? request->page_size() : 2;
    int64_t after = 0;
    if (!request->page_token().empty() &&
        !absl::SimpleAtoi(request->page_token(), &after)) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "page_token");
    }
    for (auto& [id, study] : state_.studies) {
      if (id <= after) continue;
      if (request->state() != v1::STUDY_STATE_UNSPECIFIED &&
          study.state() != request->state()) {
        continue;
      }
      if (response->studies_size() == page_size) {
        response->set_next_page_token(
            absl::StrCat(response->studies(page_size - 1).id()));
        break;
      }
      state_.Recount(study);
      *response->add_studies() = study;
    }
    return grpc::Status::OK;
  }

  grpc::Status UpdateStudy(grpc::ServerContext*,
                           const v1::UpdateStudyRequest* request,
                           v1::Study* study) override {
    absl::MutexLock lock(&state_.mu);
    if (grpc::Status s = state_.Enter("UpdateStudy", ""); !s.ok()) return s;
    v1::Study* existing = state_.FindStudy(request->study_id());
    if (existing == nullptr) return NotFound(request->study_id());
    if (request->state() != v1::STUDY_STATE_UNSPECIFIED) {
      existing->set_state(request->state());
    }
    if (request->update_metadata()) {
      *existing->mutable_metadata() = request->metadata();
    }
    *study = *existing;
    return grpc::Status::OK;
  }

  grpc::Status DeleteStudy(grpc::ServerContext*,
                           const v1::DeleteStudyRequest* request,
                           v1::DeleteStudyResponse*) override {
    absl::MutexLock lock(&state_.mu);
    if (grpc::Status s = state_.Enter("DeleteStudy", ""); !s.ok()) return s;
    if (state_.studies.erase(request->study_id()) == 0) {
      return NotFound(request->study_id());
    }
    std::erase_if(state_.trials, [&](const v1::Trial& trial) {
      return trial.study_id() == request->study_id();
    });
    return grpc::Status::OK;
  }

 private:
  State& state_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewFakeStudyService(State& state) {
  return std::make_unique<FakeStudyService>(state);
}

}  // namespace knob::testing

// knob.v1.StudyService over the Tuner: converts, delegates, converts back.
#ifndef KNOB_SERVER_API_STUDY_SERVICE_H_
#define KNOB_SERVER_API_STUDY_SERVICE_H_

#include "knob/v1/service.grpc.pb.h"
#include "server/api/serve.h"
#include "server/core/tuner.h"
#include "server/util/thread_pool.h"

namespace knob::api {

class StudyService final : public v1::StudyService::CallbackService {
 public:
  // `tuner` and `pool` must outlive the service.
  StudyService(Tuner& tuner, ThreadPool& pool) : tuner_(tuner), serve_(pool) {}

  grpc::ServerUnaryReactor* CreateStudy(grpc::CallbackServerContext* context,
                                        const v1::CreateStudyRequest* request,
                                        v1::Study* response) override;
  grpc::ServerUnaryReactor* GetStudy(grpc::CallbackServerContext* context,
                                     const v1::GetStudyRequest* request,
                                     v1::Study* response) override;
  grpc::ServerUnaryReactor* ListStudies(
      grpc::CallbackServerContext* context,
      const v1::ListStudiesRequest* request,
      v1::ListStudiesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateStudy(grpc::CallbackServerContext* context,
                                        const v1::UpdateStudyRequest* request,
                                        v1::Study* response) override;
  grpc::ServerUnaryReactor* DeleteStudy(
      grpc::CallbackServerContext* context,
      const v1::DeleteStudyRequest* request,
      v1::DeleteStudyResponse* response) override;
  // Reads the study's completed trials and computes the importances with
  // the study's seed (server/importance).
  grpc::ServerUnaryReactor* GetParamImportances(
      grpc::CallbackServerContext* context,
      const v1::GetParamImportancesRequest* request,
      v1::GetParamImportancesResponse* response) override;

 private:
  Tuner& tuner_;
  UnaryServer serve_;
};

}  // namespace knob::api

#endif  // KNOB_SERVER_API_STUDY_SERVICE_H_

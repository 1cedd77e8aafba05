// knob.v1.TrialService over the Tuner: converts, delegates, converts back.
#ifndef KNOB_SERVER_API_TRIAL_SERVICE_H_
#define KNOB_SERVER_API_TRIAL_SERVICE_H_

#include "knob/v1/service.grpc.pb.h"
#include "server/api/serve.h"
#include "server/core/tuner.h"
#include "server/util/thread_pool.h"

namespace knob::api {

class TrialService final : public v1::TrialService::CallbackService {
 public:
  // `tuner` and `pool` must outlive the service.
  TrialService(Tuner& tuner, ThreadPool& pool) : tuner_(tuner), serve_(pool) {}

  grpc::ServerUnaryReactor* SuggestTrials(
      grpc::CallbackServerContext* context,
      const v1::SuggestTrialsRequest* request,
      v1::SuggestTrialsResponse* response) override;
  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext* context,
                                      const v1::HeartbeatRequest* request,
                                      v1::HeartbeatResponse* response) override;
  grpc::ServerUnaryReactor* ReportIntermediate(
      grpc::CallbackServerContext* context,
      const v1::ReportIntermediateRequest* request,
      v1::ReportIntermediateResponse* response) override;
  grpc::ServerUnaryReactor* CompleteTrial(
      grpc::CallbackServerContext* context,
      const v1::CompleteTrialRequest* request, v1::Trial* response) override;
  grpc::ServerUnaryReactor* EnqueueTrial(grpc::CallbackServerContext* context,
                                         const v1::EnqueueTrialRequest* request,
                                         v1::Trial* response) override;
  grpc::ServerUnaryReactor* GetTrial(grpc::CallbackServerContext* context,
                                     const v1::GetTrialRequest* request,
                                     v1::Trial* response) override;
  grpc::ServerUnaryReactor* ListTrials(
      grpc::CallbackServerContext* context,
      const v1::ListTrialsRequest* request,
      v1::ListTrialsResponse* response) override;
  grpc::ServerUnaryReactor* GetBestTrials(
      grpc::CallbackServerContext* context,
      const v1::GetBestTrialsRequest* request,
      v1::GetBestTrialsResponse* response) override;

 private:
  Tuner& tuner_;
  UnaryServer serve_;
};

}  // namespace knob::api

#endif  // KNOB_SERVER_API_TRIAL_SERVICE_H_

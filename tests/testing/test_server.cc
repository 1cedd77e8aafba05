#include "tests/testing/test_server.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace knob::testing {

TestServer::TestServer(std::unique_ptr<Storage> storage, const Clock& clock)
    : storage_(std::move(storage)),
      tuner_(*storage_, samplers_, pruners_, clock, TunerOptions{}),
      pool_(8),
      study_service_(tuner_, pool_),
      trial_service_(tuner_, pool_) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.SetMaxReceiveMessageSize(kMaxRequestBytes);
  builder.RegisterService(&study_service_);
  builder.RegisterService(&trial_service_);
  server_ = builder.BuildAndStart();
  address_ = absl::StrCat("127.0.0.1:", port);
  auto channel =
      grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
  study_stub_ = v1::StudyService::NewStub(channel);
  trial_stub_ = v1::TrialService::NewStub(channel);
}

TestServer::~TestServer() { server_->Shutdown(); }

}  // namespace knob::testing

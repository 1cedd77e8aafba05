#include "tests/testing/test_server.h"

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/observability/rpc_interceptor.h"
#include "server/util/status_macros.h"

namespace knob::testing {

TestServer::TestServer(std::unique_ptr<Storage> storage,
                       TestServerOptions options)
    : storage_(std::move(storage)),
      tuner_(*storage_, samplers_, pruners_, *options.clock,
             TunerOptions{.metrics = options.metrics}),
      pool_(8),
      study_service_(tuner_, pool_),
      trial_service_(tuner_, pool_) {
  // The Tuner reads the registry only once requests come, so it may still
  // grow here.
  if (options.add_pruners) CHECK_OK(options.add_pruners(pruners_));
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.SetMaxReceiveMessageSize(kMaxRequestBytes);
  builder.RegisterService(&study_service_);
  builder.RegisterService(&trial_service_);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(CreateRpcObservingInterceptorFactory(
      *options.metrics,
      MethodsOfServices({v1::StudyService::service_full_name(),
                         v1::TrialService::service_full_name()})));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  address_ = absl::StrCat("127.0.0.1:", port);
  if (options.fault_proxy) proxy_ = std::make_unique<FaultProxy>(address_);
  auto channel =
      grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
  study_stub_ = v1::StudyService::NewStub(channel);
  trial_stub_ = v1::TrialService::NewStub(channel);
}

TestServer::~TestServer() {
  // Calls in flight through the proxy need the server to finish.
  proxy_.reset();
  server_->Shutdown();
}

const std::string& TestServer::address() const {
  return proxy_ != nullptr ? proxy_->address() : address_;
}

FaultProxy& TestServer::faults() {
  if (proxy_ == nullptr) {
    std::fprintf(stderr, "TestServer::faults() needs options.fault_proxy\n");
    std::abort();
  }
  return *proxy_;
}

}  // namespace knob::testing

#include "client/knobctl/health.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>

#include "absl/strings/str_cat.h"
#include "client/grpc_status.h"
#include "client/knobctl/commands.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "server/util/status_macros.h"

namespace knob::knobctl {

absl::Status CheckServing(const std::shared_ptr<grpc::Channel>& channel,
                          absl::Duration timeout) {
  std::unique_ptr<grpc::health::v1::Health::Stub> stub =
      grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  grpc::health::v1::HealthCheckResponse response;
  RETURN_IF_ERROR(FromGrpcStatus(stub->Check(
      &context, grpc::health::v1::HealthCheckRequest(), &response)));
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return absl::UnavailableError(
        absl::StrCat("the server reports ",
                     grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                         response.status())));
  }
  return absl::OkStatus();
}

absl::Status RunHealth(CommandEnv& env, const Args& args) {
  const ClientOptions& options = env.client.options();
  // A channel of its own: the client's stubs cover the Knob services only.
  const std::shared_ptr<grpc::Channel> channel = grpc::CreateChannel(
      options.target, options.credentials != nullptr
                          ? options.credentials
                          : grpc::InsecureChannelCredentials());
  RETURN_IF_ERROR(CheckServing(channel, options.call_timeout));
  env.out << "SERVING\n";
  return absl::OkStatus();
}

}  // namespace knob::knobctl

#include "client/knobctl/health.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "client/knobctl/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "knob/v1/service.grpc.pb.h"
#include "tests/testing/status_matchers.h"

namespace knob::knobctl {
namespace {

using ::knob::testing::IsOk;
using ::knob::testing::StatusIs;
using ::testing::HasSubstr;

// A gRPC server with gRPC's built-in health service, the one knob-server
// enables, on a free loopback port. The built-in service needs a
// synchronous service beside it: an unimplemented StudyService will do.
class HealthTest : public ::testing::Test {
 protected:
  HealthTest() {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&study_service_);
    server_ = builder.BuildAndStart();
  }
  ~HealthTest() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  absl::Status RunHealthAgainst(const std::string& target) {
    ClientOptions options;
    options.target = target;
    options.call_timeout = absl::Seconds(5);
    Client client(options);
    const Command* command = FindCommand("health");
    EXPECT_NE(command, nullptr);
    CommandEnv env{.client = client, .flags = flags_, .out = out_};
    return command->run(env, {});
  }

  std::string Address() const { return absl::StrCat("127.0.0.1:", port_); }

  v1::StudyService::Service study_service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  CommandFlags flags_;
  std::ostringstream out_;
};

TEST_F(HealthTest, ServingServerPrintsServing) {
  ASSERT_NE(server_, nullptr);
  EXPECT_THAT(RunHealthAgainst(Address()), IsOk());
  EXPECT_EQ(out_.str(), "SERVING\n");
}

TEST_F(HealthTest, NotServingIsAnErrorNamingTheStatus) {
  ASSERT_NE(server_, nullptr);
  server_->GetHealthCheckService()->SetServingStatus(false);
  EXPECT_THAT(RunHealthAgainst(Address()),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("reports NOT_SERVING")));
  EXPECT_EQ(out_.str(), "");
}

TEST_F(HealthTest, NoServerIsUnavailable) {
  ASSERT_NE(server_, nullptr);
  const std::string address = Address();
  server_->Shutdown();
  server_.reset();
  EXPECT_THAT(RunHealthAgainst(address),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  EXPECT_EQ(out_.str(), "");
}

}  // namespace
}  // namespace knob::knobctl

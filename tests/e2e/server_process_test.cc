// The knob-server binary as an operator runs it: configuration through
// flags and KNOB_* variables, migrations, health checks, shutdown.
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/storage/postgres/migrator.h"
#include "tests/server/storage/postgres/test_database.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace knob::testing {
namespace {

using ::testing::HasSubstr;

class ServerProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat(
               "knob-server-test-", getpid(), "-",
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }

  std::string Log(const std::string& name) { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(ServerProcessTest, MigrateOnlyTakesTheDatabaseFromTheEnvironment) {
  ASSERT_OK_AND_ASSIGN(auto database, TestDatabase::Create(/*migrated=*/false));
  ASSERT_OK_AND_ASSIGN(int before, AppliedSchemaVersion(database->url()));
  EXPECT_EQ(before, 0);

  setenv("KNOB_DATABASE_URL", database->url().c_str(), 1);
  ASSERT_OK_AND_ASSIGN(Subprocess migrate,
                       Subprocess::Start({KNOB_SERVER_BINARY, "--migrate-only"},
                                         Log("migrate.log")));
  absl::StatusOr<int> code = migrate.Wait(absl::Seconds(60));
  unsetenv("KNOB_DATABASE_URL");
  ASSERT_OK(code);
  EXPECT_EQ(*code, 0) << ReadFile(Log("migrate.log"));
  ASSERT_OK_AND_ASSIGN(int after, AppliedSchemaVersion(database->url()));
  EXPECT_GE(after, 1);
}

TEST_F(ServerProcessTest, RefusesToStartWithoutADatabase) {
  ASSERT_OK_AND_ASSIGN(
      Subprocess server,
      Subprocess::Start({KNOB_SERVER_BINARY, "--listen=127.0.0.1:0"},
                        Log("server.log")));
  absl::StatusOr<int> code = server.Wait(absl::Seconds(30));
  ASSERT_OK(code);
  EXPECT_NE(*code, 0);
  EXPECT_THAT(ReadFile(Log("server.log")), HasSubstr("--database_url"));
}

TEST_F(ServerProcessTest, ReportsAnUnreachableDatabase) {
  // Port 1 on loopback refuses connections at once.
  ASSERT_OK_AND_ASSIGN(
      Subprocess server,
      Subprocess::Start({KNOB_SERVER_BINARY, "--listen=127.0.0.1:0",
                         "--database_url=postgresql://nobody@127.0.0.1:1/knob"},
                        Log("server.log")));
  absl::StatusOr<int> code = server.Wait(absl::Seconds(60));
  ASSERT_OK(code);
  EXPECT_NE(*code, 0);
  EXPECT_THAT(ReadFile(Log("server.log")), HasSubstr("UNAVAILABLE"));
}

TEST_F(ServerProcessTest, ServesHealthChecksAndStopsCleanlyOnSigterm) {
  ASSERT_OK_AND_ASSIGN(auto database, TestDatabase::Create(/*migrated=*/false));
  const std::string port_file = (dir_ / "port").string();
  ASSERT_OK_AND_ASSIGN(
      Subprocess server,
      Subprocess::Start(
          {KNOB_SERVER_BINARY, "--listen=127.0.0.1:0",
           "--database-url=" + database->url(), "--port-file=" + port_file},
          Log("server.log")));
  absl::StatusOr<std::string> port =
      WaitForFileLine(port_file, absl::Seconds(60));
  ASSERT_OK(port) << ReadFile(Log("server.log"));

  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", *port),
                                     grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(health->Check(&context, request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  server.Signal(SIGTERM);
  absl::StatusOr<int> code = server.Wait(absl::Seconds(30));
  ASSERT_OK(code);
  EXPECT_EQ(*code, 0);
  EXPECT_THAT(ReadFile(Log("server.log")), HasSubstr("stopped"));
}

}  // namespace
}  // namespace knob::testing

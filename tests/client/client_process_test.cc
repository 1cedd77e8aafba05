// The client against a real knob-server process that dies and comes back:
// what a worker sees when its server is restarted.
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/client.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace knob {
namespace {

using ::knob::testing::IsOk;
using ::knob::testing::ServerProcess;
using ::knob::testing::StartServerProcess;

TEST(ClientProcess, RetriesReachAServerRestartedOnTheSamePort) {
  // gRPC's backup poller completes a pending reconnection every 5 s even
  // for a client that does not drive it, which would let such a client
  // pass by luck. Read when gRPC initializes, i.e. at the first channel.
  setenv("GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS", "0", 1);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      absl::StrCat("knob-client-process-", getpid());
  std::filesystem::create_directories(dir);
  ASSERT_OK_AND_ASSIGN(
      ServerProcess server,
      StartServerProcess(KNOB_SERVER_BINARY, dir, {"--storage=memory"}));
  ClientOptions options;
  options.target = server.address;
  options.retry.initial_backoff = absl::Milliseconds(50);
  options.retry.max_backoff = absl::Milliseconds(500);
  // About 10 s of back-off, ample for a restart that takes about one even
  // on a loaded machine; with the backup poller off, no wait is long
  // enough for a client that does not drive the reconnection.
  options.retry.max_attempts = 22;
  Client client(options);
  ASSERT_THAT(client.ListStudies({}), IsOk());

  server.process.Signal(SIGKILL);
  ASSERT_THAT(server.process.Wait(absl::Seconds(10)), IsOk());
  std::optional<absl::StatusOr<ServerProcess>> restarted;
  std::thread restart([&] {
    absl::SleepFor(absl::Seconds(1));
    restarted =
        StartServerProcess(KNOB_SERVER_BINARY, dir,
                           {"--storage=memory", "--listen=" + server.address});
  });
  const absl::Status status = client.ListStudies({}).status();
  restart.join();
  ASSERT_THAT(*restarted, IsOk());
  EXPECT_THAT(status, IsOk());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace knob

#include "server/storage/postgres/internal/connection_pool.h"

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/nontransaction"
#include "tests/server/storage/postgres/test_database.h"
#include "tests/testing/status_matchers.h"

namespace knob::postgres_internal {
namespace {

using ::knob::testing::StatusIs;
using ::knob::testing::TestServerUrl;
using ::testing::HasSubstr;

int BackendPid(pqxx::connection& connection) {
  pqxx::nontransaction session(connection);
  return session.exec("SELECT pg_backend_pid()")[0][0].as<int>();
}

ConnectionPool::Options PoolOptions(const std::string& url, int size) {
  ConnectionPool::Options options;
  options.url = url;
  options.size = size;
  options.acquire_timeout = absl::Milliseconds(200);
  return options;
}

TEST(ConnectionPool, ReusesAReturnedConnection) {
  ASSERT_OK_AND_ASSIGN(std::string url, TestServerUrl());
  int setups = 0;
  ConnectionPool pool(PoolOptions(url, 2),
                      [&](pqxx::connection&) { ++setups; });
  int first_pid = 0;
  {
    ASSERT_OK_AND_ASSIGN(ConnectionPool::Lease lease, pool.Acquire());
    first_pid = BackendPid(lease.connection());
  }
  ASSERT_OK_AND_ASSIGN(ConnectionPool::Lease lease, pool.Acquire());
  EXPECT_EQ(BackendPid(lease.connection()), first_pid);
  EXPECT_EQ(setups, 1);
}

TEST(ConnectionPool, WaitsForAFreeConnectionThenGivesUp) {
  ASSERT_OK_AND_ASSIGN(std::string url, TestServerUrl());
  ConnectionPool pool(PoolOptions(url, 1), [](pqxx::connection&) {});
  std::optional<ConnectionPool::Lease> held;
  {
    ASSERT_OK_AND_ASSIGN(ConnectionPool::Lease lease, pool.Acquire());
    held.emplace(std::move(lease));
  }
  const absl::Time start = absl::Now();
  EXPECT_THAT(pool.Acquire(),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("busy")));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));
  held.reset();
  EXPECT_OK(pool.Acquire().status());
}

TEST(ConnectionPool, ReplacesADiscardedConnection) {
  ASSERT_OK_AND_ASSIGN(std::string url, TestServerUrl());
  ConnectionPool pool(PoolOptions(url, 1), [](pqxx::connection&) {});
  int discarded_pid = 0;
  {
    ASSERT_OK_AND_ASSIGN(ConnectionPool::Lease lease, pool.Acquire());
    discarded_pid = BackendPid(lease.connection());
    lease.Discard();
  }
  // The pool of one has room again, for a new connection.
  ASSERT_OK_AND_ASSIGN(ConnectionPool::Lease lease, pool.Acquire());
  EXPECT_NE(BackendPid(lease.connection()), discarded_pid);
}

TEST(ConnectionPool, FailedConnectDoesNotUseUpTheBudget) {
  ConnectionPool pool(PoolOptions("postgresql://postgres@127.0.0.1:1/x", 1),
                      [](pqxx::connection&) {});
  for (int attempt = 0; attempt < 3; ++attempt) {
    EXPECT_THAT(pool.Acquire(), StatusIs(absl::StatusCode::kUnavailable,
                                         HasSubstr("connecting")));
  }
}

TEST(ConnectionPool, SetupFailureIsReported) {
  ASSERT_OK_AND_ASSIGN(std::string url, TestServerUrl());
  ConnectionPool pool(PoolOptions(url, 1), [](pqxx::connection& connection) {
    pqxx::nontransaction session(connection);
    session.exec("SELECT * FROM no_such_table");
  });
  EXPECT_THAT(pool.Acquire(), StatusIs(absl::StatusCode::kInternal,
                                       HasSubstr("no_such_table")));
}

std::string Setting(pqxx::connection& connection, const std::string& name) {
  pqxx::nontransaction session(connection);
  return session.exec("SHOW " + name)[0][0].as<std::string>();
}

TEST(ConnectionPool, SessionsRunWithoutJitByDefault) {
  ASSERT_OK_AND_ASSIGN(std::string url, TestServerUrl());
  ConnectionPool pool(PoolOptions(url, 1), [](pqxx::connection&) {});
  ASSERT_OK_AND_ASSIGN(ConnectionPool::Lease lease, pool.Acquire());
  EXPECT_EQ(Setting(lease.connection(), "jit"), "off");
  EXPECT_EQ(Setting(lease.connection(), "application_name"), "knob-server");
}

TEST(ConnectionPool, OptionsInTheUrlReplaceTheDefaultOnes) {
  ASSERT_OK_AND_ASSIGN(std::string url, TestServerUrl());
  ConnectionPool pool(
      PoolOptions(absl::StrCat(url, absl::StrContains(url, "?") ? "&" : "?",
                               "options=-c%20jit%3Don"),
                  1),
      [](pqxx::connection&) {});
  ASSERT_OK_AND_ASSIGN(ConnectionPool::Lease lease, pool.Acquire());
  EXPECT_EQ(Setting(lease.connection(), "jit"), "on");
}

TEST(ConnectionPool, AddsDefaultsToKeyValueUrls) {
  EXPECT_EQ(
      ConnectionPool::WithDefaults("host=db dbname=knob", absl::Seconds(5)),
      "host=db dbname=knob connect_timeout=5 "
      "application_name=knob-server options='-c jit=off'");
  EXPECT_EQ(ConnectionPool::WithDefaults("host=db options='-c work_mem=64MB'",
                                         absl::Seconds(5)),
            "host=db options='-c work_mem=64MB' connect_timeout=5 "
            "application_name=knob-server");
}

TEST(ConnectionPool, RedactsPasswords) {
  EXPECT_EQ(ConnectionPool::Redact("postgresql://knob:s3cret@db:5432/knob"),
            "postgresql://knob:***@db:5432/knob");
  EXPECT_EQ(ConnectionPool::Redact("postgresql://knob@db/knob"),
            "postgresql://knob@db/knob");
  EXPECT_EQ(ConnectionPool::Redact("host=db password=s3cret dbname=knob"),
            "host=db password=*** dbname=knob");
}

}  // namespace
}  // namespace knob::postgres_internal

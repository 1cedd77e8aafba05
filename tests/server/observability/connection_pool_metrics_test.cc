// The connection pool reports every wait for a connection and how many it
// has leased out.
#include <memory>
#include <optional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/observability/metrics.h"
#include "server/storage/postgres/internal/connection_pool.h"
#include "tests/server/storage/postgres/test_database.h"
#include "tests/testing/status_matchers.h"

namespace knob::postgres_internal {
namespace {

using ::knob::testing::TestServerUrl;
using ::testing::SizeIs;

// Remembers the pool's reports.
class PoolRecorder final : public Metrics {
 public:
  void ObserveConnectionWait(absl::Duration wait) override {
    absl::MutexLock lock(&mu_);
    waits_.push_back(wait);
  }
  void AddConnectionsInUse(int delta) override {
    absl::MutexLock lock(&mu_);
    in_use_ += delta;
  }

  std::vector<absl::Duration> waits() {
    absl::MutexLock lock(&mu_);
    return waits_;
  }
  int in_use() {
    absl::MutexLock lock(&mu_);
    return in_use_;
  }

 private:
  absl::Mutex mu_;
  std::vector<absl::Duration> waits_ ABSL_GUARDED_BY(mu_);
  int in_use_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(ConnectionPoolMetrics, ReportsWaitsAndLeasedConnections) {
  ASSERT_OK_AND_ASSIGN(std::string url, TestServerUrl());
  PoolRecorder recorder;
  ConnectionPool::Options options;
  options.url = url;
  options.size = 1;
  options.acquire_timeout = absl::Milliseconds(100);
  options.metrics = &recorder;
  ConnectionPool pool(options, [](pqxx::connection&) {});

  std::optional<ConnectionPool::Lease> held;
  {
    ASSERT_OK_AND_ASSIGN(ConnectionPool::Lease lease, pool.Acquire());
    held.emplace(std::move(lease));
  }
  EXPECT_EQ(recorder.in_use(), 1);
  EXPECT_THAT(recorder.waits(), SizeIs(1));

  // The only connection is leased: this caller waits out the timeout, and
  // that wait is reported too.
  EXPECT_FALSE(pool.Acquire().ok());
  ASSERT_THAT(recorder.waits(), SizeIs(2));
  EXPECT_GE(recorder.waits()[1], absl::Milliseconds(100));
  EXPECT_EQ(recorder.in_use(), 1);

  held.reset();
  EXPECT_EQ(recorder.in_use(), 0);
  {
    ASSERT_OK_AND_ASSIGN(ConnectionPool::Lease lease, pool.Acquire());
    EXPECT_EQ(recorder.in_use(), 1);
    // A broken connection is closed rather than returned: no longer leased.
    lease.Discard();
  }
  EXPECT_EQ(recorder.in_use(), 0);
  EXPECT_THAT(recorder.waits(), SizeIs(3));
}

}  // namespace
}  // namespace knob::postgres_internal

// A bounded pool of PostgreSQL connections.
//
// Connections are opened lazily, up to `size`; a caller that finds them all
// leased waits up to `acquire_timeout` for one to come back. A lease whose
// connection broke is discarded instead of returned, and the next Acquire
// opens a fresh connection, which is how the server survives a PostgreSQL
// restart.
//
// Thread-safe. Every Lease must be destroyed before the pool.
#ifndef KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_CONNECTION_POOL_H_
#define KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_CONNECTION_POOL_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pqxx/connection"
#include "server/observability/metrics.h"

namespace knob::postgres_internal {

class ConnectionPool {
 public:
  // Runs on every new connection before its first use (e.g. to declare
  // prepared statements). May throw; the connection is then dropped.
  using Setup = std::function<void(pqxx::connection&)>;

  struct Options {
    // A libpq connection string or URI.
    std::string url;
    // Default: 16. Must be > 0.
    int size = 16;
    // Default: 10 seconds.
    absl::Duration acquire_timeout = absl::Seconds(10);
    // Receives the time each Acquire waited and the number of leased
    // connections; must outlive the pool. Default: nowhere.
    Metrics* metrics = &Metrics::Discard();
  };

  ConnectionPool(Options options, Setup setup);
  ~ConnectionPool();

  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Exclusive use of one connection until destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    pqxx::connection& connection() { return *connection_; }

    // The connection is unusable: close it instead of returning it, and
    // close the idle ones too, since they most likely broke the same way
    // (a PostgreSQL restart breaks them all).
    void Discard() { broken_ = true; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}

    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
    bool broken_ = false;
  };

  // An idle connection, or a new one if fewer than `size` are open.
  // UNAVAILABLE if none became free within the timeout or a new connection
  // could not be opened.
  absl::StatusOr<Lease> Acquire();

  // A connection URL with its password replaced, for messages.
  static std::string Redact(const std::string& url);

  // `url` with a connect timeout (without one, an unreachable host blocks
  // for the kernel's TCP timeout, minutes), an application name (so that
  // operators can tell Knob's sessions apart in pg_stat_activity) and
  // JIT compilation off (options=-c jit=off; see the .cc for why), unless
  // it sets them (or any options) itself.
  static std::string WithDefaults(const std::string& url,
                                  absl::Duration connect_timeout);

 private:
  absl::StatusOr<Lease> AcquireUnobserved();
  void Release(std::unique_ptr<pqxx::connection> connection, bool broken);
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Open();

  const Options options_;
  const Setup setup_;
  // The URL with connection defaults (timeout, application name, no JIT)
  // added.
  const std::string connect_url_;

  absl::Mutex mu_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);
  // Idle, leased and being opened.
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_CONNECTION_POOL_H_

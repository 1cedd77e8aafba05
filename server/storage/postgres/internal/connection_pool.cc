#include "server/storage/postgres/internal/connection_pool.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/storage/postgres/internal/errors.h"

namespace knob::postgres_internal {
namespace {

bool IsUri(const std::string& url) {
  return absl::StartsWith(url, "postgresql://") ||
         absl::StartsWith(url, "postgres://");
}

}  // namespace

ConnectionPool::ConnectionPool(Options options, Setup setup)
    : options_(std::move(options)),
      setup_(std::move(setup)),
      connect_url_(WithDefaults(options_.url, options_.acquire_timeout)) {}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_),
      connection_(std::move(other.connection_)),
      broken_(other.broken_) {}

ConnectionPool::Lease::~Lease() {
  if (connection_ != nullptr) pool_->Release(std::move(connection_), broken_);
}

absl::StatusOr<ConnectionPool::Lease> ConnectionPool::Acquire() {
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<Lease> lease = AcquireUnobserved();
  options_.metrics->ObserveConnectionWait(
      absl::FromChrono(std::chrono::steady_clock::now() - start));
  if (lease.ok()) options_.metrics->AddConnectionsInUse(1);
  return lease;
}

absl::StatusOr<ConnectionPool::Lease> ConnectionPool::AcquireUnobserved() {
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < options_.size;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&available),
                              options_.acquire_timeout)) {
      return absl::UnavailableError(absl::StrCat(
          "all ", options_.size, " PostgreSQL connections stayed busy for ",
          absl::FormatDuration(options_.acquire_timeout),
          "; the database is overloaded or the pool is too small"));
    }
    if (!idle_.empty()) {
      std::unique_ptr<pqxx::connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    ++open_;
  }
  absl::StatusOr<std::unique_ptr<pqxx::connection>> connection = Open();
  if (!connection.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
    return connection.status();
  }
  return Lease(this, *std::move(connection));
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> ConnectionPool::Open() {
  return Guard(
      absl::StrCat("connecting to PostgreSQL at ", Redact(options_.url)),
      nullptr, [&]() -> absl::StatusOr<std::unique_ptr<pqxx::connection>> {
        auto connection = std::make_unique<pqxx::connection>(connect_url_);
        // float8 text must read back exactly, whatever the server's
        // default.
        connection->set_variable("extra_float_digits", "3");
        setup_(*connection);
        return connection;
      });
}

void ConnectionPool::Release(std::unique_ptr<pqxx::connection> connection,
                             bool broken) {
  options_.metrics->AddConnectionsInUse(-1);
  std::vector<std::unique_ptr<pqxx::connection>> closing;
  {
    absl::MutexLock lock(&mu_);
    if (!broken) {
      idle_.push_back(std::move(connection));
      return;
    }
    closing.swap(idle_);
    open_ -= 1 + static_cast<int>(closing.size());
  }
  // Closing talks to the network: not under the lock.
  connection.reset();
  closing.clear();
}

std::string ConnectionPool::WithDefaults(const std::string& url,
                                         absl::Duration connect_timeout) {
  const int64_t timeout_seconds = std::max<int64_t>(
      2,
      static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(connect_timeout))));
  std::vector<std::pair<std::string, std::string>> defaults;
  if (!absl::StrContains(url, "connect_timeout")) {
    defaults.emplace_back("connect_timeout", absl::StrCat(timeout_seconds));
  }
  if (!absl::StrContains(url, "application_name")) {
    defaults.emplace_back("application_name", "knob-server");
  }
  const bool uri = IsUri(url);
  if (!absl::StrContains(url, "options")) {
    // Reading many trials (a large study into the cache, a large
    // ListTrials page) has a plan cost above jit_above_cost, and compiling
    // it takes longer (half a second and more) than JIT saves on a plan of
    // index lookups: one subquery per trial for its parameters, values,
    // metrics and intermediate values.
    defaults.emplace_back("options", uri ? "-c%20jit%3Doff" : "'-c jit=off'");
  }
  std::string result = url;
  for (const auto& [key, value] : defaults) {
    if (uri) {
      absl::StrAppend(&result, absl::StrContains(result, "?") ? "&" : "?", key,
                      "=", value);
    } else {
      absl::StrAppend(&result, result.empty() ? "" : " ", key, "=", value);
    }
  }
  return result;
}

std::string ConnectionPool::Redact(const std::string& url) {
  if (IsUri(url)) {
    size_t authority = url.find("://") + 3;
    size_t at = url.find('@', authority);
    size_t colon = url.find(':', authority);
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      return absl::StrCat(url.substr(0, colon + 1), "***", url.substr(at));
    }
    return url;
  }
  size_t password = url.find("password=");
  if (password == std::string::npos) return url;
  size_t value = password + 9;
  size_t end = url.find(' ', value);
  return absl::StrCat(url.substr(0, value), "***",
                      end == std::string::npos ? "" : url.substr(end));
}

}  // namespace knob::postgres_internal

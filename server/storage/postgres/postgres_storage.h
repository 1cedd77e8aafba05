// Storage on PostgreSQL: the production implementation of storage.h.
//
// Every change to a study runs in one PostgreSQL transaction that first
// locks the study's row (SELECT ... FOR UPDATE), which serializes changes
// to a study across every server replica sharing the database; changes to
// different studies run in parallel. Transient conflicts (serialization
// failures, deadlocks) and connections lost before COMMIT are retried a
// few times before ABORTED or UNAVAILABLE reaches the caller.
//
// Times are stored as timestamptz with microsecond precision: a time read
// back is the time written, floored to the microsecond.
//
// The database's schema must be migrated first (migrator.h).
#ifndef KNOB_SERVER_STORAGE_POSTGRES_POSTGRES_STORAGE_H_
#define KNOB_SERVER_STORAGE_POSTGRES_POSTGRES_STORAGE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/observability/metrics.h"
#include "server/storage/storage.h"

namespace knob {

struct PostgresStorageOptions {
  // A libpq URI or connection string, e.g.
  // "postgresql://knob:secret@db.internal:5432/knob".
  std::string database_url;
  // Connections opened at most, lazily. Default: 16.
  int pool_size = 16;
  // How long a call waits for a free connection (and for a new one to
  // connect) before failing with UNAVAILABLE. Default: 10 seconds.
  absl::Duration acquire_timeout = absl::Seconds(10);
  // Where the connection pool reports its waits and leased connections;
  // must outlive the storage. Default: nowhere.
  Metrics* metrics = &Metrics::Discard();
};

// INVALID_ARGUMENT for a pool size or timeout that is not positive;
// UNAVAILABLE if the database cannot be reached; FAILED_PRECONDITION if its
// schema is older than this build's migrations.
absl::StatusOr<std::unique_ptr<Storage>> OpenPostgresStorage(
    const PostgresStorageOptions& options);

}  // namespace knob

#endif  // KNOB_SERVER_STORAGE_POSTGRES_POSTGRES_STORAGE_H_

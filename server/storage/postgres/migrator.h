// Schema migrations: brings a database's `knob` schema up to the version
// this server was built with (migrations/NNNN_name.sql, embedded in the
// binary).
//
// Safe to run from several replicas at once: a PostgreSQL advisory lock
// makes them take turns, so each migration is applied exactly once. Each
// migration runs in its own transaction and is recorded in
// knob.schema_migration (version, name, checksum, applied_at), which the
// migrator creates itself. Migrations are forward-only; a migration whose
// text changed after it was applied is refused rather than ignored.
#ifndef KNOB_SERVER_STORAGE_POSTGRES_MIGRATOR_H_
#define KNOB_SERVER_STORAGE_POSTGRES_MIGRATOR_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/storage/postgres/embedded_migrations.h"

namespace knob {

// Applies every embedded migration the database lacks, in version order,
// and returns the versions it applied (empty when already up to date).
// UNAVAILABLE if the database cannot be reached; FAILED_PRECONDITION if an
// applied migration's text changed since; for a migration that fails, the
// status of its error, naming the migration (it is rolled back; the ones
// before it stay applied).
absl::StatusOr<std::vector<int>> ApplyMigrations(
    const std::string& database_url);

// The same with an explicit list, ordered by version.
absl::StatusOr<std::vector<int>> ApplyMigrations(
    const std::string& database_url, const std::vector<Migration>& migrations);

// The highest applied version; 0 for a database without the knob schema.
absl::StatusOr<int> AppliedSchemaVersion(const std::string& database_url);

}  // namespace knob

#endif  // KNOB_SERVER_STORAGE_POSTGRES_MIGRATOR_H_

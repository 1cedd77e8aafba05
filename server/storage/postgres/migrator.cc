#include "server/storage/postgres/migrator.h"

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"
#include "pqxx/result"
#include "pqxx/transaction"
#include "server/storage/postgres/internal/connection_pool.h"
#include "server/storage/postgres/internal/errors.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

using postgres_internal::ConnectionPool;
using postgres_internal::Guard;

constexpr absl::Duration kConnectTimeout = absl::Seconds(10);

// Session advisory lock held while migrating ("knobmigr" in ASCII).
constexpr int64_t kMigrationLock = 0x6b6e6f626d696772;

constexpr char kCreateHistory[] = R"sql(
CREATE SCHEMA IF NOT EXISTS knob;
CREATE TABLE knob.schema_migration (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE knob.schema_migration IS
  'Schema migrations applied to this database (migrations/NNNN_name.sql), '
  'written by knob-server when it starts or runs with --migrate-only.';
COMMENT ON COLUMN knob.schema_migration.version IS
  'The NNNN of the migration file.';
COMMENT ON COLUMN knob.schema_migration.name IS
  'The file name between NNNN_ and .sql.';
COMMENT ON COLUMN knob.schema_migration.checksum IS
  'md5 of the file''s text, to detect a migration edited after it landed.';
COMMENT ON COLUMN knob.schema_migration.applied_at IS
  'When the migration was applied.';
)sql";

std::string MigrationName(const Migration& migration) {
  return absl::StrFormat("%04d_%s", migration.version, migration.name);
}

bool HistoryExists(pqxx::transaction_base& transaction) {
  return transaction
      .exec("SELECT to_regclass('knob.schema_migration') IS NOT NULL")[0][0]
      .as<bool>();
}

// version → checksum of every applied migration.
std::map<int, std::string> AppliedChecksums(
    pqxx::transaction_base& transaction) {
  std::map<int, std::string> applied;
  for (const auto& row : transaction.exec(
           "SELECT version, checksum FROM knob.schema_migration")) {
    applied.emplace(row[0].as<int>(), row[1].as<std::string>());
  }
  return applied;
}

absl::StatusOr<std::vector<int>> Migrate(
    pqxx::connection& connection, const std::vector<Migration>& migrations) {
  {
    pqxx::nontransaction session(connection);
    session.exec_params("SELECT pg_advisory_lock($1::bigint)", kMigrationLock);
  }
  // The lock belongs to the session: closing the connection releases it
  // even when a migration fails.
  std::map<int, std::string> applied;
  {
    pqxx::work transaction(connection);
    if (!HistoryExists(transaction)) transaction.exec(kCreateHistory);
    applied = AppliedChecksums(transaction);
    transaction.commit();
  }

  std::vector<int> versions;
  for (const Migration& migration : migrations) {
    const std::string sql(migration.sql);
    auto it = applied.find(migration.version);
    if (it != applied.end()) {
      pqxx::nontransaction session(connection);
      std::string checksum =
          session.exec_params1("SELECT md5($1)", sql)[0].as<std::string>();
      if (checksum != it->second) {
        return absl::FailedPreconditionError(absl::StrCat(
            "migration ", MigrationName(migration),
            " changed after it was applied to this database (md5 ", it->second,
            ", now ", checksum,
            "); a landed migration must not be edited: put the change in a "
            "new migration"));
      }
      continue;
    }
    absl::Status status = Guard(
        absl::StrCat("migration ", MigrationName(migration)), nullptr, [&] {
          pqxx::work transaction(connection);
          transaction.exec(sql);
          transaction.exec_params(
              "INSERT INTO knob.schema_migration (version, name, checksum) "
              "VALUES ($1, $2, md5($3))",
              migration.version, std::string(migration.name), sql);
          transaction.commit();
          return absl::OkStatus();
        });
    RETURN_IF_ERROR(status);
    versions.push_back(migration.version);
  }
  return versions;
}

}  // namespace

absl::StatusOr<std::vector<int>> ApplyMigrations(
    const std::string& database_url) {
  return ApplyMigrations(database_url, EmbeddedMigrations());
}

absl::StatusOr<std::vector<int>> ApplyMigrations(
    const std::string& database_url, const std::vector<Migration>& migrations) {
  return Guard(absl::StrCat("migrating ", ConnectionPool::Redact(database_url)),
               nullptr, [&] {
                 pqxx::connection connection(ConnectionPool::WithDefaults(
                     database_url, kConnectTimeout));
                 return Migrate(connection, migrations);
               });
}

absl::StatusOr<int> AppliedSchemaVersion(const std::string& database_url) {
  return Guard(
      absl::StrCat("reading the schema version of ",
                   ConnectionPool::Redact(database_url)),
      nullptr, [&]() -> absl::StatusOr<int> {
        pqxx::connection connection(
            ConnectionPool::WithDefaults(database_url, kConnectTimeout));
        pqxx::nontransaction session(connection);
        if (!HistoryExists(session)) return 0;
        return session
            .exec("SELECT coalesce(max(version), 0) FROM knob.schema_migration")
                [0][0]
            .as<int>();
      });
}

}  // namespace knob

// Applying the embedded migrations: on an empty database, again, from
// several replicas at once, over data an older schema stored, and refusing
// what must not happen.
#include "server/storage/postgres/migrator.h"

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"
#include "pqxx/result"
#include "server/storage/postgres/embedded_migrations.h"
#include "server/storage/postgres/postgres_storage.h"
#include "server/storage/postgres/study_config_json.h"
#include "tests/server/storage/postgres/test_database.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<int> AllVersions() {
  std::vector<int> versions;
  for (const Migration& migration : EmbeddedMigrations()) {
    versions.push_back(migration.version);
  }
  return versions;
}

// The applied schema version, or -1 (and a test failure) if unreadable.
int Version(const std::string& url) {
  absl::StatusOr<int> version = AppliedSchemaVersion(url);
  EXPECT_OK(version.status());
  return version.ok() ? *version : -1;
}

bool TableExists(const std::string& url, const std::string& table) {
  pqxx::connection connection(url);
  pqxx::nontransaction session(connection);
  return session.exec_params1("SELECT to_regclass($1) IS NOT NULL", table)[0]
      .as<bool>();
}

TEST(EmbeddedMigrations, AreOrderedFromOneWithoutGaps) {
  const std::vector<Migration>& migrations = EmbeddedMigrations();
  ASSERT_FALSE(migrations.empty());
  for (size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1);
    EXPECT_FALSE(migrations[i].name.empty());
    EXPECT_FALSE(migrations[i].sql.empty());
  }
  EXPECT_EQ(migrations[0].name, "initial");
}

TEST(Migrator, AppliesEverythingToAnEmptyDatabaseThenNothing) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TestDatabase> database,
                       TestDatabase::Create(/*migrated=*/false));
  EXPECT_EQ(Version(database->url()), 0);

  ASSERT_OK_AND_ASSIGN(std::vector<int> applied,
                       ApplyMigrations(database->url()));
  EXPECT_THAT(applied, ElementsAreArray(AllVersions()));
  EXPECT_EQ(Version(database->url()), AllVersions().back());
  EXPECT_TRUE(TableExists(database->url(), "knob.trial"));

  ASSERT_OK_AND_ASSIGN(applied, ApplyMigrations(database->url()));
  EXPECT_THAT(applied, IsEmpty());

  pqxx::connection connection(database->url());
  pqxx::nontransaction session(connection);
  pqxx::result history = session.exec(
      "SELECT version, name, length(checksum), applied_at <= now() "
      "FROM knob.schema_migration ORDER BY version");
  ASSERT_EQ(history.size(), EmbeddedMigrations().size());
  EXPECT_EQ(history[0][0].as<int>(), 1);
  EXPECT_EQ(history[0][1].as<std::string>(), "initial");
  EXPECT_EQ(history[0][2].as<int>(), 32);
  EXPECT_TRUE(history[0][3].as<bool>());
}

TEST(Migrator, ConcurrentMigratorsApplyEachMigrationOnce) {
  constexpr int kReplicas = 4;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TestDatabase> database,
                       TestDatabase::Create(/*migrated=*/false));
  absl::Mutex mu;
  std::vector<absl::StatusOr<std::vector<int>>> results;
  std::vector<std::thread> replicas;
  for (int i = 0; i < kReplicas; ++i) {
    replicas.emplace_back([&] {
      absl::StatusOr<std::vector<int>> result =
          ApplyMigrations(database->url());
      absl::MutexLock lock(&mu);
      results.push_back(std::move(result));
    });
  }
  for (std::thread& replica : replicas) replica.join();

  int appliers = 0;
  for (const auto& result : results) {
    ASSERT_OK(result.status());
    if (!result->empty()) {
      ++appliers;
      EXPECT_THAT(*result, ElementsAreArray(AllVersions()));
    }
  }
  EXPECT_EQ(appliers, 1);
  EXPECT_EQ(Version(database->url()), AllVersions().back());
}

TEST(Migrator, MigratesDatabasesOfOneServerConcurrently) {
  // The analyst role belongs to the whole server, so migrations of two
  // databases race to create it.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TestDatabase> a,
                       TestDatabase::Create(/*migrated=*/false));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TestDatabase> b,
                       TestDatabase::Create(/*migrated=*/false));
  absl::Status status_a;
  absl::Status status_b;
  std::thread thread_a([&] { status_a = ApplyMigrations(a->url()).status(); });
  std::thread thread_b([&] { status_b = ApplyMigrations(b->url()).status(); });
  thread_a.join();
  thread_b.join();
  EXPECT_OK(status_a);
  EXPECT_OK(status_b);
}

TEST(Migrator, RefusesAMigrationEditedAfterItWasApplied) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TestDatabase> database,
                       TestDatabase::Create(/*migrated=*/true));
  std::vector<Migration> edited = EmbeddedMigrations();
  const std::string changed_sql = std::string(edited[0].sql) + "\n-- edit\n";
  edited[0].sql = changed_sql;
  EXPECT_THAT(ApplyMigrations(database->url(), edited),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("0001_initial")));
}

TEST(Migrator, FailedMigrationIsRolledBackAndNamed) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TestDatabase> database,
                       TestDatabase::Create(/*migrated=*/false));
  std::vector<Migration> migrations = EmbeddedMigrations();
  const int broken_version = migrations.back().version + 1;
  migrations.push_back({broken_version, "broken",
                        "CREATE TABLE knob.half_done (id integer);\n"
                        "SELECT * FROM knob.no_such_table;"});

  absl::StatusOr<std::vector<int>> result =
      ApplyMigrations(database->url(), migrations);
  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kInternal, HasSubstr("_broken")));
  EXPECT_THAT(result.status().message(), HasSubstr("no_such_table"));
  EXPECT_FALSE(TableExists(database->url(), "knob.half_done"));
  // The migrations before it stay applied.
  EXPECT_EQ(Version(database->url()), broken_version - 1);
}

TEST(Migrator, StudiesFromBeforeSamplerStateGainNone) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TestDatabase> database,
                       TestDatabase::Create(/*migrated=*/false));
  const std::vector<Migration>& migrations = EmbeddedMigrations();
  ASSERT_OK(ApplyMigrations(database->url(), {migrations[0]}).status());
  StudyConfig config;
  config.parameters = {{"x", FloatDomain{0, 1, false, std::nullopt}}};
  config.objectives = {{"loss", Direction::kMinimize}};
  config.sampler.name = "random";
  config.pruner.name = "none";
  {
    // A study as a server of schema version 1 stored it.
    pqxx::connection connection(database->url());
    pqxx::nontransaction session(connection);
    session.exec_params(
        "INSERT INTO knob.study (name, state, config, sampler, pruner, seed, "
        "lease_duration, create_time, update_time) "
        "VALUES ('old', 'RUNNING', $1::jsonb, 'random', 'none', 0, "
        "'5 minutes', now(), now())",
        StudyConfigToJson(config).dump());
  }

  ASSERT_OK(ApplyMigrations(database->url()).status());
  PostgresStorageOptions options;
  options.database_url = database->url();
  options.pool_size = 1;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Storage> storage,
                       OpenPostgresStorage(options));
  ASSERT_OK_AND_ASSIGN(Study old, storage->GetStudyByName("old"));
  EXPECT_THAT(old.sampler_state, IsEmpty());
  ASSERT_OK(storage->Transact(old.id, [](StudyTransaction& txn) {
    return txn.SetSamplerState("resumable");
  }));
  ASSERT_OK_AND_ASSIGN(old, storage->GetStudy(old.id));
  EXPECT_EQ(old.sampler_state, "resumable");
}

TEST(Migrator, UnreachableDatabaseIsUnavailable) {
  EXPECT_THAT(ApplyMigrations("postgresql://postgres@127.0.0.1:1/knob"),
              StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
}

}  // namespace
}  // namespace knob::testing

#include "tests/server/storage/postgres/test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"
#include "server/storage/postgres/migrator.h"
#include "server/storage/postgres/postgres_storage.h"
#include "server/util/status_macros.h"

namespace knob::testing {
namespace {

// Advisory lock keys (space, slot) of the recycled databases.
constexpr int kSlotLockSpace = 0x6b6e6f62;

absl::Status RunSql(const std::string& url, const std::string& statement) {
  try {
    pqxx::connection connection(url);
    pqxx::nontransaction session(connection);
    session.exec(statement);
    return absl::OkStatus();
  } catch (const std::exception& error) {
    return absl::UnavailableError(
        absl::StrCat(statement, " on ", url, ": ", error.what()));
  }
}

// Keeps the database alive exactly as long as the storage using it.
class StorageInDatabase final : public Storage {
 public:
  StorageInDatabase(std::unique_ptr<TestDatabase> database,
                    std::unique_ptr<Storage> storage)
      : database_(std::move(database)), storage_(std::move(storage)) {}

  absl::StatusOr<Study> CreateStudy(
      const std::string& name, const StudyConfig& config,
      const std::map<std::string, std::string>& metadata,
      absl::Time now) override {
    return storage_->CreateStudy(name, config, metadata, now);
  }
  absl::StatusOr<Study> GetStudy(int64_t study_id) override {
    return storage_->GetStudy(study_id);
  }
  absl::StatusOr<Study> GetStudyByName(const std::string& name) override {
    return storage_->GetStudyByName(name);
  }
  absl::StatusOr<Page<Study>> ListStudies(const StudyQuery& query) override {
    return storage_->ListStudies(query);
  }
  absl::StatusOr<TrialCounts> CountTrials(int64_t study_id) override {
    return storage_->CountTrials(study_id);
  }
  absl::Status DeleteStudy(int64_t study_id) override {
    return storage_->DeleteStudy(study_id);
  }
  absl::Status Transact(
      int64_t study_id,
      absl::FunctionRef<absl::Status(StudyTransaction&)> fn) override {
    return storage_->Transact(study_id, fn);
  }
  absl::StatusOr<Trial> GetTrial(int64_t trial_id) override {
    return storage_->GetTrial(trial_id);
  }
  absl::StatusOr<int64_t> StudyOfTrial(int64_t trial_id) override {
    return storage_->StudyOfTrial(trial_id);
  }
  absl::StatusOr<Page<Trial>> ListTrials(const TrialQuery& query) override {
    return storage_->ListTrials(query);
  }
  absl::StatusOr<std::vector<int64_t>> StudiesWithExpiredLeases(
      absl::Time now) override {
    return storage_->StudiesWithExpiredLeases(now);
  }

 private:
  // Declared first so that it is destroyed last, after the storage closed
  // its connections.
  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<Storage> storage_;
};

}  // namespace

absl::StatusOr<std::string> TestServerUrl() {
  const char* url = std::getenv("KNOB_TEST_DATABASE_URL");
  if (url == nullptr || *url == '\0') {
    return absl::FailedPreconditionError(
        "KNOB_TEST_DATABASE_URL is not set. These tests need a PostgreSQL "
        "superuser URL: run them through tests/run.sh, or start a server "
        "with `bash deploy/local-postgres.sh start /tmp/knob-pg` and export "
        "KNOB_TEST_DATABASE_URL=<the URL it prints>");
  }
  return std::string(url);
}

std::string WithDatabase(const std::string& url, const std::string& database) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) {
    // Keyword/value form: a later keyword overrides an earlier one.
    return absl::StrCat(url, " dbname=", database);
  }
  const size_t query = url.find('?', scheme + 3);
  const size_t path = url.find('/', scheme + 3);
  const size_t authority_end =
      path != std::string::npos && (query == std::string::npos || path < query)
          ? path
          : (query == std::string::npos ? url.size() : query);
  return absl::StrCat(url.substr(0, authority_end), "/", database,
                      query == std::string::npos ? "" : url.substr(query));
}

TestDatabase::TestDatabase(std::string server_url, std::string name)
    : server_url_(std::move(server_url)),
      name_(std::move(name)),
      url_(WithDatabase(server_url_, name_)) {}

TestDatabase::~TestDatabase() {
  // A leased slot is released with its lock connection; it is cleared by
  // the next lease, which may find the data useful to debug a failure.
  if (slot_lock_ != nullptr) return;
  absl::Status dropped =
      RunSql(server_url_,
             absl::StrCat("DROP DATABASE IF EXISTS ", name_, " WITH (FORCE)"));
  if (!dropped.ok()) ADD_FAILURE() << dropped;
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create(
    bool migrated) {
  ASSIGN_OR_RETURN(std::string server_url, TestServerUrl());
  if (migrated) return LeaseSlot(server_url);
  static std::atomic<int> counter = 0;
  std::string name = absl::StrCat("knob_test_", getpid(), "_", counter++, "_",
                                  absl::ToUnixMicros(absl::Now()) % 1000000);
  RETURN_IF_ERROR(RunSql(server_url, "CREATE DATABASE " + name));
  return std::unique_ptr<TestDatabase>(
      new TestDatabase(std::move(server_url), std::move(name)));
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::LeaseSlot(
    const std::string& server_url) {
  std::unique_ptr<TestDatabase> database;
  try {
    auto lock = std::make_unique<pqxx::connection>(server_url);
    pqxx::nontransaction session(*lock);
    for (int slot = 0; slot < kSlots && database == nullptr; ++slot) {
      if (!session
               .exec_params1("SELECT pg_try_advisory_lock($1, $2)",
                             kSlotLockSpace, slot)[0]
               .as<bool>()) {
        continue;
      }
      std::string name = absl::StrCat("knob_test_slot_", slot);
      if (session
              .exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name)
              .empty()) {
        session.exec("CREATE DATABASE " + name);
      }
      database.reset(new TestDatabase(server_url, std::move(name)));
    }
    if (database == nullptr) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "all ", kSlots, " test databases are leased by other tests"));
    }
    database->slot_lock_ = std::move(lock);
  } catch (const std::exception& error) {
    return absl::UnavailableError(
        absl::StrCat("leasing a test database: ", error.what()));
  }
  RETURN_IF_ERROR(database->ResetSlot());
  return database;
}

absl::Status TestDatabase::ResetSlot() {
  absl::Status migrated = ApplyMigrations(url_).status();
  if (migrated.code() == absl::StatusCode::kFailedPrecondition) {
    // A migration was edited since this slot was migrated (normal while
    // one is being written): start the slot over.
    RETURN_IF_ERROR(RunSql(
        server_url_, absl::StrCat("DROP DATABASE ", name_, " WITH (FORCE)")));
    RETURN_IF_ERROR(RunSql(server_url_, "CREATE DATABASE " + name_));
    migrated = ApplyMigrations(url_).status();
  }
  RETURN_IF_ERROR(migrated);
  // Every other table hangs off knob.study with ON DELETE CASCADE; a DELETE
  // of a few rows is much cheaper than a TRUNCATE.
  return RunSql(url_, "DELETE FROM knob.study");
}

std::unique_ptr<Storage> NewTestStorage(int pool_size) {
  absl::StatusOr<std::unique_ptr<TestDatabase>> database =
      TestDatabase::Create();
  if (!database.ok()) {
    ADD_FAILURE() << database.status();
    return nullptr;
  }
  PostgresStorageOptions options;
  options.database_url = (*database)->url();
  options.pool_size = pool_size;
  absl::StatusOr<std::unique_ptr<Storage>> storage =
      OpenPostgresStorage(options);
  if (!storage.ok()) {
    ADD_FAILURE() << storage.status();
    return nullptr;
  }
  return std::make_unique<StorageInDatabase>(*std::move(database),
                                             *std::move(storage));
}

}  // namespace knob::testing

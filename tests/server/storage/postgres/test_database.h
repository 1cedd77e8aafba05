// Throwaway PostgreSQL databases for tests. The server comes from
// KNOB_TEST_DATABASE_URL (tests/run.sh starts one and exports a superuser
// URL); when it is unset the helpers fail the test with a message saying
// how to provide one.
#ifndef KNOB_TESTS_SERVER_STORAGE_POSTGRES_TEST_DATABASE_H_
#define KNOB_TESTS_SERVER_STORAGE_POSTGRES_TEST_DATABASE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "pqxx/connection"
#include "server/storage/storage.h"

namespace knob::testing {

// KNOB_TEST_DATABASE_URL, or FAILED_PRECONDITION explaining how to set it.
absl::StatusOr<std::string> TestServerUrl();

// `url` with its database name replaced by `database`.
std::string WithDatabase(const std::string& url, const std::string& database);

// A database for one test.
//
// Creating, migrating and dropping a database costs about a second of
// fsyncs, far more than most tests, so migrated databases are recycled:
// the server keeps up to kSlots of them (knob_test_slot_N), each leased by
// holding an advisory lock, and a lease starts by bringing the schema up to
// date and deleting every study. Empty (unmigrated) databases are created
// fresh and dropped on destruction.
class TestDatabase {
 public:
  static constexpr int kSlots = 64;

  // With `migrated`, a database with the current knob schema and no data;
  // otherwise a database without the knob schema.
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create(
      bool migrated = true);
  ~TestDatabase();

  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  // Connects to this database as the test server's superuser.
  const std::string& url() const { return url_; }
  // Connects to the server's maintenance database.
  const std::string& server_url() const { return server_url_; }

 private:
  TestDatabase(std::string server_url, std::string name);

  static absl::StatusOr<std::unique_ptr<TestDatabase>> LeaseSlot(
      const std::string& server_url);
  absl::Status ResetSlot();

  std::string server_url_;
  std::string name_;
  std::string url_;
  // Holds the slot's advisory lock; null for a database of its own, which
  // is dropped instead.
  std::unique_ptr<pqxx::connection> slot_lock_;
};

// A migrated, empty PostgreSQL storage in a database of its own, which is
// dropped with the storage. Records a test failure and returns null if
// that cannot be done.
std::unique_ptr<Storage> NewTestStorage(int pool_size = 4);

}  // namespace knob::testing

#endif  // KNOB_TESTS_SERVER_STORAGE_POSTGRES_TEST_DATABASE_H_

// PostgresStorage against a real PostgreSQL: the Storage conformance suite,
// then what only this implementation has (error translation, the pool,
// reconnecting, time precision).
#include "server/storage/postgres/postgres_storage.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"
#include "server/util/status_macros.h"
#include "tests/server/storage/postgres/test_database.h"
#include "tests/server/storage/storage_conformance.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

INSTANTIATE_TEST_SUITE_P(Postgres, StorageConformanceTest,
                         ::testing::Values(StorageFactory{
                             "Postgres", [] { return NewTestStorage(); }}),
                         [](const auto& info) { return info.param.name; });

StudyConfig OneFloatConfig() {
  StudyConfig config;
  config.parameters = {
      {"x", FloatDomain{-10, 10, false, std::nullopt}, std::nullopt}};
  config.objectives = {{"loss", Direction::kMinimize}};
  config.sampler = {"random", {}};
  config.pruner = {"none", {}};
  return config;
}

NewTrial Running(absl::Time lease_deadline) {
  NewTrial trial;
  trial.state = TrialState::kRunning;
  trial.params = {{"x", 0.5}};
  trial.worker_id = "w";
  trial.lease_deadline = lease_deadline;
  return trial;
}

class PostgresStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(database_, TestDatabase::Create());
  }

  std::unique_ptr<Storage> Open(
      int pool_size = 4, absl::Duration acquire_timeout = absl::Seconds(10)) {
    PostgresStorageOptions options;
    options.database_url = database_->url();
    options.pool_size = pool_size;
    options.acquire_timeout = acquire_timeout;
    absl::StatusOr<std::unique_ptr<Storage>> storage =
        OpenPostgresStorage(options);
    EXPECT_OK(storage.status());
    return storage.ok() ? *std::move(storage) : nullptr;
  }

  // The study is as created: no trial, sequence 0.
  static void ExpectNothingCommitted(Storage& storage, int64_t study_id) {
    ASSERT_OK_AND_ASSIGN(Study stored, storage.GetStudy(study_id));
    EXPECT_EQ(stored.sequence, 0);
    EXPECT_EQ(stored.next_trial_number, 0);
    ASSERT_OK_AND_ASSIGN(TrialCounts counts, storage.CountTrials(study_id));
    EXPECT_EQ(counts.running + counts.waiting, 0);
  }

  // Ends every server session connected to the test database, as a
  // PostgreSQL restart would.
  void TerminateSessions() {
    pqxx::connection admin(database_->server_url());
    pqxx::nontransaction session(admin);
    session.exec_params(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = $1 AND pid <> pg_backend_pid()",
        database_->name());
  }

  std::unique_ptr<TestDatabase> database_;
};

TEST_F(PostgresStorageTest, TakenStudyNameIsAlreadyExistsNamingTheStudy) {
  std::unique_ptr<Storage> storage = Open();
  ASSERT_NE(storage, nullptr);
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  ASSERT_OK(storage->CreateStudy("mnist", OneFloatConfig(), {}, now).status());
  EXPECT_THAT(storage->CreateStudy("mnist", OneFloatConfig(), {}, now),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("mnist")));
}

TEST_F(PostgresStorageTest, UnreachableDatabaseIsUnavailable) {
  PostgresStorageOptions options;
  // Port 1 on the loopback interface refuses connections at once.
  options.database_url = "postgresql://knob:secret@127.0.0.1:1/knob";
  absl::StatusOr<std::unique_ptr<Storage>> storage =
      OpenPostgresStorage(options);
  EXPECT_THAT(storage, StatusIs(absl::StatusCode::kUnavailable,
                                HasSubstr("127.0.0.1:1")));
  EXPECT_THAT(storage.status().message(), ::testing::Not(HasSubstr("secret")));
}

TEST_F(PostgresStorageTest, UnmigratedDatabaseIsFailedPrecondition) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TestDatabase> empty,
                       TestDatabase::Create(/*migrated=*/false));
  PostgresStorageOptions options;
  options.database_url = empty->url();
  EXPECT_THAT(
      OpenPostgresStorage(options),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("migrat")));
}

TEST_F(PostgresStorageTest, BadOptionsAreInvalidArgument) {
  PostgresStorageOptions options;
  options.database_url = database_->url();
  options.pool_size = 0;
  EXPECT_THAT(
      OpenPostgresStorage(options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("pool_size")));
  options.pool_size = 1;
  options.acquire_timeout = absl::ZeroDuration();
  EXPECT_THAT(OpenPostgresStorage(options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("acquire_timeout")));
}

TEST_F(PostgresStorageTest, SmallPoolServesManyConcurrentTransactions) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 10;
  std::unique_ptr<Storage> storage = Open(/*pool_size=*/2);
  ASSERT_NE(storage, nullptr);
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  ASSERT_OK_AND_ASSIGN(Study study,
                       storage->CreateStudy("s", OneFloatConfig(), {}, now));

  absl::Mutex mu;
  std::vector<std::pair<int64_t, int64_t>> sequence_and_number;
  std::vector<absl::Status> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        Trial created;
        absl::Status status = storage->Transact(
            study.id, [&](StudyTransaction& txn) -> absl::Status {
              ASSIGN_OR_RETURN(
                  created,
                  txn.CreateTrial(Running(now + absl::Minutes(5)), now));
              return absl::OkStatus();
            });
        absl::MutexLock lock(&mu);
        if (status.ok()) {
          sequence_and_number.emplace_back(created.sequence, created.number);
        } else {
          errors.push_back(status);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_THAT(errors, IsEmpty());
  std::sort(sequence_and_number.begin(), sequence_and_number.end());
  std::vector<std::pair<int64_t, int64_t>> expected;
  for (int64_t i = 0; i < kThreads * kPerThread; ++i) {
    // One trial per transaction: the n-th commit takes sequence n + 1 and
    // creates trial n.
    expected.emplace_back(i + 1, i);
  }
  EXPECT_THAT(sequence_and_number, ElementsAreArray(expected));
}

TEST_F(PostgresStorageTest, ExhaustedPoolIsUnavailableAfterTheTimeout) {
  std::unique_ptr<Storage> storage =
      Open(/*pool_size=*/1, /*acquire_timeout=*/absl::Milliseconds(200));
  ASSERT_NE(storage, nullptr);
  ASSERT_OK_AND_ASSIGN(
      Study study, storage->CreateStudy("s", OneFloatConfig(), {},
                                        absl::FromUnixSeconds(1'700'000'000)));
  absl::Status inner;
  ASSERT_OK(storage->Transact(study.id, [&](StudyTransaction&) {
    // The transaction holds the only connection.
    inner = storage->GetStudy(study.id).status();
    return absl::OkStatus();
  }));
  EXPECT_THAT(inner,
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("busy")));
  EXPECT_OK(storage->GetStudy(study.id).status());
}

TEST_F(PostgresStorageTest, ReconnectsAfterTheServerDroppedItsSessions) {
  std::unique_ptr<Storage> storage = Open(/*pool_size=*/3);
  ASSERT_NE(storage, nullptr);
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  ASSERT_OK_AND_ASSIGN(Study study,
                       storage->CreateStudy("s", OneFloatConfig(), {}, now));
  ASSERT_OK(storage->Transact(study.id, [&](StudyTransaction& txn) {
    return txn.CreateTrial(Running(now + absl::Minutes(5)), now).status();
  }));

  TerminateSessions();

  EXPECT_OK(storage->GetStudy(study.id).status());
  ASSERT_OK(storage->Transact(study.id, [&](StudyTransaction& txn) {
    return txn.CreateTrial(Running(now + absl::Minutes(5)), now).status();
  }));
  ASSERT_OK_AND_ASSIGN(TrialCounts counts, storage->CountTrials(study.id));
  EXPECT_EQ(counts.running, 2);
}

TEST_F(PostgresStorageTest, ExceptionFromTheCallbackIsInternal) {
  std::unique_ptr<Storage> storage = Open();
  ASSERT_NE(storage, nullptr);
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  ASSERT_OK_AND_ASSIGN(Study study,
                       storage->CreateStudy("s", OneFloatConfig(), {}, now));
  absl::Status status =
      storage->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        RETURN_IF_ERROR(
            txn.CreateTrial(Running(now + absl::Minutes(5)), now).status());
        throw std::runtime_error("boom");
      });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal, HasSubstr("boom")));
  ASSERT_OK_AND_ASSIGN(TrialCounts counts, storage->CountTrials(study.id));
  EXPECT_EQ(counts.running, 0);
}

TEST_F(PostgresStorageTest, DatabaseErrorInATransactionIsNeverCommitted) {
  std::unique_ptr<Storage> storage = Open();
  ASSERT_NE(storage, nullptr);
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  ASSERT_OK_AND_ASSIGN(Study study,
                       storage->CreateStudy("s", OneFloatConfig(), {}, now));
  absl::Status first_error;
  absl::Status status =
      storage->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        RETURN_IF_ERROR(
            txn.CreateTrial(Running(now + absl::Minutes(5)), now).status());
        // jsonb cannot hold a NUL character.
        first_error =
            txn.SetStudyMetadata({{"host", std::string("a\0b", 3)}}, now);
        // A callback that ignores the error must not get the rest
        // committed.
        return txn.CreateTrial(Running(now + absl::Minutes(5)), now).status();
      });
  EXPECT_THAT(first_error,
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  ExpectNothingCommitted(*storage, study.id);
}

// New trials are written when the transaction commits (or before its next
// statement), so a value PostgreSQL refuses fails the transaction there.
TEST_F(PostgresStorageTest, AnUnstorableNewTrialFailsItsTransaction) {
  std::unique_ptr<Storage> storage = Open();
  ASSERT_NE(storage, nullptr);
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  ASSERT_OK_AND_ASSIGN(Study study,
                       storage->CreateStudy("s", OneFloatConfig(), {}, now));
  NewTrial unstorable = Running(now + absl::Minutes(5));
  unstorable.environment = {{"host", std::string("a\0b", 3)}};
  absl::Status status =
      storage->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        RETURN_IF_ERROR(
            txn.CreateTrial(Running(now + absl::Minutes(5)), now).status());
        return txn.CreateTrial(unstorable, now).status();
      });
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  ExpectNothingCommitted(*storage, study.id);
}

TEST_F(PostgresStorageTest, InvalidUtf8IsInvalidArgument) {
  std::unique_ptr<Storage> storage = Open();
  ASSERT_NE(storage, nullptr);
  EXPECT_THAT(
      storage->CreateStudy("s", OneFloatConfig(), {{"owner", "\xff\xfe"}},
                           absl::FromUnixSeconds(1'700'000'000)),
      StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  ASSERT_OK_AND_ASSIGN(Page<Study> page, storage->ListStudies({}));
  EXPECT_THAT(page.items, IsEmpty());
}

// Each server reserves trial ids ahead from the one sequence, so that it
// can name new trials before it writes them; two servers on one database
// must still never hand out the same id.
TEST_F(PostgresStorageTest, ServersOnOneDatabaseNeverShareATrialId) {
  std::unique_ptr<Storage> first = Open();
  std::unique_ptr<Storage> second = Open();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  ASSERT_OK_AND_ASSIGN(Study study,
                       first->CreateStudy("s", OneFloatConfig(), {}, now));
  absl::flat_hash_map<int64_t, Trial> by_id;
  for (int round = 0; round < 150; ++round) {
    Storage& storage = round % 3 == 0 ? *second : *first;
    ASSERT_OK(
        storage.Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
          for (int i = 0; i < 1 + round % 2; ++i) {
            ASSIGN_OR_RETURN(
                Trial created,
                txn.CreateTrial(Running(now + absl::Minutes(5)), now));
            EXPECT_TRUE(by_id.emplace(created.id, created).second)
                << "id " << created.id << " handed out twice";
          }
          return absl::OkStatus();
        }));
  }
  EXPECT_EQ(by_id.size(), 225u);
  for (const auto& [id, created] : by_id) {
    ASSERT_OK_AND_ASSIGN(Trial stored, second->GetTrial(id));
    EXPECT_EQ(stored.number, created.number);
  }
}

TEST_F(PostgresStorageTest, TimesAreFlooredToMicroseconds) {
  std::unique_ptr<Storage> storage = Open();
  ASSERT_NE(storage, nullptr);
  const absl::Time now =
      absl::FromUnixMicros(1'700'000'000'000'001) + absl::Nanoseconds(999);
  ASSERT_OK_AND_ASSIGN(Study study,
                       storage->CreateStudy("s", OneFloatConfig(), {}, now));
  const absl::Time floored = absl::FromUnixMicros(1'700'000'000'000'001);
  EXPECT_EQ(study.create_time, floored);
  ASSERT_OK_AND_ASSIGN(Study stored, storage->GetStudy(study.id));
  EXPECT_EQ(stored.create_time, floored);
  // Before 1970 too.
  const absl::Time old = absl::FromUnixMicros(-1'234'567);
  ASSERT_OK(storage->Transact(study.id, [&](StudyTransaction& txn) {
    return txn.SetStudyState(StudyState::kPaused, "", old);
  }));
  ASSERT_OK_AND_ASSIGN(stored, storage->GetStudy(study.id));
  EXPECT_EQ(stored.update_time, old);
}

TEST_F(PostgresStorageTest, NonFiniteValuesRoundTrip) {
  std::unique_ptr<Storage> storage = Open();
  ASSERT_NE(storage, nullptr);
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  ASSERT_OK_AND_ASSIGN(Study study,
                       storage->CreateStudy("s", OneFloatConfig(), {}, now));
  constexpr double kInf = std::numeric_limits<double>::infinity();
  NewTrial trial = Running(now + absl::Minutes(5));
  trial.params = {{"x", -kInf}, {"nan", std::nan("")}, {"zero", -0.0}};
  TrialOutcome outcome;
  outcome.values = {kInf};
  outcome.metrics = {{"m", std::nan("")}};
  int64_t trial_id = 0;
  ASSERT_OK(
      storage->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(Trial created, txn.CreateTrial(trial, now));
        trial_id = created.id;
        ASSIGN_OR_RETURN(created,
                         txn.AddIntermediateValue(created, {1, "loss", -kInf}));
        return txn.FinishTrial(created, outcome, now).status();
      }));
  ASSERT_OK_AND_ASSIGN(Trial stored, storage->GetTrial(trial_id));
  EXPECT_EQ(std::get<double>(stored.params.at("x")), -kInf);
  EXPECT_TRUE(std::isnan(std::get<double>(stored.params.at("nan"))));
  EXPECT_TRUE(std::signbit(std::get<double>(stored.params.at("zero"))));
  EXPECT_THAT(stored.values, ElementsAreArray({kInf}));
  EXPECT_TRUE(std::isnan(stored.metrics.at("m")));
  ASSERT_EQ(stored.intermediate_values.size(), 1u);
  EXPECT_EQ(stored.intermediate_values[0].value, -kInf);
}

}  // namespace
}  // namespace knob::testing

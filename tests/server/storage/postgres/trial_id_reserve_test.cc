// The trial-id reserve hands out ids from knob.trial's sequence, each
// once, and its own thread tops it up so that a study transaction seldom
// has to reserve a block itself.
#include "server/storage/postgres/internal/trial_id_reserve.h"

#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"
#include "pqxx/transaction"
#include "server/storage/postgres/internal/statements.h"
#include "tests/server/storage/postgres/test_database.h"

namespace knob::testing {
namespace {

using postgres_internal::ReserveTrialIds;
using postgres_internal::TrialIdReserve;
using postgres_internal::sql::PrepareStatements;

constexpr int kBlock = 8;

class TrialIdReserveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TestDatabase>> database =
        TestDatabase::Create();
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = *std::move(database);
    transaction_connection_ = Connect();
    ahead_connection_ = Connect();
  }

  std::unique_ptr<pqxx::connection> Connect() {
    auto connection = std::make_unique<pqxx::connection>(database_->url());
    PrepareStatements(*connection);
    return connection;
  }

  // The reserve's next id; a block `transaction` had to reserve counts in
  // `trips`.
  static int64_t NextId(TrialIdReserve& reserve,
                        pqxx::transaction_base& transaction, int& trips) {
    return reserve.Next([&](int count) {
      ++trips;
      return ReserveTrialIds(transaction, count);
    });
  }

  // Takes `count` ids in one transaction and expects each once; returns
  // how many blocks the transaction had to reserve.
  int TakeIds(TrialIdReserve& reserve, int count) {
    pqxx::work transaction(*transaction_connection_);
    int trips = 0;
    std::set<int64_t> ids;
    for (int i = 0; i < count; ++i) {
      ids.insert(NextId(reserve, transaction, trips));
    }
    EXPECT_EQ(ids.size(), static_cast<size_t>(count));
    return trips;
  }

  // Waits until the reserve holds at least half a block again, as it
  // does between transactions once its thread caught up; false if it
  // does not within seconds.
  static bool AwaitTopUp(TrialIdReserve& reserve) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (2 * reserve.available() < kBlock) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(1));
    }
    return true;
  }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<pqxx::connection> transaction_connection_;
  std::unique_ptr<pqxx::connection> ahead_connection_;
};

TEST_F(TrialIdReserveTest, WithoutATopUpThreadTransactionsReserveBlocks) {
  TrialIdReserve reserve(kBlock, nullptr);
  EXPECT_EQ(TakeIds(reserve, 3 * kBlock + 1), 4);
}

TEST_F(TrialIdReserveTest, TheTopUpThreadReservesBeforeTransactionsRunOut) {
  absl::Mutex mu;
  int ahead_trips = 0;
  TrialIdReserve reserve(kBlock, [&](int count) {
    absl::MutexLock lock(&mu);
    ++ahead_trips;
    pqxx::nontransaction session(*ahead_connection_);
    return ReserveTrialIds(session, count);
  });
  pqxx::work transaction(*transaction_connection_);
  int trips = 0;
  std::set<int64_t> ids;
  for (int i = 0; i < 5 * kBlock; ++i) {
    ids.insert(NextId(reserve, transaction, trips));
    ASSERT_TRUE(AwaitTopUp(reserve))
        << "nothing topped the reserve up after id " << i;
  }
  EXPECT_EQ(ids.size(), 5 * kBlock);
  // Only the first id had to be reserved by the transaction: nothing was
  // in reserve yet.
  EXPECT_EQ(trips, 1);
  absl::MutexLock lock(&mu);
  EXPECT_GE(ahead_trips, 4);
}

TEST_F(TrialIdReserveTest, ATopUpThatFailsLeavesTransactionsToReserve) {
  TrialIdReserve reserve(kBlock,
                         [](int /*count*/) { return std::vector<int64_t>(); });
  EXPECT_EQ(TakeIds(reserve, 2 * kBlock + 1), 3);
}

}  // namespace
}  // namespace knob::testing

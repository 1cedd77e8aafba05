// Concurrency: transactions of one study are serialized, those of different
// studies are not, and readers see whole transactions or nothing.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/util/status_macros.h"
#include "tests/server/storage/storage_conformance.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {
namespace {

using ::testing::ElementsAreArray;

std::vector<int64_t> Range(int64_t from, int64_t to) {
  std::vector<int64_t> numbers;
  for (int64_t n = from; n < to; ++n) numbers.push_back(n);
  return numbers;
}

TEST_P(StorageConformanceTest, ConcurrentTransactionsOnOneStudyAreSerialized) {
  constexpr int kThreads = 8;
  constexpr int kTransactionsPerThread = 25;
  constexpr int kTotal = kThreads * kTransactionsPerThread;
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));

  absl::Mutex mu;
  std::vector<int64_t> numbers;
  std::vector<int64_t> sequences;
  std::vector<absl::Status> errors;
  auto work = [&] {
    for (int i = 0; i < kTransactionsPerThread; ++i) {
      Trial created;
      absl::Status status = storage_->Transact(
          study.id, [&](StudyTransaction& txn) -> absl::Status {
            // What the transaction read must still hold when it commits.
            ASSIGN_OR_RETURN(TrialCounts counts, txn.CountTrials());
            if (counts.running != txn.study().next_trial_number) {
              return absl::InternalError("saw another transaction's trials");
            }
            ASSIGN_OR_RETURN(created,
                             txn.CreateTrial(RunningTrial("w", At(60)), At(1)));
            if (created.number != txn.study().next_trial_number ||
                created.sequence != txn.study().sequence + 1) {
              return absl::InternalError("numbered from a stale study");
            }
            return absl::OkStatus();
          });
      absl::MutexLock lock(&mu);
      if (!status.ok()) {
        errors.push_back(status);
        continue;
      }
      numbers.push_back(created.number);
      sequences.push_back(created.sequence);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(work);
  for (std::thread& thread : threads) thread.join();

  EXPECT_THAT(errors, ::testing::IsEmpty());
  std::sort(numbers.begin(), numbers.end());
  std::sort(sequences.begin(), sequences.end());
  EXPECT_THAT(numbers, ElementsAreArray(Range(0, kTotal)));
  EXPECT_THAT(sequences, ElementsAreArray(Range(1, kTotal + 1)));
  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  EXPECT_EQ(stored.sequence, kTotal);
  EXPECT_EQ(stored.next_trial_number, kTotal);
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> all, AllTrials(study.id));
  EXPECT_THAT(NumbersOf(all), ElementsAreArray(Range(0, kTotal)));
  ASSERT_OK_AND_ASSIGN(TrialCounts counts, storage_->CountTrials(study.id));
  EXPECT_EQ(counts.running, kTotal);
}

TEST_P(StorageConformanceTest, TransactionsOnOtherStudiesDoNotWait) {
  ASSERT_OK_AND_ASSIGN(Study slow, CreateStudy("slow"));
  ASSERT_OK_AND_ASSIGN(Study fast, CreateStudy("fast"));
  absl::Notification slow_open;
  absl::Notification fast_committed;
  std::atomic<bool> fast_committed_first = false;
  std::thread slow_thread([&] {
    absl::Status status =
        storage_->Transact(slow.id, [&](StudyTransaction& txn) {
          if (!slow_open.HasBeenNotified()) slow_open.Notify();
          if (fast_committed.WaitForNotificationWithTimeout(
                  absl::Seconds(20))) {
            fast_committed_first = true;
          }
          return txn.CreateTrial(WaitingTrial(1), At(1)).status();
        });
    EXPECT_OK(status);
  });
  slow_open.WaitForNotification();
  EXPECT_OK(CreateTrial(fast.id, WaitingTrial(2), At(1)).status());
  fast_committed.Notify();
  slow_thread.join();
  EXPECT_TRUE(fast_committed_first)
      << "a transaction on another study waited for an open one";
}

TEST_P(StorageConformanceTest, ReadersSeeWholeTransactionsOnly) {
  constexpr int kTransactions = 60;
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  std::atomic<bool> done = false;
  std::thread writer([&] {
    for (int i = 0; i < kTransactions; ++i) {
      EXPECT_OK(
          CreateTrials(study.id, {WaitingTrial(i), WaitingTrial(i)}, At(i))
              .status());
    }
    done = true;
  });
  auto read = [&] {
    TrialQuery query;
    query.study_id = study.id;
    query.page_size = 1000;
    do {
      absl::StatusOr<TrialCounts> counts = storage_->CountTrials(study.id);
      ASSERT_OK(counts.status());
      EXPECT_EQ(counts->waiting % 2, 0) << counts->waiting;
      absl::StatusOr<Study> stored = storage_->GetStudy(study.id);
      ASSERT_OK(stored.status());
      EXPECT_EQ(stored->next_trial_number, 2 * stored->sequence);
      absl::StatusOr<Page<Trial>> page = storage_->ListTrials(query);
      ASSERT_OK(page.status());
      EXPECT_EQ(page->items.size() % 2, 0u) << page->items.size();
    } while (!done);
  };
  std::thread reader_a(read);
  std::thread reader_b(read);
  writer.join();
  reader_a.join();
  reader_b.join();
  ASSERT_OK_AND_ASSIGN(TrialCounts counts, storage_->CountTrials(study.id));
  EXPECT_EQ(counts.waiting, 2 * kTransactions);
}

}  // namespace
}  // namespace knob::testing

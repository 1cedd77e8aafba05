#include "server/core/group_commit.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/study_writer.h"

namespace knob {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

// Changes are never called here: commit functions set the statuses.
absl::Status NoChange(StudyWriter&) { return absl::OkStatus(); }

// Sleeps until `group` has `count` requests queued (a synchronization
// point for the test, not a timing assertion).
void AwaitWaiting(GroupCommit& group, int count) {
  while (group.waiting() < count) absl::SleepFor(absl::Milliseconds(1));
}

TEST(GroupCommit, RequestsArrivingDuringACommitShareTheNextOne) {
  GroupCommit group(/*max_group=*/64);
  absl::Mutex mu;
  std::vector<int> group_sizes;
  absl::Notification first_started, release_first;
  auto commit = [&](absl::Span<GroupCommit::Request* const> members) {
    int index = 0;
    {
      absl::MutexLock lock(&mu);
      index = static_cast<int>(group_sizes.size());
      group_sizes.push_back(static_cast<int>(members.size()));
    }
    if (index == 0) {
      first_started.Notify();
      release_first.WaitForNotification();
    }
    for (size_t i = 0; i < members.size(); ++i) {
      // Each member gets a status of its own.
      members[i]->status =
          absl::UnknownError(absl::StrCat("group ", index, " member ", i));
    }
  };
  std::string first_status;
  std::thread first([&] {
    first_status = std::string(group.Run(NoChange, commit).message());
  });
  first_started.WaitForNotification();
  std::vector<std::string> later_statuses(2);
  std::vector<std::thread> later;
  for (int i = 0; i < 2; ++i) {
    later.emplace_back([&, i] {
      later_statuses[i] = std::string(group.Run(NoChange, commit).message());
    });
  }
  AwaitWaiting(group, 3);
  release_first.Notify();
  first.join();
  for (std::thread& thread : later) thread.join();

  EXPECT_THAT(group_sizes, ElementsAre(1, 2));
  EXPECT_EQ(first_status, "group 0 member 0");
  EXPECT_THAT(later_statuses,
              UnorderedElementsAre("group 1 member 0", "group 1 member 1"));
  EXPECT_EQ(group.waiting(), 0);
}

TEST(GroupCommit, EveryRequestIsCommittedOnceInGroupsThatNeverOverlap) {
  constexpr int kThreads = 16;
  constexpr int kRequestsPerThread = 50;
  constexpr int kMaxGroup = 4;
  GroupCommit group(kMaxGroup);
  std::atomic<bool> committing{false};
  std::atomic<int> committed{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> oversized{0};
  auto commit = [&](absl::Span<GroupCommit::Request* const> members) {
    if (committing.exchange(true)) ++overlaps;
    if (members.size() > kMaxGroup) ++oversized;
    for (GroupCommit::Request* member : members) {
      member->status = absl::OkStatus();
      ++committed;
    }
    committing = false;
  };
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRequestsPerThread; ++i) {
        if (!group.Run(NoChange, commit).ok()) ++failed;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(committed, kThreads * kRequestsPerThread);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(overlaps, 0);
  EXPECT_EQ(oversized, 0);
}

}  // namespace
}  // namespace knob

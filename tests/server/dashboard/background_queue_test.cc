#include "server/dashboard/background_queue.h"

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace knob::dashboard {
namespace {

using ::testing::ElementsAre;

TEST(BackgroundQueue, RunsTasksInTheOrderScheduled) {
  absl::Mutex mu;
  std::vector<std::string> ran;
  absl::Notification done;
  BackgroundQueue queue;
  for (const std::string key : {"a", "b", "c"}) {
    EXPECT_TRUE(queue.Schedule(key, [&, key] {
      absl::MutexLock lock(&mu);
      ran.push_back(key);
      if (key == "c") done.Notify();
    }));
  }

  done.WaitForNotification();

  absl::MutexLock lock(&mu);
  EXPECT_THAT(ran, ElementsAre("a", "b", "c"));
}

TEST(BackgroundQueue, SkipsAKeyStillWaitingOrRunning) {
  absl::Notification started;
  absl::Notification release;
  absl::Notification b_ran;
  BackgroundQueue queue;
  ASSERT_TRUE(queue.Schedule("a", [&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();

  // "a" is running, "b" is waiting behind it.
  EXPECT_FALSE(queue.Schedule("a", [] { ADD_FAILURE() << "scheduled twice"; }));
  EXPECT_TRUE(queue.Schedule("b", [&] { b_ran.Notify(); }));
  EXPECT_FALSE(queue.Schedule("b", [] { ADD_FAILURE() << "scheduled twice"; }));
  release.Notify();
  b_ran.WaitForNotification();

  // Both finished: their keys may be scheduled again.
  absl::Notification again;
  EXPECT_TRUE(queue.Schedule("a", [&] { again.Notify(); }));
  again.WaitForNotification();
}

}  // namespace
}  // namespace knob::dashboard

// Work the dashboard does after answering a request, on one thread of its
// own: reading a study's trials for the studies list, and computing
// parameter importances, either of which takes seconds on a large study.
// A request schedules the work and answers at once with what it already
// has; a later poll finds the result.
//
// Tasks run one at a time, in the order scheduled. A task is named by a
// key: scheduling a key that is still waiting or running does nothing, so
// a page polling every 2 s does not pile up copies of the same work.
//
// Thread safety: Schedule may be called concurrently.
#ifndef KNOB_SERVER_DASHBOARD_BACKGROUND_QUEUE_H_
#define KNOB_SERVER_DASHBOARD_BACKGROUND_QUEUE_H_

#include <deque>
#include <string>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace knob::dashboard {

class BackgroundQueue final {
 public:
  BackgroundQueue();
  // Lets the running task finish, drops the waiting ones and joins the
  // thread.
  ~BackgroundQueue();

  BackgroundQueue(const BackgroundQueue&) = delete;
  BackgroundQueue& operator=(const BackgroundQueue&) = delete;

  // Queues `task` under `key`; false (and `task` dropped) when a task with
  // that key is already waiting or running.
  bool Schedule(const std::string& key, absl::AnyInvocable<void()> task);

 private:
  void Run();
  // Something to do: a waiting task, or stopping.
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::deque<std::pair<std::string, absl::AnyInvocable<void()>>> waiting_
      ABSL_GUARDED_BY(mu_);
  // Keys waiting or running.
  absl::flat_hash_set<std::string> scheduled_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace knob::dashboard

#endif  // KNOB_SERVER_DASHBOARD_BACKGROUND_QUEUE_H_

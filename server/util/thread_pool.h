// A fixed set of threads running queued closures. The gRPC layer hands
// requests to it because they block on PostgreSQL, and blocking gRPC's own
// callback threads would stall every other call.
//
// Thread safety: Schedule may be called from any thread.
#ifndef KNOB_SERVER_UTIL_THREAD_POOL_H_
#define KNOB_SERVER_UTIL_THREAD_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace knob {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  // Runs what is queued, then joins the threads.
  ~ThreadPool();

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Schedule(std::function<void()> work);

 private:
  void Run();

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace knob

#endif  // KNOB_SERVER_UTIL_THREAD_POOL_H_

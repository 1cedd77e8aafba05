#include "server/dashboard/background_queue.h"

namespace knob::dashboard {

BackgroundQueue::BackgroundQueue() : thread_([this] { Run(); }) {}

BackgroundQueue::~BackgroundQueue() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

bool BackgroundQueue::Schedule(const std::string& key,
                               absl::AnyInvocable<void()> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || !scheduled_.insert(key).second) return false;
  waiting_.emplace_back(key, std::move(task));
  return true;
}

bool BackgroundQueue::HasWork() const { return stopping_ || !waiting_.empty(); }

void BackgroundQueue::Run() {
  while (true) {
    std::pair<std::string, absl::AnyInvocable<void()>> next;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &BackgroundQueue::HasWork));
      if (stopping_) return;
      next = std::move(waiting_.front());
      waiting_.pop_front();
    }
    next.second();
    absl::MutexLock lock(&mu_);
    scheduled_.erase(next.first);
  }
}

}  // namespace knob::dashboard

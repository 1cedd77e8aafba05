#include "server/core/group_commit.h"

#include <algorithm>
#include <vector>

#include "server/core/study_writer.h"

namespace knob {

absl::Status GroupCommit::Run(StudyChange change, CommitFn commit_group) {
  Request request{&change};
  absl::MutexLock lock(&mu_);
  queue_.push_back(&request);
  auto done_or_leading = [this, &request]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return request.done || queue_.front() == &request;
  };
  mu_.Await(absl::Condition(&done_or_leading));
  if (request.done) return request.status;

  const size_t size = std::min(queue_.size(), static_cast<size_t>(max_group_));
  const std::vector<Request*> group(queue_.begin(), queue_.begin() + size);
  // Requests arriving meanwhile queue up behind the group and form the
  // next one.
  mu_.Unlock();
  commit_group(group);
  mu_.Lock();
  for (Request* member : group) {
    member->done = true;
    queue_.pop_front();
  }
  return request.status;
}

int GroupCommit::waiting() {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(queue_.size());
}

}  // namespace knob

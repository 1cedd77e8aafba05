#include "server/core/group_commit.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "server/core/study_writer.h"

namespace knob {
namespace {

void Give(GroupCommit::Request& request, GroupCommit::Request::Turn turn) {
  absl::MutexLock lock(&request.turn_mu);
  request.turn = turn;
}

}  // namespace

absl::Status GroupCommit::Run(StudyChange change, CommitFn commit_group) {
  auto request = std::make_shared<Request>();
  request->change = &change;
  bool leads = false;
  {
    absl::MutexLock lock(&mu_);
    queue_.push_back(request);
    leads = queue_.size() == 1;
  }
  if (!leads) {
    absl::MutexLock lock(&request->turn_mu);
    request->turn_mu.Await(absl::Condition(
        +[](Request::Turn* turn) { return *turn != Request::Turn::kWait; },
        &request->turn));
    if (request->turn == Request::Turn::kDone) return request->status;
  }

  std::vector<std::shared_ptr<Request>> group;
  {
    absl::MutexLock lock(&mu_);
    const size_t size =
        std::min(queue_.size(), static_cast<size_t>(max_group_));
    // Requests arriving meanwhile queue up behind the group and form the
    // next one.
    group.assign(queue_.begin(), queue_.begin() + size);
  }
  std::vector<Request*> members;
  members.reserve(group.size());
  for (const std::shared_ptr<Request>& member : group) {
    members.push_back(member.get());
  }
  commit_group(members);
  std::shared_ptr<Request> next_leader;
  {
    absl::MutexLock lock(&mu_);
    queue_.erase(queue_.begin(), queue_.begin() + group.size());
    if (!queue_.empty()) next_leader = queue_.front();
  }
  if (next_leader != nullptr) Give(*next_leader, Request::Turn::kLead);
  for (const std::shared_ptr<Request>& member : group) {
    if (member != request) Give(*member, Request::Turn::kDone);
  }
  return request->status;
}

int GroupCommit::waiting() {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(queue_.size());
}

}  // namespace knob

// GroupCommit queues the requests of one study so that the ones that
// arrive while a transaction of that study is committing share the next
// transaction: one lock, one sequence number and one commit (one WAL
// flush in PostgreSQL) for the whole group instead of one per request.
// With many workers on a study the commit, not the work, is what a
// request waits for, so this is what lets throughput grow with workers.
//
// The first request in the queue leads: it takes up to `max_group`
// requests from the front (itself first, then in arrival order) and calls
// `commit_group` with them, which must set each one's status; then it
// hands the lead to the next request in the queue, before it wakes the
// requests of its group: the study's next transaction starts while this
// one's answers go out, instead of after. A request never returns before
// the group it is in was committed or failed, so nothing is acknowledged
// before it is durable.
//
// Thread safety: Run() may be called from any number of threads at once.
#ifndef KNOB_SERVER_CORE_GROUP_COMMIT_H_
#define KNOB_SERVER_CORE_GROUP_COMMIT_H_

#include <deque>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

namespace knob {

class StudyWriter;
// What one request does in the group's transaction. StudyWriter stays
// incomplete here, since the study runtime that owns a GroupCommit is
// itself part of a StudyWriter.
using StudyChange = absl::FunctionRef<absl::Status(StudyWriter&)>;

class GroupCommit final {
 public:
  // One request: the change it makes in the study's transaction, and its
  // outcome, set by `commit_group`.
  struct Request {
    const StudyChange* change;
    absl::Status status;

    // What a queued request waits for. Each request has a mutex of its own
    // so that waking one takes no lock another one waits on: answering a
    // group of 64 is not 64 hand-offs of one lock.
    enum class Turn { kWait, kLead, kDone };
    absl::Mutex turn_mu;
    Turn turn ABSL_GUARDED_BY(turn_mu) = Turn::kWait;
  };
  using CommitFn = absl::FunctionRef<void(absl::Span<Request* const>)>;

  // `max_group` >= 1: the most requests one transaction carries.
  explicit GroupCommit(int max_group) : max_group_(max_group) {}

  // Queues `change` and returns its status once its group was committed,
  // by this thread (when it leads) or by another.
  absl::Status Run(StudyChange change, CommitFn commit_group);

  // Requests queued and not yet committed, the group being committed
  // included.
  int waiting();

 private:
  const int max_group_;
  absl::Mutex mu_;
  // Owned with the requests' own threads: a woken request may return
  // while its waker is still unlocking its mutex.
  std::deque<std::shared_ptr<Request>> queue_ ABSL_GUARDED_BY(mu_);
};

}  // namespace knob

#endif  // KNOB_SERVER_CORE_GROUP_COMMIT_H_

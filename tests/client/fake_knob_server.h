// A small in-memory knob-server for client tests: both services on a real
// loopback socket, simple enough to reason about (trials are sampled
// deterministically from their number), with hooks to script failures,
// pruning and stop directives and to inspect what the client sent.
#ifndef KNOB_TESTS_CLIENT_FAKE_KNOB_SERVER_H_
#define KNOB_TESTS_CLIENT_FAKE_KNOB_SERVER_H_

#include <grpcpp/server.h>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "knob/v1/service.grpc.pb.h"

namespace knob::testing {

class FakeKnobServer final {
 public:
  // Listens on 127.0.0.1 at a free port.
  FakeKnobServer();
  ~FakeKnobServer();

  FakeKnobServer(const FakeKnobServer&) = delete;
  FakeKnobServer& operator=(const FakeKnobServer&) = delete;

  // "127.0.0.1:PORT".
  const std::string& target() const { return target_; }

  // The next `count` calls of `method` (e.g. "SuggestTrials") fail with
  // `status` before doing anything.
  void FailNext(const std::string& method, int count, grpc::Status status);
  // ReportIntermediate answers should_prune from this step on (0: never).
  void PruneFromStep(int64_t step);
  // Heartbeats for `trial_id` answer stop with `reason`.
  void StopTrial(int64_t trial_id, const std::string& reason);

  // Attempts of `method` received, failed ones included.
  int Calls(const std::string& method) const;
  // The request_id of every attempt of `method`, in order.
  std::vector<std::string> RequestIds(const std::string& method) const;
  // Heartbeat requests received for `trial_id`.
  int Heartbeats(int64_t trial_id) const;
  // Every trial of every study, in creation order.
  std::vector<v1::Trial> AllTrials() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
  std::unique_ptr<grpc::Service> studies_;
  std::unique_ptr<grpc::Service> trials_;
  std::unique_ptr<grpc::Server> server_;
  std::string target_;
};

// Shared by the two fake services.
struct FakeKnobServer::State {
  mutable absl::Mutex mu;
  int64_t next_study_id ABSL_GUARDED_BY(mu) = 1;
  int64_t next_trial_id ABSL_GUARDED_BY(mu) = 1;
  std::map<int64_t, v1::Study> studies ABSL_GUARDED_BY(mu);
  std::vector<v1::Trial> trials ABSL_GUARDED_BY(mu);
  std::map<std::string, std::pair<int, grpc::Status>> failures
      ABSL_GUARDED_BY(mu);
  std::map<std::string, int> calls ABSL_GUARDED_BY(mu);
  std::map<std::string, std::vector<std::string>> request_ids
      ABSL_GUARDED_BY(mu);
  std::map<std::string, std::string> replies ABSL_GUARDED_BY(mu);
  std::map<int64_t, int> heartbeats ABSL_GUARDED_BY(mu);
  std::map<int64_t, std::string> stop_trials ABSL_GUARDED_BY(mu);
  int64_t prune_from_step ABSL_GUARDED_BY(mu) = 0;

  // Counts the call, records the id, and returns a scripted failure if
  // one is due (OK otherwise).
  grpc::Status Enter(const std::string& method, const std::string& request_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  v1::Study* FindStudy(int64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  v1::Trial* FindTrial(int64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void Recount(v1::Study& study) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
};

std::unique_ptr<grpc::Service> NewFakeStudyService(
    FakeKnobServer::State& state);
std::unique_ptr<grpc::Service> NewFakeTrialService(
    FakeKnobServer::State& state);

}  // namespace knob::testing

#endif  // KNOB_TESTS_CLIENT_FAKE_KNOB_SERVER_H_

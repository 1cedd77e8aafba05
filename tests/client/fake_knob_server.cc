#include "tests/client/fake_knob_server.h"

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"

namespace knob::testing {

grpc::Status FakeKnobServer::State::Enter(const std::string& method,
                                          const std::string& request_id) {
  ++calls[method];
  request_ids[method].push_back(request_id);
  auto it = failures.find(method);
  if (it == failures.end() || it->second.first == 0) return grpc::Status::OK;
  --it->second.first;
  return it->second.second;
}

v1::Study* FakeKnobServer::State::FindStudy(int64_t id) {
  auto it = studies.find(id);
  return it == studies.end() ? nullptr : &it->second;
}

v1::Trial* FakeKnobServer::State::FindTrial(int64_t id) {
  for (v1::Trial& trial : trials) {
    if (trial.id() == id) return &trial;
  }
  return nullptr;
}

void FakeKnobServer::State::Recount(v1::Study& study) {
  v1::TrialCounts counts;
  for (const v1::Trial& trial : trials) {
    if (trial.study_id() != study.id()) continue;
    switch (trial.state()) {
      case v1::TRIAL_STATE_WAITING:
        counts.set_waiting(counts.waiting() + 1);
        break;
      case v1::TRIAL_STATE_RUNNING:
        counts.set_running(counts.running() + 1);
        break;
      case v1::TRIAL_STATE_COMPLETED:
        counts.set_completed(counts.completed() + 1);
        break;
      case v1::TRIAL_STATE_PRUNED:
        counts.set_pruned(counts.pruned() + 1);
        break;
      case v1::TRIAL_STATE_FAILED:
        counts.set_failed(counts.failed() + 1);
        break;
      case v1::TRIAL_STATE_STALE:
        counts.set_stale(counts.stale() + 1);
        break;
      default:
        break;
    }
  }
  *study.mutable_trial_counts() = counts;
  study.set_sequence(study.sequence() + 1);
}

FakeKnobServer::FakeKnobServer()
    : state_(std::make_unique<State>()),
      studies_(NewFakeStudyService(*state_)),
      trials_(NewFakeTrialService(*state_)) {
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(studies_.get());
  builder.RegisterService(trials_.get());
  server_ = builder.BuildAndStart();
  target_ = absl::StrCat("127.0.0.1:", port);
}

FakeKnobServer::~FakeKnobServer() { server_->Shutdown(); }

void FakeKnobServer::FailNext(const std::string& method, int count,
                              grpc::Status status) {
  absl::MutexLock lock(&state_->mu);
  state_->failures[method] = {count, std::move(status)};
}

void FakeKnobServer::PruneFromStep(int64_t step) {
  absl::MutexLock lock(&state_->mu);
  state_->prune_from_step = step;
}

void FakeKnobServer::StopTrial(int64_t trial_id, const std::string& reason) {
  absl::MutexLock lock(&state_->mu);
  state_->stop_trials[trial_id] = reason;
}

int FakeKnobServer::Calls(const std::string& method) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->calls.find(method);
  return it == state_->calls.end() ? 0 : it->second;
}

std::vector<std::string> FakeKnobServer::RequestIds(
    const std::string& method) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->request_ids.find(method);
  return it == state_->request_ids.end() ? std::vector<std::string>()
                                         : it->second;
}

int FakeKnobServer::Heartbeats(int64_t trial_id) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->heartbeats.find(trial_id);
  return it == state_->heartbeats.end() ? 0 : it->second;
}

std::vector<v1::Trial> FakeKnobServer::AllTrials() const {
  absl::MutexLock lock(&state_->mu);
  return state_->trials;
}

}  // namespace knob::testing

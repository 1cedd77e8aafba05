#include "client/internal/heartbeat.h"

#include <utility>

namespace knob::internal {

TrialHeartbeat::TrialHeartbeat(Client& client, std::string worker_id,
                               absl::Duration interval, TrialContext& trial)
    : client_(client),
      worker_id_(std::move(worker_id)),
      interval_(interval),
      trial_(trial),
      thread_([this] { Run(); }) {}

TrialHeartbeat::~TrialHeartbeat() {
  done_.Notify();
  thread_.join();
}

void TrialHeartbeat::Run() {
  v1::HeartbeatRequest request;
  request.add_trial_ids(trial_.id());
  request.set_worker_id(worker_id_);
  while (!done_.WaitForNotificationWithTimeout(interval_)) {
    absl::StatusOr<v1::HeartbeatResponse> response = client_.Heartbeat(request);
    if (!response.ok()) continue;
    for (const v1::TrialDirective& directive : response->directives()) {
      if (directive.trial_id() == trial_.id() && directive.stop()) {
        trial_.RequestStop(directive.reason().empty() ? "stopped by the server"
                                                      : directive.reason());
      }
    }
  }
}

}  // namespace knob::internal

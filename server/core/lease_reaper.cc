#include "server/core/lease_reaper.h"

#include "server/observability/log.h"

namespace knob {

LeaseReaper::LeaseReaper(Tuner& tuner, absl::Duration interval,
                         Metrics& metrics)
    : tuner_(tuner),
      interval_(interval),
      metrics_(metrics),
      thread_([this] { Run(); }) {}

LeaseReaper::~LeaseReaper() {
  stop_.Notify();
  thread_.join();
}

void LeaseReaper::Run() {
  while (!stop_.WaitForNotificationWithTimeout(interval_)) {
    absl::StatusOr<int> expired = tuner_.ExpireLeases();
    // A database outage is reported and retried at the next tick; the
    // leases stay expired in the meantime and nothing is lost.
    if (!expired.ok()) {
      Log(LogLevel::kError, "lease expiry failed",
          {{"error", expired.status().ToString()}});
    } else {
      metrics_.CountReapedTrials(*expired);
    }
  }
}

}  // namespace knob

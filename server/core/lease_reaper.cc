#include "server/core/lease_reaper.h"

#include <cstdio>

namespace knob {

LeaseReaper::LeaseReaper(Tuner& tuner, absl::Duration interval)
    : tuner_(tuner), interval_(interval), thread_([this] { Run(); }) {}

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
      std::fprintf(stderr, "knob-server: lease expiry failed: %s\n",
                   expired.status().ToString().c_str());
    } else if (*expired > 0) {
      std::fprintf(stderr, "knob-server: %d trial(s) became STALE\n", *expired);
    }
  }
}

}  // namespace knob

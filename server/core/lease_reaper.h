// Runs Tuner::ExpireLeases periodically in a background thread, so that
// trials of workers that vanished become STALE without anyone asking. It
// counts them (Metrics::CountReapedTrials) and logs the failures to expire
// them; the Tuner logs each reaped trial.
#ifndef KNOB_SERVER_CORE_LEASE_REAPER_H_
#define KNOB_SERVER_CORE_LEASE_REAPER_H_

#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "server/core/tuner.h"
#include "server/observability/metrics.h"

namespace knob {

class LeaseReaper {
 public:
  // Starts the thread; `tuner` and `metrics` must outlive the reaper.
  LeaseReaper(Tuner& tuner, absl::Duration interval,
              Metrics& metrics = Metrics::Discard());
  // Stops the thread and waits for it.
  ~LeaseReaper();

  LeaseReaper(const LeaseReaper&) = delete;
  LeaseReaper& operator=(const LeaseReaper&) = delete;

 private:
  void Run();

  Tuner& tuner_;
  const absl::Duration interval_;
  Metrics& metrics_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace knob

#endif  // KNOB_SERVER_CORE_LEASE_REAPER_H_

// What knob-server measures for its operators: the recording side of its
// metrics, without any exposition format, so that the core and storage
// record through this interface and stay free of the metrics library
// (prometheus_metrics.h holds the exported implementation).
//
// Label values must come from small fixed sets (method names the server
// serves, sampler names, trial states): every distinct value becomes a
// series of its own.
//
// Thread safety: every method may be called concurrently from any thread.
#ifndef KNOB_SERVER_OBSERVABILITY_METRICS_H_
#define KNOB_SERVER_OBSERVABILITY_METRICS_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace knob {

// Every method does nothing unless overridden: an implementation records
// what it cares about (a test recorder, say, only the pool's reports).
class Metrics {
 public:
  virtual ~Metrics() = default;

  // Metrics that record nothing, for code run without metrics (tests,
  // tools). Lives as long as the process.
  static Metrics& Discard();

  // One finished RPC: its full method name ("knob.v1.TrialService/
  // SuggestTrials"), its gRPC status code name ("OK", "NOT_FOUND") and the
  // time from its arrival to its status.
  virtual void ObserveRpc(absl::string_view method, absl::string_view code,
                          absl::Duration duration) {}

  // One proposal by the sampler a study names (e.g. "tpe").
  virtual void ObserveSampling(absl::string_view sampler,
                               absl::Duration duration) {}

  // A committed change of a trial into `state` ("RUNNING", "COMPLETED", …),
  // counting a trial's creation as its change into its first state.
  virtual void CountTrialTransition(absl::string_view state) {}

  // Trials the lease reaper found with an expired lease and marked STALE.
  virtual void CountReapedTrials(int count) {}

  // A lookup of a study's in-memory state (history, sampler, pruner):
  // `hit` when it was cached, a miss when it had to be loaded.
  virtual void CountStudyCacheLookup(bool hit) {}

  // How long a caller waited for a database connection from the pool,
  // whether it got one or gave up.
  virtual void ObserveConnectionWait(absl::Duration wait) {}

  // Database connections leased out of the pool: +1 when one is handed
  // out, -1 when it comes back (or is closed).
  virtual void AddConnectionsInUse(int delta) {}
};

}  // namespace knob

#endif  // KNOB_SERVER_OBSERVABILITY_METRICS_H_

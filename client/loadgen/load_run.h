// A load run: simulated workers (see SimulatedWorker) cycling through
// suggest and complete on a knob-server for a fixed time or a fixed number
// of trials, on studies the run creates, and what they measured.
#ifndef KNOB_CLIENT_LOADGEN_LOAD_RUN_H_
#define KNOB_CLIENT_LOADGEN_LOAD_RUN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/loadgen/simulated_worker.h"

namespace knob::loadgen {

struct LoadOptions {
  // Address of the server, "host:port". Default: "127.0.0.1:50051".
  std::string server = "127.0.0.1:50051";
  // Simulated workers running at once. Default: 64.
  int workers = 64;
  // Studies named "<prefix>-0" … "<prefix>-<studies-1>"; worker i works on
  // study i mod studies. Default: 1.
  int studies = 1;
  // The studies' sampler. Default: "random".
  std::string sampler = "random";
  // Prefix of the study names and of the worker ids. Default: "loadgen".
  std::string prefix = "loadgen";
  // gRPC channels (each its own HTTP/2 connection) the workers are spread
  // over, round robin. Default: 4.
  int channels = 4;
  // How long workers start new cycles. Default: 10 s.
  absl::Duration duration = absl::Seconds(10);
  // When positive, the run also ends once this many cycles completed in
  // all, split over the studies as evenly as whole cycles go (the first
  // trials % studies studies get one more); whichever of this and
  // `duration` comes first ends it. Default: 0 (no limit but `duration`).
  int64_t trials = 0;
  // Deadline of each call. Default: 30 s.
  absl::Duration call_timeout = absl::Seconds(30);
  // Intermediate values each trial reports before it completes.
  int reports = 0;
};

struct LoadResult {
  LoadOptions options;
  // The studies worked on, in name order.
  std::vector<int64_t> study_ids;
  // From the first call to the last answer, including the drain after
  // `duration` in which workers complete the trials they hold.
  absl::Duration elapsed;
  // Every worker's measurements, merged.
  WorkerStats stats;

  double cycles_per_second() const;
};

// Creates (or, with an equal config, reuses) the studies: three parameters
// (a float, a log-scale float, an int) and one minimized objective, no
// stopping criteria. Then connects the channels, runs the workers for
// `duration` or until the studies have their share of `trials`, and waits
// until each worker completed the trial it held.
// INVALID_ARGUMENT for workers, studies or channels below 1, a non-positive
// duration or negative trials; the server's error when a study cannot be
// created (e.g. INVALID_ARGUMENT for an unknown sampler); UNAVAILABLE when
// a channel does not connect within the call timeout.
absl::StatusOr<LoadResult> RunLoad(const LoadOptions& options);

}  // namespace knob::loadgen

#endif  // KNOB_CLIENT_LOADGEN_LOAD_RUN_H_

// A SimulatedWorker plays one worker of a study with an objective that
// costs nothing: it asks for a trial (SuggestTrials, count 1), reports
// `reports` intermediate values for steps 0, 1, … (ReportIntermediate),
// completes it (CompleteTrial), and starts over, until its stop time or until
// its study's CycleBudget, shared with the study's other workers, is
// spent. It runs on gRPC's callback API, so a load generator drives
// hundreds of workers without a thread each and the client's own CPU stays
// small next to the server's.
//
// Each cycle's calls carry request ids, as the client library's would, so
// the server does the work a real worker causes. They start with
// `request_id_prefix`, which must differ between runs: a run reusing a
// study with an earlier run's ids would get that run's trials back. A
// failed call is counted under its status code; after a failed suggest the
// worker waits kRetryPause before asking again, so that an unavailable
// server is not flooded. A worker whose stop time passes completes the
// trial it holds, then stops: every cycle it counts is a COMPLETED trial in
// the study. A cycle whose complete failed is retried under the same unit
// of the budget, so that a spent budget means that many COMPLETED trials.
//
// Thread safety: Start() once; the callbacks run on gRPC's threads, one at
// a time per worker; stats() may be read once `on_done` ran.
#ifndef KNOB_CLIENT_LOADGEN_SIMULATED_WORKER_H_
#define KNOB_CLIENT_LOADGEN_SIMULATED_WORKER_H_

#include <grpcpp/alarm.h>
#include <grpcpp/client_context.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "client/loadgen/cycle_budget.h"
#include "client/loadgen/latency_histogram.h"
#include "knob/v1/service.grpc.pb.h"

namespace knob::loadgen {

// What one worker (or, merged, a whole run) measured.
struct WorkerStats {
  // Suggest + complete cycles whose complete succeeded.
  int64_t cycles = 0;
  LatencyHistogram suggest_latency;
  LatencyHistogram report_latency;
  LatencyHistogram complete_latency;
  // Failed calls by status code name ("UNAVAILABLE", …); a suggest that
  // returned no trial counts as "STUDY_DONE".
  std::map<std::string, int64_t> errors;

  void Merge(const WorkerStats& other);
  int64_t error_count() const;
};

class SimulatedWorker final {
 public:
  // Pause after a failed suggest before the next one.
  static constexpr absl::Duration kRetryPause = absl::Milliseconds(10);

  // `stub` and `budget` must outlive the worker. `on_done` runs once, on a
  // gRPC thread, when the worker stopped; the worker must outlive that call.
  SimulatedWorker(v1::TrialService::Stub& stub, int64_t study_id,
                  CycleBudget& budget, int reports, std::string worker_id,
                  std::string request_id_prefix, absl::Time stop_at,
                  absl::Duration call_timeout, std::function<void()> on_done);

  SimulatedWorker(const SimulatedWorker&) = delete;
  SimulatedWorker& operator=(const SimulatedWorker&) = delete;

  void Start();

  const WorkerStats& stats() const { return stats_; }

 private:
  void Suggest();
  void OnSuggested(const grpc::Status& status);
  // Reports the next intermediate value, or completes the trial once all
  // were reported.
  void ReportOrComplete();
  void OnReported(const grpc::Status& status);
  void Complete();
  void OnCompleted(const grpc::Status& status);
  void CountError(const std::string& code);
  // A fresh context with the call deadline; gRPC contexts are single-use.
  std::unique_ptr<grpc::ClientContext> NewContext() const;
  std::string NextRequestId();

  v1::TrialService::Stub& stub_;
  const int64_t study_id_;
  CycleBudget& budget_;
  const int reports_;
  const std::string worker_id_;
  const std::string request_id_prefix_;
  const absl::Time stop_at_;
  const absl::Duration call_timeout_;
  const std::function<void()> on_done_;

  // One context, request and response per kind of call: a callback only
  // ever replaces the other kind's, never the one it runs for.
  std::unique_ptr<grpc::ClientContext> suggest_context_;
  v1::SuggestTrialsRequest suggest_request_;
  v1::SuggestTrialsResponse suggest_response_;
  std::unique_ptr<grpc::ClientContext> report_context_;
  v1::ReportIntermediateRequest report_request_;
  v1::ReportIntermediateResponse report_response_;
  // Intermediate values reported for the trial held.
  int reported_ = 0;
  std::unique_ptr<grpc::ClientContext> complete_context_;
  v1::CompleteTrialRequest complete_request_;
  v1::Trial complete_response_;
  absl::Time call_start_;
  grpc::Alarm retry_alarm_;
  int64_t requests_ = 0;
  // Whether the cycle under way took its unit of the budget already.
  bool holds_cycle_ = false;

  WorkerStats stats_;
};

}  // namespace knob::loadgen

#endif  // KNOB_CLIENT_LOADGEN_SIMULATED_WORKER_H_

// The worker loop: how an ML training program in C++ takes part in a
// study. RunWorker asks the server for a trial, runs the caller's training
// function on it, reports the outcome, and repeats until the study is done.
//
//   knob::Client client({.target = "knob:50051"});
//   knob::WorkerOptions options;
//   options.study_id = 7;
//   auto summary = knob::RunWorker(client, options,
//       [](knob::TrialContext& trial) -> absl::StatusOr<knob::TrialResult> {
//         double lr = trial.Double("lr");
//         for (int epoch = 1; epoch <= 10; ++epoch) {
//           double loss = TrainOneEpoch(lr);
//           absl::StatusOr<bool> prune = trial.Report(epoch, loss);
//           if (!prune.ok()) return prune.status();
//           if (*prune || trial.ShouldStop()) {
//             return knob::TrialResult::Pruned();
//           }
//         }
//         return knob::TrialResult::Completed({Evaluate()});
//       });
//
// Thread safety: RunWorker runs the training function on the calling
// thread, one trial at a time; a background thread sends heartbeats for
// the running trial. Several RunWorker calls may share one Client.
#ifndef KNOB_CLIENT_WORKER_H_
#define KNOB_CLIENT_WORKER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/client.h"

namespace knob {

// What a training function made of its trial.
class TrialResult final {
 public:
  enum class Outcome { kCompleted, kPruned, kFailed };

  // One value per objective, in the study's order; `metrics` holds extra
  // metrics the study declared.
  static TrialResult Completed(std::vector<double> values,
                               std::map<std::string, double> metrics = {});
  // Stopped early, after a Report answered "prune" or ShouldStop() turned
  // true.
  static TrialResult Pruned(std::string reason = "");
  // The training itself failed (diverged, out of memory, bad data, …).
  static TrialResult Failed(std::string reason);

  Outcome outcome() const { return outcome_; }
  const std::vector<double>& values() const { return values_; }
  const std::map<std::string, double>& metrics() const { return metrics_; }
  const std::string& reason() const { return reason_; }

 private:
  TrialResult(Outcome outcome, std::vector<double> values,
              std::map<std::string, double> metrics, std::string reason);

  Outcome outcome_;
  std::vector<double> values_;
  std::map<std::string, double> metrics_;
  std::string reason_;
};

// One trial as the training function sees it. Valid only during the call
// of the training function it is passed to. Report and the getters are for
// the training thread; the stop flag is set from the heartbeat thread.
class TrialContext final {
 public:
  // `client` and `study` must outlive the context. Public so that training
  // functions can be tested against a client of a test server.
  TrialContext(Client& client, const v1::Study& study, v1::Trial trial);

  TrialContext(const TrialContext&) = delete;
  TrialContext& operator=(const TrialContext&) = delete;

  const v1::Trial& trial() const { return trial_; }
  const v1::Study& study() const { return study_; }
  int64_t id() const { return trial_.id(); }
  int64_t number() const { return trial_.number(); }

  // Whether the parameter is active in this trial (conditional parameters
  // are absent when their condition does not hold).
  bool Has(std::string_view name) const;
  // The value of an active parameter. Double accepts int values too. When
  // the parameter is absent or of another kind, these return 0, "" or
  // false and the trial is marked FAILED with a message naming the
  // parameter once the training function returns, whatever it returned:
  // training code stays free of error plumbing for what is a bug.
  double Double(std::string_view name) const;
  int64_t Int(std::string_view name) const;
  std::string String(std::string_view name) const;
  bool Bool(std::string_view name) const;

  // Records `value` at `step` (for `metric`, default the first objective's)
  // and returns whether the pruner wants the trial stopped; a true answer
  // also makes ShouldStop() true. Errors are the server's (e.g.
  // FAILED_PRECONDITION when the trial is no longer running).
  absl::StatusOr<bool> Report(int64_t step, double value,
                              std::string_view metric = "");

  // True once the server asked to stop this trial: a heartbeat directive
  // (pruned, lease lost, study stopped) or a Report that answered prune.
  bool ShouldStop() const { return stop_.load(std::memory_order_acquire); }
  // Why, as the server put it; empty while ShouldStop() is false.
  std::string StopReason() const;

  // Makes ShouldStop() true; the heartbeat thread calls it on a stop
  // directive. The first reason given is kept.
  void RequestStop(std::string_view reason);
  // The first parameter misuse recorded by a getter; empty when none.
  std::string ParameterError() const;

 private:
  const v1::Value* Find(std::string_view name, std::string_view wanted) const;

  Client& client_;
  const v1::Study& study_;
  const v1::Trial trial_;
  std::atomic<bool> stop_{false};
  mutable absl::Mutex mu_;
  std::string stop_reason_ ABSL_GUARDED_BY(mu_);
  mutable std::string parameter_error_ ABSL_GUARDED_BY(mu_);
};

using TrainFn = std::function<absl::StatusOr<TrialResult>(TrialContext&)>;

struct WorkerOptions {
  // The study to work on. Required.
  int64_t study_id = 0;
  // Recorded with each trial. Default (empty): "<hostname>:<pid>".
  std::string worker_id;
  // Recorded with each trial; the caller may add anything (GPU model, git
  // commit, …). "hostname", "pid" and "knob_client_version" are filled in
  // unless present.
  std::map<std::string, std::string> environment;
  // Time between heartbeats of the running trial. The loop never waits
  // longer than a third of the study's lease, so that two heartbeats may
  // be lost before the trial goes stale. Default: 10 s.
  absl::Duration heartbeat_interval = absl::Seconds(10);
  // Stop after this many trials; 0 means until the study is done.
  // Default: 0.
  int64_t max_trials = 0;
  // How long to wait before asking again when the server handed out no
  // trial without declaring the study done (all remaining budget is held
  // by running trials). Default: 1 s.
  absl::Duration idle_interval = absl::Seconds(1);
  // Called on the loop's thread after each trial's outcome was sent, with
  // the trial as the server recorded it (as suggested when the server
  // refused the outcome) and the status of that call. Default: none.
  std::function<void(const v1::Trial& trial, const absl::Status& completion)>
      on_trial_end;
};

struct WorkerSummary {
  int64_t completed = 0;
  int64_t failed = 0;
  int64_t pruned = 0;
  // Trials the server no longer accepted an outcome for (the lease expired
  // or the trial was stopped by someone else).
  int64_t lost = 0;
  // True when the server declared the study done; false when max_trials
  // ended the loop.
  bool study_done = false;
  // The server's done_reason, or "max_trials=N reached" for this worker.
  std::string done_reason;
};

// Runs trials of options.study_id until the study is done or max_trials
// trials ran. Returns the summary; NOT_FOUND for an unknown study,
// INVALID_ARGUMENT for a missing study_id, and the client's error when the
// server stayed unreachable beyond the client's retries. A training
// function that returns an error fails its trial and the loop goes on.
absl::StatusOr<WorkerSummary> RunWorker(Client& client,
                                        const WorkerOptions& options,
                                        const TrainFn& train);

// "<hostname>:<pid>" of this process.
std::string DefaultWorkerId();

}  // namespace knob

#endif  // KNOB_CLIENT_WORKER_H_

// knob-chaos-worker: the C++ worker process of the chaos suite. Runs trials
// of one study with the client library's worker loop (knob::RunWorker) and
// keeps a ledger of every write the server acknowledged, in the lines
// chaos_worker.py writes for the Python worker loop, so that ledger.py
// checks both the same way. RunWorker does not show its SuggestTrials
// answers, so a suggestion is recorded when the loop hands its trial to
// the training function, a moment later; a worker killed in between
// leaves that trial out of its ledger, which makes the check weaker, not
// wrong.
//
//   knob-chaos-worker --server=HOST:PORT --study=ID --ledger_dir=DIR
//                     --name=NAME [--threads=N] [--steps=K]
//                     [--step_seconds=S] [--silent]
//
// With --threads=N the process runs N workers, each with its own Client and
// ledger file NAME-I.PID.cc.jsonl. --silent runs one trial without
// heartbeats instead: it reports once, goes quiet for three leases and
// then reports and completes, as a worker stuck in a long step would.
// Every failed call attempt is logged on stderr (failed_attempt_log.h).
// Exits 0 once every worker saw the study done, 1 when one gave up.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/client.h"
#include "client/retry.h"
#include "client/worker.h"
#include "server/util/status_macros.h"
#include "tests/chaos/failed_attempt_log.h"
#include "tests/chaos/ledger_file.h"

ABSL_FLAG(std::string, server, "", "knob-server address, host:port");
ABSL_FLAG(int64_t, study, 0, "study id");
ABSL_FLAG(std::string, ledger_dir, "", "where the ledger files go");
ABSL_FLAG(std::string, name, "", "worker name; each thread appends -I");
ABSL_FLAG(int, threads, 1, "workers in this process");
ABSL_FLAG(int, steps, 3, "intermediate values reported per trial");
ABSL_FLAG(double, step_seconds, 0.05, "time each step takes");
ABSL_FLAG(bool, silent, false, "one trial that outlives its lease");

namespace knob::chaos {
namespace {

// Long enough to ride out the slowest restart the suite causes; short
// back-offs so that workers are back as soon as the server is.
ClientOptions ChaosClientOptions(const std::string& server) {
  ClientOptions options;
  options.target = server;
  options.retry.initial_backoff = absl::Milliseconds(50);
  options.retry.max_backoff = absl::Seconds(1);
  // About two minutes of back-off, nearly all of it at max_backoff.
  options.retry.max_attempts = 125;
  return options;
}

// What a trial reports at a step: distinct per (trial, step), so that a
// value found under the wrong trial or step is caught. The same values as
// chaos_worker.py's.
double TrialValue(int64_t trial_id, int64_t step) {
  return static_cast<double>(trial_id) + static_cast<double>(step) / 1000.0 +
         0.123456789;
}

// Records the refusal when `status` is an answer rather than an outage
// the client gave up riding out.
void NoteRefusal(LedgerFile& ledger, std::string_view call, int64_t trial_id,
                 const absl::Status& status) {
  if (!status.ok() && !IsRetryableStatus(status)) {
    ledger.Refused(call, trial_id, status);
  }
}

struct WorkerConfig {
  std::string server;
  int64_t study_id = 0;
  int steps = 0;
  absl::Duration step_time;
};

// The outcome the training function handed back, written to the ledger
// once CompleteTrial acknowledged it. Used on the worker loop's thread
// only.
struct SentOutcome {
  v1::TrialState state = v1::TRIAL_STATE_UNSPECIFIED;
  std::vector<double> values;
};

absl::Status RunLedgeredWorker(const WorkerConfig& config,
                               const std::string& name, LedgerFile& ledger) {
  Client client(ChaosClientOptions(config.server));
  SentOutcome sent;
  WorkerOptions options;
  options.study_id = config.study_id;
  options.worker_id = name;
  options.on_trial_end = [&](const v1::Trial& trial,
                             const absl::Status& completion) {
    if (completion.ok()) {
      ledger.Completed(trial.id(), sent.state, sent.values);
    } else {
      NoteRefusal(ledger, "complete", trial.id(), completion);
    }
  };
  const TrainFn train =
      [&](TrialContext& trial) -> absl::StatusOr<TrialResult> {
    // The first thing the worker does with a trial it was handed.
    ledger.Suggested(config.study_id, trial.trial());
    for (int step = 0; step < config.steps; ++step) {
      absl::SleepFor(config.step_time);
      const double value = TrialValue(trial.id(), step);
      absl::StatusOr<bool> prune = trial.Report(step, value);
      if (!prune.ok()) {
        NoteRefusal(ledger, "report", trial.id(), prune.status());
        sent = {v1::TRIAL_STATE_FAILED, {}};
        return prune.status();
      }
      ledger.Reported(trial.id(), step, value);
      if (*prune || trial.ShouldStop()) {
        sent = {v1::TRIAL_STATE_PRUNED, {}};
        return TrialResult::Pruned();
      }
    }
    const double final_value = TrialValue(trial.id(), config.steps);
    sent = {v1::TRIAL_STATE_COMPLETED, {final_value}};
    return TrialResult::Completed({final_value});
  };
  ASSIGN_OR_RETURN(const WorkerSummary summary,
                   RunWorker(client, options, train));
  if (summary.study_done) ledger.Done(summary.done_reason);
  return absl::OkStatus();
}

absl::Status RunSilentWorker(const WorkerConfig& config,
                             const std::string& name, LedgerFile& ledger) {
  Client client(ChaosClientOptions(config.server));
  ASSIGN_OR_RETURN(const v1::Study study, client.GetStudyById(config.study_id));
  const auto& lease = study.config().lease_duration();
  const absl::Duration quiet =
      3 * (absl::Seconds(lease.seconds()) + absl::Nanoseconds(lease.nanos()));
  v1::SuggestTrialsRequest suggest;
  suggest.set_study_id(config.study_id);
  suggest.set_count(1);
  suggest.set_worker_id(name);
  (*suggest.mutable_environment())["chaos"] = "silent";
  v1::Trial trial;
  while (true) {
    ASSIGN_OR_RETURN(const v1::SuggestTrialsResponse response,
                     client.SuggestTrials(suggest));
    for (const v1::Trial& handed : response.trials()) {
      ledger.Suggested(config.study_id, handed);
    }
    if (!response.trials().empty()) {
      trial = response.trials(0);
      break;
    }
    if (response.study_done()) {
      ledger.Done(response.done_reason());
      return absl::FailedPreconditionError(
          absl::StrCat("the study was done before the silent worker got a "
                       "trial: ",
                       response.done_reason()));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  auto report = [&](int64_t step) {
    v1::ReportIntermediateRequest request;
    request.set_trial_id(trial.id());
    request.set_step(step);
    request.set_value(TrialValue(trial.id(), step));
    const absl::Status status = client.ReportIntermediate(request).status();
    if (status.ok()) ledger.Reported(trial.id(), step, request.value());
    NoteRefusal(ledger, "report", trial.id(), status);
  };
  report(0);
  absl::SleepFor(quiet);
  // Both late calls are expected to be refused; the checker judges how.
  report(1);
  v1::CompleteTrialRequest complete;
  complete.set_trial_id(trial.id());
  complete.set_state(v1::TRIAL_STATE_COMPLETED);
  complete.add_values(TrialValue(trial.id(), 2));
  const absl::Status status = client.CompleteTrial(complete).status();
  if (status.ok()) {
    ledger.Completed(trial.id(), complete.state(), {complete.values(0)});
  }
  NoteRefusal(ledger, "complete", trial.id(), status);
  return absl::OkStatus();
}

int Main() {
  WorkerConfig config;
  config.server = absl::GetFlag(FLAGS_server);
  config.study_id = absl::GetFlag(FLAGS_study);
  config.steps = absl::GetFlag(FLAGS_steps);
  config.step_time = absl::Seconds(absl::GetFlag(FLAGS_step_seconds));
  const std::string ledger_dir = absl::GetFlag(FLAGS_ledger_dir);
  const std::string name = absl::GetFlag(FLAGS_name);
  const bool silent = absl::GetFlag(FLAGS_silent);
  if (config.server.empty() || config.study_id <= 0 || ledger_dir.empty() ||
      name.empty()) {
    std::fprintf(stderr,
                 "knob-chaos-worker: --server, --study, --ledger_dir and "
                 "--name are required\n");
    return 2;
  }
  LogFailedAttemptsOfAllChannels();

  absl::Mutex failures_mu;
  std::vector<std::string> failures;
  auto work = [&](int index) {
    const std::string worker = absl::StrCat(name, "-", index);
    absl::Status status;
    absl::StatusOr<std::unique_ptr<LedgerFile>> ledger = LedgerFile::Open(
        absl::StrCat(ledger_dir, "/", worker, ".", getpid(), ".cc.jsonl"));
    if (!ledger.ok()) {
      status = ledger.status();
    } else if (silent) {
      status = RunSilentWorker(config, worker, **ledger);
    } else {
      status = RunLedgeredWorker(config, worker, **ledger);
    }
    if (!status.ok()) {
      absl::MutexLock lock(&failures_mu);
      failures.push_back(absl::StrCat(worker, ": ", status.ToString()));
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < absl::GetFlag(FLAGS_threads); ++i) {
    threads.emplace_back(work, i);
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& failure : failures) {
    std::fprintf(stderr, "knob-chaos-worker: %s\n", failure.c_str());
  }
  return failures.empty() ? 0 : 1;
}

}  // namespace
}  // namespace knob::chaos

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return knob::chaos::Main();
}

// knob-example-worker: a worker process for any study, used by the
// end-to-end tests and as a template for real training programs.
//
//   knob-example-worker --server=127.0.0.1:50051 --study=NAME_OR_ID
//                       [--worker_id=ID] [--max_trials=N] [--steps=N]
//                       [--step_delay_ms=MS]
//
// The objective is a shifted quadratic over every parameter of the trial,
// so it works for any search space: float "x" is best at 1, float "y" at
// -2, other floats at 0.5, ints at 3, and categorical choices cost 0.25
// per position in their choice list. Each trial reports `--steps`
// intermediate values that shrink towards the final one.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "client/client.h"
#include "client/values.h"
#include "client/worker.h"

ABSL_FLAG(std::string, server, knob::DefaultServerTarget(),
          "knob-server address, host:port (default: $KNOB_SERVER or "
          "127.0.0.1:50051)");
ABSL_FLAG(std::string, study, "", "study name or numeric id (required)");
ABSL_FLAG(std::string, worker_id, "", "worker id (default: hostname:pid)");
ABSL_FLAG(int64_t, max_trials, 0, "stop after this many trials; 0: no limit");
ABSL_FLAG(int, steps, 5, "intermediate values reported per trial");
ABSL_FLAG(int, step_delay_ms, 0, "sleep after each step, in milliseconds");

namespace {

int ChoiceIndex(const knob::v1::Study& study, const std::string& name,
                const knob::v1::Value& value) {
  for (const knob::v1::ParameterSpec& spec : study.config().parameters()) {
    if (spec.name() != name || !spec.has_categorical_domain()) continue;
    const auto& choices = spec.categorical_domain().choices();
    for (int i = 0; i < choices.size(); ++i) {
      if (knob::ValueLabel(choices[i]) == knob::ValueLabel(value)) return i;
    }
  }
  return 0;
}

double Loss(const knob::TrialContext& trial) {
  double loss = 0;
  for (const auto& [name, value] : trial.trial().parameters()) {
    if (value.has_double_value()) {
      const double best = name == "x" ? 1.0 : name == "y" ? -2.0 : 0.5;
      loss += std::pow(value.double_value() - best, 2);
    } else if (value.has_int_value()) {
      loss += 0.1 * std::pow(static_cast<double>(value.int_value()) - 3, 2);
    } else {
      loss += 0.25 * ChoiceIndex(trial.study(), name, value);
    }
  }
  return loss;
}

// One value per objective: the loss first, then variations of it, so that
// multi-objective studies get a real trade-off on "x".
std::vector<double> Objectives(const knob::TrialContext& trial, double loss) {
  std::vector<double> values;
  const int count = trial.study().config().objectives_size();
  for (int i = 0; i < count; ++i) {
    if (i == 0) {
      values.push_back(loss);
    } else {
      const double x = trial.Has("x") ? trial.Double("x") : 0.0;
      values.push_back(std::pow(x + i, 2));
    }
  }
  return values;
}

absl::StatusOr<knob::TrialResult> Train(knob::TrialContext& trial, int steps,
                                        absl::Duration step_delay) {
  const double loss = Loss(trial);
  for (int step = 1; step <= steps; ++step) {
    const double partial = loss + static_cast<double>(steps - step) / steps;
    absl::StatusOr<bool> prune = trial.Report(step, partial);
    if (!prune.ok()) return prune.status();
    if (step_delay > absl::ZeroDuration()) absl::SleepFor(step_delay);
    if (*prune || trial.ShouldStop()) {
      return knob::TrialResult::Pruned(trial.StopReason());
    }
  }
  return knob::TrialResult::Completed(Objectives(trial, loss));
}

std::string StateName(knob::v1::TrialState state) {
  std::string name = knob::v1::TrialState_Name(state);
  constexpr std::string_view kPrefix = "TRIAL_STATE_";
  return name.rfind(kPrefix, 0) == 0 ? name.substr(kPrefix.size()) : name;
}

void PrintTrial(const knob::v1::Trial& trial, const absl::Status& completion) {
  std::vector<std::string> params;
  for (const auto& [name, value] : trial.parameters()) {
    params.push_back(absl::StrCat(name, "=", knob::ValueLabel(value)));
  }
  std::sort(params.begin(), params.end());
  std::string outcome = completion.ok() ? StateName(trial.state()) : "LOST";
  if (!trial.values().empty()) {
    std::vector<std::string> values;
    for (double value : trial.values()) {
      values.push_back(knob::FormatDouble(value));
    }
    absl::StrAppend(&outcome, " values=", absl::StrJoin(values, ","));
  }
  if (!completion.ok()) {
    absl::StrAppend(&outcome, " (", completion.ToString(), ")");
  } else if (!trial.fail_reason().empty()) {
    absl::StrAppend(&outcome, " (", trial.fail_reason(), ")");
  }
  std::printf("trial %lld (id %lld): %s %s\n",
              static_cast<long long>(trial.number()),
              static_cast<long long>(trial.id()),
              absl::StrJoin(params, " ").c_str(), outcome.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "runs trials of a Knob study with a quadratic objective\n"
      "usage: knob-example-worker --study=NAME_OR_ID [--server=HOST:PORT] "
      "[--worker_id=ID] [--max_trials=N] [--steps=N] [--step_delay_ms=MS]");
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  const std::string study_ref = absl::GetFlag(FLAGS_study);
  if (positional.size() > 1 || study_ref.empty()) {
    std::fprintf(stderr, "%s\n",
                 std::string(absl::ProgramUsageMessage()).c_str());
    return 2;
  }

  knob::ClientOptions client_options;
  client_options.target = absl::GetFlag(FLAGS_server);
  knob::Client client(client_options);
  absl::StatusOr<knob::v1::Study> study = client.FindStudy(study_ref);
  if (!study.ok()) {
    std::fprintf(stderr, "knob-example-worker: %s\n",
                 study.status().ToString().c_str());
    return 1;
  }

  knob::WorkerOptions options;
  options.study_id = study->id();
  options.worker_id = absl::GetFlag(FLAGS_worker_id);
  if (options.worker_id.empty()) options.worker_id = knob::DefaultWorkerId();
  options.max_trials = absl::GetFlag(FLAGS_max_trials);
  options.environment["program"] = "knob-example-worker";
  options.on_trial_end = PrintTrial;
  const int steps = absl::GetFlag(FLAGS_steps);
  const absl::Duration step_delay =
      absl::Milliseconds(absl::GetFlag(FLAGS_step_delay_ms));

  absl::StatusOr<knob::WorkerSummary> summary =
      knob::RunWorker(client, options, [&](knob::TrialContext& trial) {
        return Train(trial, steps, step_delay);
      });
  if (!summary.ok()) {
    std::fprintf(stderr, "knob-example-worker: %s\n",
                 summary.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "worker %s: completed=%lld failed=%lld pruned=%lld "
      "done_reason=%s\n",
      options.worker_id.c_str(), static_cast<long long>(summary->completed),
      static_cast<long long>(summary->failed),
      static_cast<long long>(summary->pruned), summary->done_reason.c_str());
  if (summary->lost > 0) {
    std::printf("worker %s: lost=%lld\n", options.worker_id.c_str(),
                static_cast<long long>(summary->lost));
  }
  return 0;
}

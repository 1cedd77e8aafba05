#include "server/storage/storage.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace knob {

absl::Status CheckNewTrial(const NewTrial& trial) {
  const bool running = trial.state == TrialState::kRunning;
  if (!running && trial.state != TrialState::kWaiting) {
    return absl::InvalidArgumentError(
        absl::StrCat("a new trial must be WAITING or RUNNING, not ",
                     TrialStateName(trial.state)));
  }
  if (running && !trial.lease_deadline.has_value()) {
    return absl::InvalidArgumentError(
        "a new RUNNING trial needs a lease deadline");
  }
  if (running && trial.retry_of.has_value()) {
    return absl::InvalidArgumentError(
        "a retry of a STALE trial is created WAITING");
  }
  return absl::OkStatus();
}

absl::Status CheckOutcome(const TrialOutcome& outcome) {
  if (IsFinished(outcome.state)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("a trial ends COMPLETED, PRUNED, FAILED or STALE, not ",
                   TrialStateName(outcome.state)));
}

void ApplyStart(Trial& trial, const std::string& worker_id,
                const std::map<std::string, std::string>& environment,
                absl::Time lease_deadline, const std::string& request_id,
                absl::Time now) {
  trial.state = TrialState::kRunning;
  trial.worker_id = worker_id;
  trial.environment = environment;
  trial.lease_deadline = lease_deadline;
  trial.suggest_request_id = request_id;
  trial.start_time = now;
}

void ApplyIntermediateValue(Trial& trial, const IntermediateValue& value) {
  auto same_point = [&](const IntermediateValue& reported) {
    return reported.step == value.step && reported.metric == value.metric;
  };
  auto it = std::find_if(trial.intermediate_values.begin(),
                         trial.intermediate_values.end(), same_point);
  if (it != trial.intermediate_values.end()) {
    *it = value;
  } else {
    trial.intermediate_values.push_back(value);
  }
}

void ApplyOutcome(Trial& trial, const TrialOutcome& outcome, absl::Time now) {
  trial.state = outcome.state;
  trial.values = outcome.values;
  trial.metrics = outcome.metrics;
  trial.fail_reason = outcome.fail_reason;
  trial.complete_request_id = outcome.request_id;
  trial.end_time = now;
  trial.lease_deadline.reset();
}

}  // namespace knob

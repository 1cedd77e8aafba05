#include "server/storage/storage.h"

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

}  // namespace knob

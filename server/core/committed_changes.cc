#include "server/core/committed_changes.h"

#include <vector>

#include "server/observability/log.h"

namespace knob {
namespace {

const char* TrialEvent(TrialState state) {
  switch (state) {
    case TrialState::kWaiting:
      return "trial enqueued";
    case TrialState::kRunning:
      return "trial suggested";
    case TrialState::kCompleted:
      return "trial completed";
    case TrialState::kPruned:
      return "trial pruned";
    case TrialState::kFailed:
      return "trial failed";
    case TrialState::kStale:
      return "trial reaped";
  }
  return "trial changed";
}

}  // namespace

CommittedChanges CommittedChanges::Of(const StudyRuntime& runtime,
                                      const StudyWriter& writer) {
  CommittedChanges changes;
  changes.study_id_ = writer.study().id;
  if (writer.study().state != runtime.study().state) {
    changes.study_state_ = writer.study().state;
    changes.study_state_reason_ = writer.study().state_reason;
  }
  for (const Trial& trial : writer.changed_trials()) {
    const Trial* before = runtime.FindTrial(trial.id);
    if (before != nullptr && before->state == trial.state) continue;
    changes.trials_.push_back(TrialChange{trial.id, trial.number, trial.state,
                                          trial.worker_id, trial.fail_reason});
  }
  return changes;
}

void CommittedChanges::Report(Metrics& metrics) const {
  for (const TrialChange& change : trials_) {
    metrics.CountTrialTransition(TrialStateName(change.state));
    // A lost worker is worth a look; everything else is the normal course.
    const LogLevel level = change.state == TrialState::kStale
                               ? LogLevel::kWarning
                               : LogLevel::kInfo;
    std::vector<LogField> fields = {{"study_id", study_id_},
                                    {"trial_id", change.trial_id},
                                    {"trial_number", change.trial_number}};
    if (!change.worker_id.empty()) {
      fields.emplace_back("worker_id", change.worker_id);
    }
    if (!change.fail_reason.empty()) {
      fields.emplace_back("reason", change.fail_reason);
    }
    Log(level, TrialEvent(change.state), fields);
  }
  if (study_state_) {
    Log(LogLevel::kInfo, "study state changed",
        {{"study_id", study_id_},
         {"state", StudyStateName(*study_state_)},
         {"reason", study_state_reason_}});
  }
}

}  // namespace knob

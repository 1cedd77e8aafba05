// What operators learn of a committed study transaction: every trial that
// changed state is counted (Metrics::CountTrialTransition) and logged
// ("trial suggested", "trial completed", "trial reaped", …), and so is a
// change of the study's state (e.g. completed by its budget).
//
// Taken from the writer before its runtime adopts the changes, reported
// once the transaction committed, so that nothing is told that did not
// happen.
#ifndef KNOB_SERVER_CORE_COMMITTED_CHANGES_H_
#define KNOB_SERVER_CORE_COMMITTED_CHANGES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/core/study_runtime.h"
#include "server/core/study_writer.h"
#include "server/model/study.h"
#include "server/model/trial.h"
#include "server/observability/metrics.h"

namespace knob {

class CommittedChanges {
 public:
  // The state changes `writer` made, compared with `runtime` as it was
  // before the transaction (that is, before Commit).
  static CommittedChanges Of(const StudyRuntime& runtime,
                             const StudyWriter& writer);

  // Counts and logs the changes.
  void Report(Metrics& metrics) const;

 private:
  struct TrialChange {
    int64_t trial_id = 0;
    int64_t trial_number = 0;
    TrialState state = TrialState::kRunning;
    std::string worker_id;
    std::string fail_reason;
  };

  int64_t study_id_ = 0;
  std::optional<StudyState> study_state_;
  std::string study_state_reason_;
  std::vector<TrialChange> trials_;
};

}  // namespace knob

#endif  // KNOB_SERVER_CORE_COMMITTED_CHANGES_H_

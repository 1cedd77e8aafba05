// Study histories with learning curves for pruner tests, and a pruner
// asked about a report the way the Tuner asks it.
#ifndef KNOB_TESTS_SERVER_PRUNERS_PRUNER_TESTING_H_
#define KNOB_TESTS_SERVER_PRUNERS_PRUNER_TESTING_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "server/model/study.h"
#include "server/model/trial.h"
#include "server/model/value.h"
#include "server/pruners/learning_curves.h"
#include "server/pruners/pruner.h"

namespace knob::testing {

// One objective, "loss" (minimize), and the extra metric "acc".
StudyConfig LossStudy();

// One objective, "acc" (maximize).
StudyConfig AccuracyStudy();

// Builds pruner `name` with `options` for `config` through the
// PrunerRegistry, as a study would.
absl::StatusOr<std::unique_ptr<Pruner>> MakePruner(
    const StudyConfig& config, const std::string& name,
    const std::map<std::string, ParamValue>& options = {});

class PrunerHistory {
 public:
  explicit PrunerHistory(StudyConfig config) : config_(std::move(config)) {}

  const StudyConfig& config() const { return config_; }
  const Trial& trial(int64_t number) const { return trials_[number]; }

  // Adds the next trial, in `state`, with `values` of `metric` at steps
  // 0, 1, 2, ...; returns its number.
  int64_t AddTrial(TrialState state, const std::vector<double>& values,
                   const std::string& metric = "loss");
  // Adds the next trial with `points` of `metric`.
  int64_t AddTrialWith(TrialState state, const std::vector<StepValue>& points,
                       const std::string& metric = "loss");
  void SetState(int64_t number, TrialState state);

  // Asks `pruner` about trial `number` reporting `value` at `step`, as the
  // Tuner does: the trial as passed holds the value last (replacing one at
  // the same step and metric) while the history still holds the trial as
  // it was. Then stores the value with the answer, stamping a new
  // sequence, as storage does.
  absl::StatusOr<PruneDecision> Report(Pruner& pruner, int64_t number,
                                       int64_t step, double value,
                                       const std::string& metric = "loss");
  // Report, without storing the value.
  absl::StatusOr<PruneDecision> Ask(Pruner& pruner, int64_t number,
                                    int64_t step, double value,
                                    const std::string& metric = "loss") const;

 private:
  IntermediateValue Value(int64_t step, double value,
                          const std::string& metric) const;

  StudyConfig config_;
  // By number; a deque keeps the addresses the pruner caches by stable.
  std::deque<Trial> trials_;
  int64_t sequence_ = 0;
};

// Matches an OK StatusOr<PruneDecision> that lets the trial continue
// (with no reason, as every continue decision).
MATCHER(Continues, "continues") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  if (arg->prune) *result_listener << "prunes: " << arg->reason;
  if (!arg->reason.empty()) *result_listener << "reason: " << arg->reason;
  return !arg->prune && arg->reason.empty();
}

// Matches an OK StatusOr<PruneDecision> that prunes, with a reason
// matching `reason_matcher`.
MATCHER_P(PrunesWith, reason_matcher, "prunes") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  if (!arg->prune) {
    *result_listener << "continues";
    return false;
  }
  *result_listener << "reason: " << arg->reason;
  return ::testing::ExplainMatchResult(reason_matcher, arg->reason,
                                       result_listener);
}

}  // namespace knob::testing

#endif  // KNOB_TESTS_SERVER_PRUNERS_PRUNER_TESTING_H_

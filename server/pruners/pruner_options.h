// The options that every pruner judging a metric shares (all but "none"),
// read by one parser so that they mean the same thing in every pruner, and
// the helpers the pruners use to read and reject their own options.
#ifndef KNOB_SERVER_PRUNERS_PRUNER_OPTIONS_H_
#define KNOB_SERVER_PRUNERS_PRUNER_OPTIONS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/model/algorithm_options.h"
#include "server/model/study.h"

namespace knob {

struct PrunerCommonOptions {
  // The metric whose intermediate values are judged; reports of any other
  // metric are never judged. Must be an objective or an extra metric of
  // the study, so that pruning works in multi-objective studies too.
  // Default: the first objective's metric.
  std::string metric;
  // Which values of `metric` are better.
  // Default: the objective's direction when `metric` is an objective;
  // required when it is an extra metric.
  Direction direction = Direction::kMinimize;
  // Trials of the study that must have finished (COMPLETED or PRUNED)
  // before any trial is pruned, so that early trials are not judged
  // against too few others.
  // Default: 5 (0 for successive halving and Hyperband, whose rungs need
  // none); 0 for pruners that judge a trial on its own values.
  int64_t n_startup_trials = 5;
  // No trial is judged at a step below this.
  // Default: 0.
  int64_t n_warmup_steps = 0;
  // From n_warmup_steps on, steps fall into windows of this many; a trial
  // is judged at its first report in each window (every multiple of it
  // past warm-up when the trial reports every step, and still once per
  // window when it reports sparsely).
  // Default: 1, every step.
  int64_t interval_steps = 1;
  // Other trials that must have a value to compare with, or the trial is
  // not judged.
  // Default: 1; 0 for pruners that judge a trial on its own values.
  int64_t n_min_trials = 1;
};

// Which common options a pruner reads. The others are unknown options to
// it, so that setting an option that would change nothing is an error
// rather than a silent no-op.
struct CommonOptionUse {
  // `direction`: pruners that rank values.
  bool direction = true;
  // `n_startup_trials` and `n_min_trials`: pruners that compare a trial
  // with the others.
  bool peers = true;
  // `n_warmup_steps` and `interval_steps`: pruners that may judge any step
  // (successive halving judges at its own rungs instead).
  bool step_schedule = true;
  // The default of `n_startup_trials` for a pruner that reads it.
  int64_t default_startup_trials = 5;
};

// Reads the common options `use` names from `reader` (over `spec`) and
// checks them against `config`. INVALID_ARGUMENT naming
// `pruner.options.<name>` for a value of the wrong type or out of range, a
// metric the study does not have, a missing direction for an extra metric
// and a direction that contradicts the objective's.
absl::StatusOr<PrunerCommonOptions> ParseCommonPrunerOptions(
    const StudyConfig& config, const AlgorithmSpec& spec,
    AlgorithmOptions& reader, CommonOptionUse use);

// Reads int option `name` and requires it to be at least `minimum`.
absl::StatusOr<int64_t> ReadIntAtLeast(const AlgorithmSpec& spec,
                                       AlgorithmOptions& reader,
                                       const std::string& name,
                                       int64_t default_value, int64_t minimum);

// INVALID_ARGUMENT "pruner.options.<option>: <pruner> expects <expected>,
// got <got>".
absl::Status InvalidPrunerOption(const AlgorithmSpec& spec,
                                 absl::string_view option,
                                 absl::string_view expected,
                                 absl::string_view got);

// "minimize" or "maximize".
const char* DirectionName(Direction direction);

}  // namespace knob

#endif  // KNOB_SERVER_PRUNERS_PRUNER_OPTIONS_H_

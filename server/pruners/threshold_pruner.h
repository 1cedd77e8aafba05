// The "threshold" pruner: a trial is pruned when the value it reports at a
// judged step (see ScreenReport for warm-up and interval) lies outside
// [lower, upper], or is not finite. It looks at no other trial, so it
// starts pruning with the study's first trial.
#ifndef KNOB_SERVER_PRUNERS_THRESHOLD_PRUNER_H_
#define KNOB_SERVER_PRUNERS_THRESHOLD_PRUNER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/model/study.h"
#include "server/pruners/pruner.h"

namespace knob {

// Options: `metric`, `n_warmup_steps` and `interval_steps`
// (pruner_options.h), and `lower` and `upper`: finite numbers, at least one
// of them, lower <= upper when both are set. A value equal to a bound is
// inside.
absl::StatusOr<std::unique_ptr<Pruner>> CreateThresholdPruner(
    const StudyConfig& config, const AlgorithmSpec& spec);

}  // namespace knob

#endif  // KNOB_SERVER_PRUNERS_THRESHOLD_PRUNER_H_

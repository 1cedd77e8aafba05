// The "successive_halving" pruner: asynchronous successive halving (ASHA),
// with the rungs and the rule described in asha_rungs.h. Every RUNNING,
// COMPLETED or PRUNED trial that reached a rung competes there (see
// IsCompared). No rung is judged before n_startup_trials trials finished.
#ifndef KNOB_SERVER_PRUNERS_SUCCESSIVE_HALVING_PRUNER_H_
#define KNOB_SERVER_PRUNERS_SUCCESSIVE_HALVING_PRUNER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/model/study.h"
#include "server/pruners/pruner.h"

namespace knob {

// Options: `metric`, `direction`, `n_startup_trials` (default 0) and
// `n_min_trials`
// (pruner_options.h; the rungs take the place of `n_warmup_steps` and
// `interval_steps`), and
// - `min_resource`: the step of the first rung before the early-stopping
//   rate applies, an int >= 1; default 1;
// - `reduction_factor`: each rung keeps 1 / reduction_factor of the trials
//   and sits reduction_factor times further than the one before, an
//   int >= 2; default 3;
// - `min_early_stopping_rate`: the first rung is at
//   min_resource * reduction_factor^min_early_stopping_rate, an int >= 0;
//   default 0.
absl::StatusOr<std::unique_ptr<Pruner>> CreateSuccessiveHalvingPruner(
    const StudyConfig& config, const AlgorithmSpec& spec);

}  // namespace knob

#endif  // KNOB_SERVER_PRUNERS_SUCCESSIVE_HALVING_PRUNER_H_

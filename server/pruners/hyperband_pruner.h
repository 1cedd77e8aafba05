// The "hyperband" pruner: several successive-halving brackets run side by
// side (hyperband_brackets.h), so that a study hedges between stopping
// trials early and letting them show their worth late. A trial's bracket
// is a fixed function of (study seed, trial number). Within bracket b the
// rungs and the rule are those of asha_rungs.h with
// min_early_stopping_rate b and no rung at max_resource or beyond, and a
// trial competes only with the RUNNING, COMPLETED and PRUNED trials of its
// own bracket. No rung is judged before n_startup_trials trials of the
// whole study finished.
#ifndef KNOB_SERVER_PRUNERS_HYPERBAND_PRUNER_H_
#define KNOB_SERVER_PRUNERS_HYPERBAND_PRUNER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/model/study.h"
#include "server/pruners/pruner.h"

namespace knob {

// Options: `metric`, `direction`, `n_startup_trials` (default 0) and
// `n_min_trials`
// (pruner_options.h; the rungs take the place of `n_warmup_steps` and
// `interval_steps`), and
// - `min_resource`: the step of bracket 0's first rung, an int >= 1;
//   default 1;
// - `max_resource`: the step a trial that runs to the end reaches, an int
//   in (min_resource, min_resource * 2^32]; required;
// - `reduction_factor`: an int >= 2; default 3.
absl::StatusOr<std::unique_ptr<Pruner>> CreateHyperbandPruner(
    const StudyConfig& config, const AlgorithmSpec& spec);

}  // namespace knob

#endif  // KNOB_SERVER_PRUNERS_HYPERBAND_PRUNER_H_

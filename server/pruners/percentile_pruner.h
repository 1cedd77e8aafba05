// The "percentile" and "median" pruners: a trial is pruned when its best
// value so far is worse than a percentile of the other trials' values at
// the same step. "median" is "percentile" at 50.
//
// At a judged step s (see ScreenReport for warm-up, interval and startup),
// let best be the trial's best value of the metric at steps <= s, and
// peers the values at exactly step s of every other RUNNING or COMPLETED
// trial. With fewer than n_min_trials peers the
// trial continues. Otherwise, with the peers sorted best first, the cut-off
// is the value at rank percentile / 100 * (n - 1), interpolated linearly
// between neighbours; the trial is pruned when best is strictly worse than
// the cut-off. So "percentile" 25 keeps trials as good as the best quarter
// of the others, and "median" those as good as the middle one.
//
// Pruned trials are left out: counting the values that got them pruned
// would lower the bar for every later trial, and tests/bench/pruning.sh
// measured a third more training for no better result. Running trials
// count, unlike in Optuna, which compares with completed trials only: with
// several workers the first trials would otherwise have few peers, and
// leaving them out measured a fifth more training.
#ifndef KNOB_SERVER_PRUNERS_PERCENTILE_PRUNER_H_
#define KNOB_SERVER_PRUNERS_PERCENTILE_PRUNER_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "server/model/study.h"
#include "server/pruners/pruner.h"

namespace knob {

// Options: the common ones (pruner_options.h), all of them.
absl::StatusOr<std::unique_ptr<Pruner>> CreateMedianPruner(
    const StudyConfig& config, const AlgorithmSpec& spec);

// Options: the common ones, and `percentile` (a number in (0, 100); the
// share of the best peers a trial must be as good as; default 25).
absl::StatusOr<std::unique_ptr<Pruner>> CreatePercentilePruner(
    const StudyConfig& config, const AlgorithmSpec& spec);

// The cut-off described above, for `values` (not empty) and `percentile`
// in [0, 100].
double PercentileFromBest(std::vector<double> values, double percentile,
                          Direction direction);

}  // namespace knob

#endif  // KNOB_SERVER_PRUNERS_PERCENTILE_PRUNER_H_

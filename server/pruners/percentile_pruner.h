// The "percentile" and "median" pruners: a trial is pruned when its best
// value so far is worse than a percentile of the other trials' values at
// the same step. "median" is "percentile" at 50.
//
// At a judged step s (see ScreenReport for warm-up, interval and startup),
// let best be the trial's best value of the metric at steps <= s, and
// peers the values at exactly step s of every other RUNNING, COMPLETED or
// PRUNED trial (see IsCompared). With fewer than n_min_trials peers the
// trial continues. Otherwise, with the peers sorted best first, the cut-off
// is the value at rank percentile / 100 * (n - 1), interpolated linearly
// between neighbours; the trial is pruned when best is strictly worse than
// the cut-off. So "percentile" 25 keeps trials as good as the best quarter
// of the others, and "median" those as good as the middle one.
//
// Unlike Optuna, which compares with completed trials only, pruned and
// running trials count too: they all reached step s, and leaving out the
// pruned ones would compare each new trial with an ever more select group.
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

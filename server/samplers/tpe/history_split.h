// How TPE divides a study's history: the best finished trials form the
// "good" group whose density proposals are drawn from, the rest (and, with
// the constant liar, the trials still running) the "bad" group they are
// weighed against.
//
// Thread safety: pure functions.
#ifndef KNOB_SERVER_SAMPLERS_TPE_HISTORY_SPLIT_H_
#define KNOB_SERVER_SAMPLERS_TPE_HISTORY_SPLIT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "server/model/trial.h"
#include "server/samplers/observations.h"
#include "server/samplers/tpe/tpe_options.h"

namespace knob {

struct TrialSplit {
  // Each by trial number.
  std::vector<const Trial*> good;
  std::vector<const Trial*> bad;
};

struct SplitSettings {
  // The study's objectives.
  size_t objectives = 1;
  // The good group holds ceil(gamma * finished) trials, finished being the
  // completed and pruned ones, ...
  double gamma = 0.1;
  // ... at most this many when there is one objective.
  int64_t max_good_trials = 25;
  // Whether pending trials join the bad group.
  bool constant_liar = true;
};

// Ranks the finished trials best first and cuts the ranking after the
// good group's size:
//   - completed trials first, feasible ones (Observation::violation)
//     before the others: by loss for one objective; by non-dominated front
//     for several, the last front that fits only partly being thinned to
//     the members that add the most hypervolume; infeasible ones by
//     violation;
//   - then pruned trials: those that reached a later step first, then by
//     the loss they last reported; those that reported nothing last.
// Ties go to the lower trial number. Failed trials are left out.
TrialSplit SplitTrials(const Observations& observations,
                       const SplitSettings& settings);

// The weight of each of `count` observations listed oldest first, by
// `rule` (see TpeWeights); all positive.
std::vector<double> ObservationWeights(size_t count, TpeWeights rule);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_TPE_HISTORY_SPLIT_H_

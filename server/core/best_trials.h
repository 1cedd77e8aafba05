// Which completed trials are best: the optimum of one objective, or the
// Pareto front of several.
#ifndef KNOB_SERVER_CORE_BEST_TRIALS_H_
#define KNOB_SERVER_CORE_BEST_TRIALS_H_

#include <vector>

#include "absl/types/span.h"
#include "server/model/study.h"
#include "server/model/trial.h"

namespace knob {

// One objective: the COMPLETED trial with the best value (the lowest
// number among ties). Several: every COMPLETED trial that no other
// COMPLETED trial dominates (at least as good in all objectives and better
// in one), by number. Empty when none has completed.
std::vector<const Trial*> BestTrials(const std::vector<Objective>& objectives,
                                     absl::Span<const Trial* const> trials);

}  // namespace knob

#endif  // KNOB_SERVER_CORE_BEST_TRIALS_H_

// Which completed trials are best: the optimum of one objective, or the
// Pareto front of several, among the trials that meet the study's outcome
// constraints.
#ifndef KNOB_SERVER_CORE_BEST_TRIALS_H_
#define KNOB_SERVER_CORE_BEST_TRIALS_H_

#include <vector>

#include "absl/types/span.h"
#include "server/model/study.h"
#include "server/model/trial.h"

namespace knob {

// The candidates are the COMPLETED trials with the least constraint
// violation (ConstraintViolation): the feasible ones whenever any is
// feasible, else the least infeasible. Among them, with one objective, the
// trial with the best value (the lowest number among ties); with several,
// every candidate that no other candidate dominates (at least as good in all
// objectives and better in one), by number. Empty when none has completed.
std::vector<const Trial*> BestTrials(const StudyConfig& config,
                                     absl::Span<const Trial* const> trials);

}  // namespace knob

#endif  // KNOB_SERVER_CORE_BEST_TRIALS_H_

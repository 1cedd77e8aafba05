// What the dashboard derives from a study's objectives: which completed
// trials are feasible, the best value so far and the Pareto front. The
// rules are the server's (see GetBestTrialsResponse), except that while no
// completed trial is feasible there is no best value and no front: the
// charts show what has been reached, not the least bad miss.
//
// Thread safety: pure functions of their arguments.
#ifndef KNOB_SERVER_DASHBOARD_OBJECTIVES_H_
#define KNOB_SERVER_DASHBOARD_OBJECTIVES_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "knob/v1/study.pb.h"
#include "knob/v1/trial.pb.h"
#include "server/dashboard/study_json.h"

namespace knob::dashboard {

// COMPLETED with one value per objective.
bool HasValues(const v1::StudyConfig& config, const v1::Trial& trial);

// HasValues and every outcome constraint met (bounds inclusive; a missing
// constrained metric is a miss).
bool IsFeasible(const v1::StudyConfig& config, const v1::Trial& trial);

// True when `a` is better than `b` for the objective at `index`.
bool Better(const v1::StudyConfig& config, int index, double a, double b);

// The best value of the first objective among feasible trials; nullopt
// when none is.
std::optional<double> BestValue(const v1::StudyConfig& config,
                                TrialSpan trials);

// One entry per trial, in the given order: the best first-objective value
// among the feasible trials up to and including it (nullopt before the
// first feasible one). Monotone in the objective's direction.
std::vector<std::optional<double>> BestSoFar(const v1::StudyConfig& config,
                                             TrialSpan trials);

// Numbers of the feasible trials no other feasible trial dominates (at
// least as good in every objective, better in one), ascending. Trials with
// equal values are all on the front.
std::vector<int64_t> ParetoFront(const v1::StudyConfig& config,
                                 TrialSpan trials);

}  // namespace knob::dashboard

#endif  // KNOB_SERVER_DASHBOARD_OBJECTIVES_H_

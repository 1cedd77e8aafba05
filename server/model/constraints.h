// Outcome constraints applied to trials: whether a trial is feasible and,
// when it is not, how far it misses. Best-trial selection and samplers rank
// trials by this, feasible ones first.
#ifndef KNOB_SERVER_MODEL_CONSTRAINTS_H_
#define KNOB_SERVER_MODEL_CONSTRAINTS_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "server/model/study.h"
#include "server/model/trial.h"

namespace knob {

// 0 when `trial` meets every constraint of `config` (always, for a study
// without constraints). Otherwise the sum, over the constraints it misses,
// of how far its metric lies beyond the bound (metric - bound for a max,
// bound - metric for a min), in the metrics' own units and unweighted:
// constraints on metrics of very different scales add up as they are.
// +infinity when the trial lacks a constrained metric, so that it ranks
// behind every trial that reported one; COMPLETED trials always have them
// (CompleteTrial requires them). Reads the trial's metrics whatever its
// state.
double ConstraintViolation(const StudyConfig& config, const Trial& trial);

// Whether ConstraintViolation(config, trial) is 0.
bool IsFeasible(const StudyConfig& config, const Trial& trial);

// OK when `metrics`, reported with a COMPLETED trial, hold every metric the
// constraints of `config` bound; otherwise INVALID_ARGUMENT naming the
// first missing one, e.g. `metrics["latency_ms"]: missing; a COMPLETED trial
// must report it for constraints[0] (latency_ms <= 50)`.
absl::Status CheckConstrainedMetricsReported(
    const StudyConfig& config, const std::map<std::string, double>& metrics);

// The constraint as people write it, e.g. "latency_ms <= 50".
std::string DescribeConstraint(const OutcomeConstraint& constraint);

}  // namespace knob

#endif  // KNOB_SERVER_MODEL_CONSTRAINTS_H_

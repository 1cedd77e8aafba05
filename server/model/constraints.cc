#include "server/model/constraints.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "server/model/value.h"

namespace knob {

double ConstraintViolation(const StudyConfig& config, const Trial& trial) {
  double violation = 0;
  for (const OutcomeConstraint& constraint : config.constraints) {
    const auto it = trial.metrics.find(constraint.metric);
    if (it == trial.metrics.end()) {
      return std::numeric_limits<double>::infinity();
    }
    const double excess = constraint.kind == OutcomeConstraint::Kind::kMax
                              ? it->second - constraint.bound
                              : constraint.bound - it->second;
    // A met bound contributes nothing, however much room it leaves: slack
    // on one constraint must not make up for missing another.
    violation += std::max(excess, 0.0);
  }
  return violation;
}

bool IsFeasible(const StudyConfig& config, const Trial& trial) {
  return ConstraintViolation(config, trial) == 0;
}

absl::Status CheckConstrainedMetricsReported(
    const StudyConfig& config, const std::map<std::string, double>& metrics) {
  for (size_t i = 0; i < config.constraints.size(); ++i) {
    const OutcomeConstraint& constraint = config.constraints[i];
    if (metrics.contains(constraint.metric)) continue;
    return absl::InvalidArgumentError(absl::StrCat(
        "metrics[\"", constraint.metric,
        "\"]: missing; a COMPLETED trial must report it for constraints[", i,
        "] (", DescribeConstraint(constraint), ")"));
  }
  return absl::OkStatus();
}

std::string DescribeConstraint(const OutcomeConstraint& constraint) {
  return absl::StrCat(
      constraint.metric,
      constraint.kind == OutcomeConstraint::Kind::kMax ? " <= " : " >= ",
      ParamValueLabel(constraint.bound));
}

}  // namespace knob

// Hyperparameter importance: how much of the variation of an objective over
// a study's completed trials each parameter explains on its own, by
// functional ANOVA of a random forest fitted to the trials (fANOVA, Hutter
// et al. 2014, as Optuna's FanovaImportanceEvaluator computes it).
//
// The forest predicts the objective from the parameters (see
// parameter_features.h for how parameters become features); each tree's
// variance over the whole search space is split exactly into the main
// effect of every parameter; a parameter's importance is its main effect's
// share of the tree's variance, averaged over the trees and normalized so
// that the importances add up to 1. What the parameters explain only
// together (interactions) is left out, so a parameter that matters only in
// combination with another scores low.
//
// Conditional parameters: as Optuna does, importance is assessed over the
// parameters active in every completed trial used. Without a list of
// parameters, a conditional parameter that was inactive in some completed
// trial is left out; with a list, only the trials in which every listed
// parameter is active are used.
//
// Thread safety: ComputeParamImportances is a pure function.
#ifndef KNOB_SERVER_IMPORTANCE_PARAM_IMPORTANCE_H_
#define KNOB_SERVER_IMPORTANCE_PARAM_IMPORTANCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "server/importance/regression_forest.h"
#include "server/model/study.h"
#include "server/model/trial.h"

namespace knob::importance {

struct ImportanceQuery {
  // Which objective's values to explain: an index into the study's
  // objectives. Default: 0, the first.
  int objective_index = 0;
  // The parameters to assess. Empty: every parameter of the space that is
  // active in all completed trials.
  std::vector<std::string> parameters;
};

struct ParamImportance {
  std::string parameter;
  // In [0, 1].
  double importance = 0;
  bool operator==(const ParamImportance&) const = default;
};

struct ImportanceReport {
  // Most important first; ties in the space's declaration order. The
  // importances add up to 1, except that they are all 0 when no parameter
  // explains anything on its own (the objective varies through
  // interactions only, or every parameter assessed takes one value).
  std::vector<ParamImportance> importances;
  // The completed trials the forest learned from.
  int64_t trial_count = 0;
};

// `trials` may hold trials in any state; only COMPLETED ones count. The
// result is a function of the config, the trials and `forest` (whose seed
// makes it deterministic).
//
// Errors:
//   INVALID_ARGUMENT     objective_index out of range, or a listed
//                        parameter the space does not have or lists twice
//                        (naming the field "objective_index" or
//                        "parameters" and the value);
//   FAILED_PRECONDITION  fewer than 2 usable completed trials, or an
//                        objective that does not vary with the parameters
//                        over them (importances are undefined);
//   INTERNAL             a stored trial with a value outside its domain;
//   CANCELLED            forest.cancelled became true while fitting.
absl::StatusOr<ImportanceReport> ComputeParamImportances(
    const StudyConfig& config, absl::Span<const Trial> trials,
    const ImportanceQuery& query, const ForestOptions& forest);

}  // namespace knob::importance

#endif  // KNOB_SERVER_IMPORTANCE_PARAM_IMPORTANCE_H_

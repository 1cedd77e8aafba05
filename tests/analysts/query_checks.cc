#include "tests/analysts/query_checks.h"

#include <algorithm>

namespace knob::testing {

const std::map<std::string, QueryCheck>& QueryChecks() {
  static const auto* const checks = new std::map<std::string, QueryCheck>{
      {"search-space", &CheckSearchSpace},
      {"trial-parameters", &CheckTrialParameters},
      {"trials-per-state", &CheckTrialsPerState},
      {"study-overview", &CheckStudyOverview},
      {"best-trials", &CheckBestTrials},
      {"constraint-violations", &CheckConstraintViolations},
      {"top-decile-parameters", &CheckTopDecileParameters},
      {"parameter-correlation", &CheckParameterCorrelation},
      {"trial-durations", &CheckTrialDurations},
      {"failure-rate-by-worker", &CheckFailureRateByWorker},
      {"environment-diff", &CheckEnvironmentDiff},
      {"learning-curves", &CheckLearningCurves},
      {"pruned-last-step", &CheckPrunedLastStep},
      {"best-so-far", &CheckBestSoFar},
      {"pareto-front", &CheckParetoFront},
  };
  return *checks;
}

std::vector<std::string> ColumnNames(const pqxx::result& result) {
  std::vector<std::string> names;
  for (pqxx::row_size_type i = 0; i < result.columns(); ++i) {
    names.push_back(result.column_name(i));
  }
  return names;
}

std::vector<const MlpTrial*> RankedFeasible(const ExampleStudies& plan) {
  std::vector<const MlpTrial*> ranked;
  for (const MlpTrial& trial : plan.mlp) {
    if (trial.outcome == Outcome::kCompleted && trial.feasible()) {
      ranked.push_back(&trial);
    }
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const MlpTrial* a, const MlpTrial* b) {
                     return a->val_loss < b->val_loss;
                   });
  return ranked;
}

}  // namespace knob::testing

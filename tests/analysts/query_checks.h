// Expected answers of the example queries of docs/analysts.md over the
// example studies (example_studies.h), computed from the plan without the
// database. Each check reads a query's result and records a test failure
// for every column name, row count or value that differs.
#ifndef KNOB_TESTS_ANALYSTS_QUERY_CHECKS_H_
#define KNOB_TESTS_ANALYSTS_QUERY_CHECKS_H_

#include <map>
#include <string>
#include <vector>

#include "pqxx/result"
#include "tests/analysts/example_studies.h"

namespace knob::testing {

using QueryCheck = void (*)(const ExampleStudies& plan,
                            const pqxx::result& result);

// The check of each query, by the name its `-- query:` marker gives.
const std::map<std::string, QueryCheck>& QueryChecks();

// Queries that return stored records: query_checks_records.cc.
void CheckSearchSpace(const ExampleStudies& plan, const pqxx::result& result);
void CheckTrialParameters(const ExampleStudies& plan,
                          const pqxx::result& result);
void CheckTrialsPerState(const ExampleStudies& plan,
                         const pqxx::result& result);
void CheckStudyOverview(const ExampleStudies& plan, const pqxx::result& result);
void CheckBestTrials(const ExampleStudies& plan, const pqxx::result& result);
void CheckConstraintViolations(const ExampleStudies& plan,
                               const pqxx::result& result);
void CheckEnvironmentDiff(const ExampleStudies& plan,
                          const pqxx::result& result);
void CheckLearningCurves(const ExampleStudies& plan,
                         const pqxx::result& result);
void CheckPrunedLastStep(const ExampleStudies& plan,
                         const pqxx::result& result);

// Queries that aggregate: query_checks_statistics.cc.
void CheckTopDecileParameters(const ExampleStudies& plan,
                              const pqxx::result& result);
void CheckParameterCorrelation(const ExampleStudies& plan,
                               const pqxx::result& result);
void CheckTrialDurations(const ExampleStudies& plan,
                         const pqxx::result& result);
void CheckFailureRateByWorker(const ExampleStudies& plan,
                              const pqxx::result& result);
void CheckBestSoFar(const ExampleStudies& plan, const pqxx::result& result);
void CheckParetoFront(const ExampleStudies& plan, const pqxx::result& result);

// Shared by the checks.
std::vector<std::string> ColumnNames(const pqxx::result& result);
// mnist-mlp's completed, feasible trials, best first, ties by number (as
// the views break them).
std::vector<const MlpTrial*> RankedFeasible(const ExampleStudies& plan);

}  // namespace knob::testing

#endif  // KNOB_TESTS_ANALYSTS_QUERY_CHECKS_H_

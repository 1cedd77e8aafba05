// The dashboard's trial table: one page of a study's trials, filtered by
// state and sorted by number, first objective value, duration, state or a
// parameter. The query comes from URL parameters; a bad one is
// INVALID_ARGUMENT naming the parameter ("limit: …").
//
// Sorting is in memory over all of the study's trials: tens of
// milliseconds for 100,000 (see docs/dashboard.md).
//
// Thread safety: pure functions of their arguments.
#ifndef KNOB_SERVER_DASHBOARD_TRIAL_TABLE_H_
#define KNOB_SERVER_DASHBOARD_TRIAL_TABLE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "knob/v1/study.pb.h"
#include "knob/v1/trial.pb.h"
#include "nlohmann/json.hpp"
#include "server/dashboard/study_json.h"

namespace knob::dashboard {

// Most rows one page may hold.
inline constexpr int64_t kMaxTableLimit = 1000;

struct TrialTableQuery {
  enum class SortKey { kNumber, kValue, kDuration, kState, kParam };
  // Default: 0.
  int64_t offset = 0;
  // 0 to kMaxTableLimit. Default: 50.
  int64_t limit = 50;
  // Default: kNumber.
  SortKey sort = SortKey::kNumber;
  // With kParam: the parameter.
  std::string param;
  // Default: false (ascending).
  bool descending = false;
  // Empty: every state.
  std::vector<v1::TrialState> states;
};

// Reads offset, limit, sort ("number", "value", "duration", "state" or
// "param:NAME" for a parameter of `config`), order ("asc" or "desc") and
// state (comma-separated lower-case trial states) from URL parameters;
// absent ones keep their defaults. INVALID_ARGUMENT naming the parameter
// for a malformed or out-of-range value.
absl::StatusOr<TrialTableQuery> ParseTrialTableQuery(
    const std::map<std::string, std::string>& parameters,
    const v1::StudyConfig& config);

// The matching trials in table order: the sort key in the query's order,
// trials without a key (no value, not ended, parameter inactive) last
// either way, ties by number.
std::vector<const v1::Trial*> SortedTrials(TrialSpan trials,
                                           const TrialTableQuery& query);

// {"total", "offset", "limit", "trials": [rows]} for the page the query
// selects from `trials` (all of the study's, by number).
nlohmann::json TrialPageJson(TrialSpan trials, const TrialTableQuery& query);

}  // namespace knob::dashboard

#endif  // KNOB_SERVER_DASHBOARD_TRIAL_TABLE_H_

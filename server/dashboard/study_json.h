// The JSON the dashboard serves for studies and trials (the shapes are
// described in docs/dashboard.md), built from the API's proto messages so
// that knob-server's dashboard and `knobctl report` produce the same
// documents from the same data.
//
// Conventions: times are RFC 3339 strings in UTC or null when unset; states
// and directions are lower-case words ("completed", "minimize");
// parameter values keep their JSON type (number, string or bool).
//
// Thread safety: pure functions of their arguments.
#ifndef KNOB_SERVER_DASHBOARD_STUDY_JSON_H_
#define KNOB_SERVER_DASHBOARD_STUDY_JSON_H_

#include <string>

#include "absl/types/span.h"
#include "google/protobuf/timestamp.pb.h"
#include "knob/v1/service.pb.h"
#include "knob/v1/study.pb.h"
#include "knob/v1/trial.pb.h"
#include "nlohmann/json.hpp"

namespace knob::dashboard {

// A study's trials ordered by number, as the payload builders read them.
using TrialSpan = absl::Span<const v1::Trial* const>;

std::string StateName(v1::StudyState state);
std::string StateName(v1::TrialState state);
std::string DirectionName(v1::Direction direction);
nlohmann::json TimeJson(const google::protobuf::Timestamp& time);
nlohmann::json ValueJson(const v1::Value& value);

// {"waiting":…, …, "total":…} from the study's trial counts.
nlohmann::json CountsJson(const v1::TrialCounts& counts);

// A study's "best_values": null before any trial completed; for one
// objective, [the best feasible value among `trials`] ([null] while none
// is feasible); for several, [null, …] (there is a front, not a best).
nlohmann::json BestValuesJson(const v1::Study& study, TrialSpan trials);

// One entry of the study list: identity, state, config summary, counts,
// times, sequence and "best_values" (the best feasible value for one
// objective; [null, …] for several; null before any trial completed).
nlohmann::json StudySummaryJson(const v1::Study& study, TrialSpan trials);

// The summary plus "metadata", "params" (see ParamsJson) and "config" (the
// StudyConfig as proto JSON).
nlohmann::json StudyDetailJson(const v1::Study& study, TrialSpan trials);

// The search space: one object per parameter with "name" and "type"
// (float, int, categorical or fixed) and its domain ("log", "min", "max",
// "step"; "choices"; "value"), plus "condition" ({"parent", "values"}) for
// a conditional one.
nlohmann::json ParamsJson(const v1::StudyConfig& config);

// A row of the trial table: number, state, values (null unless completed),
// params (active ones only), metrics, worker_id, start/end time and
// duration_s (null until the trial ended).
nlohmann::json TrialRowJson(const v1::Trial& trial);

// The row plus environment, fail_reason, create_time, lease_deadline and
// intermediate_values.
nlohmann::json TrialDetailJson(const v1::Trial& trial);

// {"importances":[{"param","importance"}, …]} in the response's order.
nlohmann::json ImportanceJson(const v1::GetParamImportancesResponse& response);
// {"importances":[], "reason": reason}: why there is nothing to show yet.
nlohmann::json ImportanceUnavailableJson(const std::string& reason);

}  // namespace knob::dashboard

#endif  // KNOB_SERVER_DASHBOARD_STUDY_JSON_H_

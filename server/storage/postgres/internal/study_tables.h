// The normalized copy of a StudyConfig that analysts query
// (knob.study_parameter, knob.study_objective, knob.study_metric,
// knob.study_constraint), as JSON
// arrays of rows for jsonb_to_recordset. The server itself reloads configs
// from knob.study.config.
#ifndef KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_STUDY_TABLES_H_
#define KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_STUDY_TABLES_H_

#include "nlohmann/json.hpp"
#include "server/model/study.h"

namespace knob::postgres_internal {

nlohmann::json StudyParameterRows(const StudyConfig& config);
nlohmann::json StudyObjectiveRows(const StudyConfig& config);
// The extra metric names, in order.
nlohmann::json StudyMetricNames(const StudyConfig& config);
// Comparison "<=" for a max, ">=" for a min.
nlohmann::json StudyConstraintRows(const StudyConfig& config);

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_STUDY_TABLES_H_

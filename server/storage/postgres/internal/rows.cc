#include "server/storage/postgres/internal/rows.h"

#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "pqxx/binarystring"
#include "server/storage/postgres/internal/codec.h"
#include "server/util/status_macros.h"

namespace knob::postgres_internal {
namespace {

using Json = nlohmann::json;

enum StudyColumn {
  kStudyId,
  kStudyName,
  kStudyState,
  kStudyStateReason,
  kStudyMetadata,
  kStudyCreateTime,
  kStudyUpdateTime,
  kStudySequence,
  kStudyNextTrialNumber,
  kStudySamplerState,
};

enum TrialColumn {
  kTrialId,
  kTrialStudyId,
  kTrialNumber,
  kTrialState,
  kTrialWorkerId,
  kTrialEnvironment,
  kTrialFailReason,
  kTrialCreateTime,
  kTrialStartTime,
  kTrialEndTime,
  kTrialLeaseDeadline,
  kTrialSequence,
  kTrialEnqueueRequestId,
  kTrialSuggestRequestId,
  kTrialCompleteRequestId,
  kTrialRetryOf,
  kTrialParams,
  kTrialValues,
  kTrialMetrics,
  kTrialIntermediateValues,
};

absl::string_view Text(const pqxx::field& field) {
  return absl::string_view(field.c_str(), field.size());
}

// The model's name lookups take std::string_view, which Debian's Abseil
// does not alias.
std::string_view StdText(const pqxx::field& field) {
  return std::string_view(field.c_str(), field.size());
}

std::optional<absl::Time> OptionalTime(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return FromMicros(field.as<int64_t>());
}

absl::Status Corrupt(absl::string_view what, absl::string_view text) {
  return absl::InternalError(
      absl::StrCat("unexpected ", what, " in the database: ", text));
}

// An aggregated JSON column: NULL when there were no rows to aggregate.
absl::StatusOr<Json> JsonArray(const pqxx::field& field,
                               absl::string_view what) {
  if (field.is_null()) return Json::array();
  absl::string_view text = Text(field);
  Json json = Json::parse(text.begin(), text.end(), nullptr,
                          /*allow_exceptions=*/false);
  if (!json.is_array()) return Corrupt(what, Text(field));
  return json;
}

bool IsStringTuple(const Json& json, size_t size) {
  if (!json.is_array() || json.size() != size) return false;
  for (const Json& item : json) {
    if (!item.is_string()) return false;
  }
  return true;
}

absl::Status ReadChildren(const pqxx::row& row, Trial& trial) {
  ASSIGN_OR_RETURN(Json params, JsonArray(row[kTrialParams], "parameters"));
  for (const Json& param : params) {
    if (!IsStringTuple(param, 3)) return Corrupt("parameter", param.dump());
    ASSIGN_OR_RETURN(
        ParamValue value,
        ParamValueFromLabel(param[1].get_ref<const std::string&>(),
                            param[2].get_ref<const std::string&>()));
    trial.params.emplace(param[0].get<std::string>(), std::move(value));
  }
  ASSIGN_OR_RETURN(Json values, JsonArray(row[kTrialValues], "values"));
  for (const Json& value : values) {
    if (!value.is_string()) return Corrupt("objective value", value.dump());
    ASSIGN_OR_RETURN(double v,
                     ParseDouble(value.get_ref<const std::string&>()));
    trial.values.push_back(v);
  }
  ASSIGN_OR_RETURN(Json metrics, JsonArray(row[kTrialMetrics], "metrics"));
  for (const Json& metric : metrics) {
    if (!IsStringTuple(metric, 2)) return Corrupt("metric", metric.dump());
    ASSIGN_OR_RETURN(double v,
                     ParseDouble(metric[1].get_ref<const std::string&>()));
    trial.metrics.emplace(metric[0].get<std::string>(), v);
  }
  ASSIGN_OR_RETURN(Json intermediate, JsonArray(row[kTrialIntermediateValues],
                                                "intermediate values"));
  for (const Json& item : intermediate) {
    if (!item.is_array() || item.size() != 6 || !item[0].is_number_integer() ||
        !item[1].is_string() || !item[2].is_string() || !item[3].is_string() ||
        !item[4].is_boolean() || !item[5].is_string()) {
      return Corrupt("intermediate value", item.dump());
    }
    ASSIGN_OR_RETURN(double v,
                     ParseDouble(item[2].get_ref<const std::string&>()));
    trial.intermediate_values.push_back(
        IntermediateValue{.step = item[0].get<int64_t>(),
                          .metric = item[1].get<std::string>(),
                          .value = v,
                          .request_id = item[3].get<std::string>(),
                          .should_prune = item[4].get<bool>(),
                          .prune_reason = item[5].get<std::string>()});
  }
  return absl::OkStatus();
}

std::string BuildStudyColumns(absl::string_view sampler_state) {
  return absl::StrCat(
      "s.id, s.name, s.state, s.state_reason, s.metadata::text, ",
      MicrosOf("s.create_time"), ", ", MicrosOf("s.update_time"),
      ", s.sequence, s.next_trial_number, ", sampler_state);
}

std::string BuildTrialOwnColumns() {
  return absl::StrCat(
      "t.id, t.study_id, t.number, t.state, t.worker_id, t.environment::text, "
      "t.fail_reason, ",
      MicrosOf("t.create_time"), ", ", MicrosOf("t.start_time"), ", ",
      MicrosOf("t.end_time"), ", ", MicrosOf("t.lease_deadline"), ", ",
      "t.sequence, t.enqueue_request_id, t.suggest_request_id, "
      "t.complete_request_id, t.retry_of");
}

std::string BuildTrialColumns() {
  return absl::StrCat(
      TrialOwnColumns(),
      ", "
      "(SELECT json_agg(json_build_array(p.name, p.kind, p.label)) "
      "   FROM knob.trial_param p WHERE p.trial_id = t.id)::text, "
      "(SELECT json_agg(v.value::text ORDER BY v.position) "
      "   FROM knob.trial_value v WHERE v.trial_id = t.id)::text, "
      "(SELECT json_agg(json_build_array(m.name, m.value::text)) "
      "   FROM knob.trial_metric m WHERE m.trial_id = t.id)::text, "
      "(SELECT json_agg(json_build_array(i.step, i.metric, i.value::text, "
      "                                  coalesce(i.request_id, ''), "
      "                                  i.should_prune, i.prune_reason) "
      "                 ORDER BY i.id) "
      "   FROM knob.intermediate_value i WHERE i.trial_id = t.id)::text");
}

}  // namespace

const std::string& StudyColumns() {
  static const std::string* const columns =
      new std::string(BuildStudyColumns("s.sampler_state"));
  return *columns;
}

const std::string& StudyColumnsWithoutSamplerState() {
  static const std::string* const columns =
      new std::string(BuildStudyColumns("NULL::bytea"));
  return *columns;
}

const std::string& TrialOwnColumns() {
  static const std::string* const columns =
      new std::string(BuildTrialOwnColumns());
  return *columns;
}

const std::string& TrialColumns() {
  static const std::string* const columns =
      new std::string(BuildTrialColumns());
  return *columns;
}

absl::StatusOr<Study> StudyFromRow(const pqxx::row& row, StudyConfig config) {
  Study study;
  study.id = row[kStudyId].as<int64_t>();
  study.name = row[kStudyName].as<std::string>();
  std::optional<StudyState> state =
      StudyStateFromName(StdText(row[kStudyState]));
  if (!state.has_value()) return Corrupt("study state", Text(row[kStudyState]));
  study.state = *state;
  study.state_reason = row[kStudyStateReason].as<std::string>();
  ASSIGN_OR_RETURN(study.metadata,
                   StringMapFromJson(Text(row[kStudyMetadata])));
  study.create_time = FromMicros(row[kStudyCreateTime].as<int64_t>());
  study.update_time = FromMicros(row[kStudyUpdateTime].as<int64_t>());
  study.sequence = row[kStudySequence].as<int64_t>();
  study.next_trial_number = row[kStudyNextTrialNumber].as<int64_t>();
  if (!row[kStudySamplerState].is_null()) {
    // bytea arrives hex-escaped in text results; binarystring decodes it.
    study.sampler_state = pqxx::binarystring(row[kStudySamplerState]).str();
  }
  study.config = std::move(config);
  return study;
}

absl::StatusOr<Trial> TrialWithoutChildrenFromRow(const pqxx::row& row) {
  Trial trial;
  trial.id = row[kTrialId].as<int64_t>();
  trial.study_id = row[kTrialStudyId].as<int64_t>();
  trial.number = row[kTrialNumber].as<int64_t>();
  std::optional<TrialState> state =
      TrialStateFromName(StdText(row[kTrialState]));
  if (!state.has_value()) return Corrupt("trial state", Text(row[kTrialState]));
  trial.state = *state;
  trial.worker_id = row[kTrialWorkerId].as<std::string>();
  ASSIGN_OR_RETURN(trial.environment,
                   StringMapFromJson(Text(row[kTrialEnvironment])));
  trial.fail_reason = row[kTrialFailReason].as<std::string>();
  trial.create_time = FromMicros(row[kTrialCreateTime].as<int64_t>());
  trial.start_time = OptionalTime(row[kTrialStartTime]);
  trial.end_time = OptionalTime(row[kTrialEndTime]);
  trial.lease_deadline = OptionalTime(row[kTrialLeaseDeadline]);
  trial.sequence = row[kTrialSequence].as<int64_t>();
  trial.enqueue_request_id = row[kTrialEnqueueRequestId].as<std::string>();
  trial.suggest_request_id = row[kTrialSuggestRequestId].as<std::string>();
  trial.complete_request_id = row[kTrialCompleteRequestId].as<std::string>();
  if (!row[kTrialRetryOf].is_null()) {
    trial.retry_of = row[kTrialRetryOf].as<int64_t>();
  }
  return trial;
}

absl::StatusOr<Trial> TrialFromRow(const pqxx::row& row) {
  ASSIGN_OR_RETURN(Trial trial, TrialWithoutChildrenFromRow(row));
  RETURN_IF_ERROR(ReadChildren(row, trial));
  return trial;
}

absl::StatusOr<std::vector<Trial>> TrialsFromResult(
    const pqxx::result& result) {
  std::vector<Trial> trials;
  trials.reserve(result.size());
  for (const pqxx::row& row : result) {
    ASSIGN_OR_RETURN(Trial trial, TrialFromRow(row));
    trials.push_back(std::move(trial));
  }
  return trials;
}

absl::StatusOr<TrialCounts> TrialCountsFromResult(const pqxx::result& result) {
  TrialCounts counts;
  for (const pqxx::row& row : result) {
    std::optional<TrialState> state = TrialStateFromName(StdText(row[0]));
    if (!state.has_value()) return Corrupt("trial state", Text(row[0]));
    counts.For(*state) = row[1].as<int64_t>();
    counts.retried += row[2].as<int64_t>();
  }
  return counts;
}

}  // namespace knob::postgres_internal

#include "server/storage/postgres/internal/statements.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "server/storage/postgres/internal/rows.h"
#include "server/storage/postgres/internal/trial_reads.h"

namespace knob::postgres_internal::sql {
namespace {

// One statement creates the study and its normalized search space,
// objectives, extra metrics and constraints. $1 name, $2 config, $3 metadata,
// $4 sampler, $5 pruner, $6 seed, $7 max_trials, $8 max_failed_trials,
// $9 max_wall_time, $10 lease_duration, $11 now, $12 parameter rows,
// $13 objective rows, $14 extra metric names, $15 constraint rows (all JSON
// as text), $16 target_value, $17 patience, $18 max_stale_retries.
constexpr char kStudyCreateSql[] = R"sql(
WITH s AS (
  INSERT INTO knob.study (name, state, config, metadata, sampler, pruner,
                          seed, max_trials, max_failed_trials, max_wall_time,
                          lease_duration, create_time, update_time,
                          target_value, patience, max_stale_retries)
  VALUES ($1, 'RUNNING', $2::jsonb, $3::jsonb, $4, $5, $6::numeric,
          $7::bigint, $8::bigint, $9::interval, $10::interval,
          $11::timestamptz, $11::timestamptz, $16::double precision,
          $17::bigint, $18::integer)
  RETURNING id
), p AS (
  INSERT INTO knob.study_parameter (study_id, position, name, kind, min_value,
                                    max_value, log_scale, step, choices,
                                    fixed_value, condition_parent,
                                    condition_values)
  SELECT s.id, x.position, x.name, x.kind, x.min_value::numeric,
         x.max_value::numeric, x.log_scale, x.step::numeric, x.choices,
         x.fixed_value, x.condition_parent, x.condition_values
  FROM s, jsonb_to_recordset($12::jsonb) AS x(
    position integer, name text, kind text, min_value text, max_value text,
    log_scale boolean, step text, choices jsonb, fixed_value text,
    condition_parent text, condition_values jsonb)
), o AS (
  INSERT INTO knob.study_objective (study_id, position, metric, direction)
  SELECT s.id, x.position, x.metric, x.direction
  FROM s, jsonb_to_recordset($13::jsonb)
          AS x(position integer, metric text, direction text)
), m AS (
  INSERT INTO knob.study_metric (study_id, position, name)
  SELECT s.id, x.ordinality - 1, x.name
  FROM s, jsonb_array_elements_text($14::jsonb) WITH ORDINALITY AS x(name, ordinality)
), c AS (
  INSERT INTO knob.study_constraint (study_id, position, metric, comparison,
                                     bound)
  SELECT s.id, x.position, x.metric, x.comparison, x.bound::double precision
  FROM s, jsonb_to_recordset($15::jsonb)
          AS x(position integer, metric text, comparison text, bound text)
)
SELECT id FROM s
)sql";

// A study transaction's new, started, finished and reported trials and
// extended leases, with their children, and the study's sequence and next
// trial number, in one statement: one round trip and one executor start
// for a whole group of calls instead of one per call. The updates of `w`
// match only WAITING trials and those of `f`, `r` and `e` only RUNNING
// ones, and children are written only for the trials they matched, so a
// change that the caller misjudged shows as an id missing from the result.
// No trial is in two of c, w, f, r and e: a statement cannot write a row
// twice.
constexpr char kTrialsWriteSql[] = R"sql(
WITH c AS (
  INSERT INTO knob.trial (id, study_id, number, state, worker_id, environment,
                          create_time, start_time, lease_deadline, sequence,
                          suggest_request_id, enqueue_request_id, retry_of)
  SELECT x.id, $1, x.number, x.state, x.worker_id, x.environment,
         x.create_time::timestamptz, x.start_time::timestamptz,
         x.lease_deadline::timestamptz, $2, x.suggest_request_id,
         x.enqueue_request_id, x.retry_of
  FROM jsonb_to_recordset($4::jsonb) AS x(
    id bigint, number bigint, state text, worker_id text, environment jsonb,
    create_time text, start_time text, lease_deadline text,
    suggest_request_id text, enqueue_request_id text, retry_of bigint)
), p AS (
  INSERT INTO knob.trial_param (trial_id, name, kind, float_value, int_value,
                                bool_value, label)
  SELECT x.trial_id, x.name, x.kind, x.float_value::double precision,
         x.int_value::bigint, x.bool_value::boolean, x.label
  FROM jsonb_to_recordset($5::jsonb) AS x(
    trial_id bigint, name text, kind text, float_value text, int_value text,
    bool_value text, label text)
), f AS (
  UPDATE knob.trial t
  SET state = x.state, end_time = x.end_time::timestamptz,
      lease_deadline = NULL, fail_reason = x.fail_reason,
      complete_request_id = x.complete_request_id, sequence = $2
  FROM jsonb_to_recordset($6::jsonb) AS x(
    id bigint, state text, end_time text, fail_reason text,
    complete_request_id text)
  WHERE t.id = x.id AND t.study_id = $1 AND t.state = 'RUNNING'
  RETURNING t.id
), v AS (
  INSERT INTO knob.trial_value (trial_id, position, metric, value)
  SELECT x.trial_id, x.position, x.metric, x.value::double precision
  FROM jsonb_to_recordset($7::jsonb)
          AS x(trial_id bigint, position integer, metric text, value text)
  JOIN f ON f.id = x.trial_id
), m AS (
  INSERT INTO knob.trial_metric (trial_id, name, value)
  SELECT x.trial_id, x.name, x.value::double precision
  FROM jsonb_to_recordset($8::jsonb)
          AS x(trial_id bigint, name text, value text)
  JOIN f ON f.id = x.trial_id
), r AS (
  UPDATE knob.trial t SET sequence = $2
  FROM jsonb_to_recordset($9::jsonb) AS x(trial_id bigint)
  WHERE t.id = x.trial_id AND t.study_id = $1 AND t.state = 'RUNNING'
  RETURNING t.id
), i AS (
  INSERT INTO knob.intermediate_value
    (trial_id, metric, step, value, request_id, should_prune, prune_reason)
  SELECT x.trial_id, x.metric, x.step, x.value::double precision,
         NULLIF(x.request_id, ''), x.should_prune, x.prune_reason
  FROM jsonb_to_recordset($9::jsonb) AS x(
    trial_id bigint, metric text, step bigint, value text, request_id text,
    should_prune boolean, prune_reason text)
  JOIN r ON r.id = x.trial_id
  ON CONFLICT (trial_id, metric, step) DO UPDATE
  SET value = EXCLUDED.value, request_id = EXCLUDED.request_id,
      should_prune = EXCLUDED.should_prune,
      prune_reason = EXCLUDED.prune_reason
), w AS (
  UPDATE knob.trial t
  SET state = 'RUNNING', worker_id = x.worker_id, environment = x.environment,
      start_time = x.start_time::timestamptz,
      lease_deadline = x.lease_deadline::timestamptz,
      suggest_request_id = x.suggest_request_id, sequence = $2
  FROM jsonb_to_recordset($10::jsonb) AS x(
    id bigint, worker_id text, environment jsonb, start_time text,
    lease_deadline text, suggest_request_id text)
  WHERE t.id = x.id AND t.study_id = $1 AND t.state = 'WAITING'
  RETURNING t.id
), e AS (
  UPDATE knob.trial t
  SET lease_deadline = x.lease_deadline::timestamptz, sequence = $2
  FROM jsonb_to_recordset($11::jsonb) AS x(id bigint, lease_deadline text)
  WHERE t.id = x.id AND t.study_id = $1 AND t.state = 'RUNNING'
  RETURNING t.id
), s AS (
  UPDATE knob.study SET sequence = $2, next_trial_number = $3 WHERE id = $1
)
SELECT id FROM f UNION ALL SELECT id FROM r UNION ALL SELECT id FROM w
UNION ALL SELECT id FROM e
)sql";

constexpr char kTrialsExpireSql[] = R"sql(
UPDATE knob.trial
SET state = 'STALE', end_time = $2::timestamptz, lease_deadline = NULL,
    fail_reason = 'lease expired at ' ||
      to_char(lease_deadline AT TIME ZONE 'UTC',
              'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') ||
      ' without a heartbeat',
    sequence = $3
WHERE study_id = $1 AND state = 'RUNNING' AND lease_deadline < $2::timestamptz
RETURNING id
)sql";

}  // namespace

void PrepareStatements(pqxx::connection_base& connection) {
  const std::string study_select = absl::StrCat(
      "SELECT ", StudyColumns(), ", s.config::text ", "FROM knob.study s ");
  const std::string study_list_select =
      absl::StrCat("SELECT ", StudyColumnsWithoutSamplerState(),
                   ", s.config::text ", "FROM knob.study s ");
  const std::string trial_select =
      absl::StrCat("SELECT ", TrialColumns(), " FROM knob.trial t ");

  connection.prepare(kStudyCreate, kStudyCreateSql);
  connection.prepare(kStudyGet, study_select + "WHERE s.id = $1");
  connection.prepare(kStudyGetByName, study_select + "WHERE s.name = $1");
  connection.prepare(kStudyList,
                     study_list_select +
                         "WHERE ($1::text IS NULL OR s.state = $1::text) "
                         "AND s.id > $2 ORDER BY s.id LIMIT $3");
  connection.prepare(kStudyExists, "SELECT 1 FROM knob.study WHERE id = $1");
  connection.prepare(kStudyDelete,
                     "DELETE FROM knob.study WHERE id = $1 RETURNING id");
  connection.prepare(kStudyLock,
                     absl::StrCat("SELECT ", StudyColumns(),
                                  " FROM knob.study s WHERE s.id = $1 "
                                  "FOR UPDATE"));
  connection.prepare(kStudyConfig,
                     "SELECT config::text FROM knob.study WHERE id = $1");
  connection.prepare(kStudyCommit,
                     "UPDATE knob.study SET sequence = $2, "
                     "next_trial_number = $3 WHERE id = $1");
  connection.prepare(kStudySetState,
                     "UPDATE knob.study SET state = $2, state_reason = $3, "
                     "update_time = $4::timestamptz WHERE id = $1");
  connection.prepare(kStudySetMetadata,
                     "UPDATE knob.study SET metadata = $2::jsonb, "
                     "update_time = $3::timestamptz WHERE id = $1");
  connection.prepare(kStudySetSamplerState,
                     "UPDATE knob.study SET sampler_state = $2 WHERE id = $1");

  connection.prepare(kTrialCounts,
                     "SELECT state, count(*), count(retry_of) FROM knob.trial "
                     "WHERE study_id = $1 GROUP BY state");
  connection.prepare(kTrialsWrite, kTrialsWriteSql);
  connection.prepare(kTrialIdsReserve,
                     "SELECT nextval(pg_get_serial_sequence('knob.trial', "
                     "'id')) FROM generate_series(1, $1)");
  connection.prepare(kTrialGet, trial_select + "WHERE t.id = $1");
  connection.prepare(kTrialStudy,
                     "SELECT study_id FROM knob.trial WHERE id = $1");
  connection.prepare(kTrialState,
                     "SELECT state FROM knob.trial "
                     "WHERE id = $1 AND study_id = $2");
  connection.prepare(kTrialRetryTarget,
                     "SELECT t.id, t.state, EXISTS (SELECT 1 FROM knob.trial r "
                     "WHERE r.study_id = t.study_id AND r.retry_of = t.number) "
                     "FROM knob.trial t WHERE t.study_id = $1 "
                     "AND t.number = $2");
  connection.prepare(kTrialsByIds, trial_select +
                                       "WHERE t.id = ANY($1::bigint[]) "
                                       "ORDER BY t.number");
  PrepareTrialRead(connection, kTrialsChangedSince,
                   "t.study_id = $1 AND t.sequence > $2", /*limit=*/"");
  connection.prepare(kTrialOldestWaiting,
                     trial_select +
                         "WHERE t.study_id = $1 AND t.state = 'WAITING' "
                         "ORDER BY t.number LIMIT 1");
  connection.prepare(kTrialsBySuggestRequest,
                     trial_select +
                         "WHERE t.study_id = $1 AND t.suggest_request_id = $2 "
                         "AND t.suggest_request_id <> '' ORDER BY t.number");
  PrepareTrialRead(connection, kTrialsList,
                   "t.study_id = $1 "
                   "AND ($2::text[] IS NULL OR t.state = ANY($2::text[])) "
                   "AND t.sequence > $3 AND t.number > $4",
                   /*limit=*/"$5");
  connection.prepare(kTrialsExpire, kTrialsExpireSql);
  connection.prepare(kStudiesWithExpiredLeases,
                     "SELECT DISTINCT study_id FROM knob.trial "
                     "WHERE state = 'RUNNING' "
                     "AND lease_deadline < $1::timestamptz ORDER BY study_id");
}

}  // namespace knob::postgres_internal::sql

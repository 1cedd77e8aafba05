// The SQL PostgresStorage runs, as prepared statements declared on every
// pooled connection (libpqxx prepares each on first use, per connection).
// Rows come back in the column layouts of rows.h.
#ifndef KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_STATEMENTS_H_
#define KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_STATEMENTS_H_

#include "pqxx/connection"

namespace knob::postgres_internal::sql {

// Studies. Parameters in the comments: $1, $2, ...
inline constexpr char kStudyCreate[] = "study_create";  // see statements.cc
inline constexpr char kStudyGet[] = "study_get";        // id
inline constexpr char kStudyGetByName[] = "study_get_by_name";  // name
// state or NULL, id after, limit
inline constexpr char kStudyList[] = "study_list";
inline constexpr char kStudyExists[] = "study_exists";  // id
inline constexpr char kStudyDelete[] = "study_delete";  // id
// id; locks the row FOR UPDATE; no config column.
inline constexpr char kStudyLock[] = "study_lock";
inline constexpr char kStudyConfig[] = "study_config";  // id
// id, sequence, next_trial_number
inline constexpr char kStudyCommit[] = "study_commit";
// id, state, reason, update_time
inline constexpr char kStudySetState[] = "study_set_state";
// id, metadata, update_time
inline constexpr char kStudySetMetadata[] = "study_set_metadata";
// id, sampler state (bytea, sent as a binary parameter) or NULL
inline constexpr char kStudySetSamplerState[] = "study_set_sampler_state";

// Trials.
inline constexpr char kTrialCounts[] = "trial_counts";  // study
inline constexpr char kTrialGet[] = "trial_get";        // id
inline constexpr char kTrialStudy[] = "trial_study";    // id
inline constexpr char kTrialState[] = "trial_state";    // id, study
// study, number: the trial's state and whether a trial retries it
inline constexpr char kTrialRetryTarget[] = "trial_retry_target";
inline constexpr char kTrialsByIds[] = "trials_by_ids";  // bigint[]
// study, sequence after; a trial read (trial_reads.h)
inline constexpr char kTrialsChangedSince[] = "trials_changed_since";
inline constexpr char kTrialOldestWaiting[] = "trial_oldest_waiting";  // study
// study, request id
inline constexpr char kTrialsBySuggestRequest[] = "trials_by_suggest_request";
// study, states text[] or NULL, sequence after, number after, limit; a
// trial read (trial_reads.h)
inline constexpr char kTrialsList[] = "trials_list";
// study, sequence, next trial number, then jsonb rows of new trials, of
// their parameters, of finished trials, of their values, of their metrics,
// of intermediate values, of started trials and of extended leases: writes
// them all and the study's sequence and next number; the ids of the
// trials finished, reported, started or extended that were in the state
// the change needs (see trial_writes.h)
inline constexpr char kTrialsWrite[] = "trials_write";
// count: that many new trial ids from knob.trial's identity sequence
inline constexpr char kTrialIdsReserve[] = "trial_ids_reserve";
// study, now, sequence
inline constexpr char kTrialsExpire[] = "trials_expire";
inline constexpr char kStudiesWithExpiredLeases[] =
    "studies_with_expired_leases";  // now

// Declares every statement above on `connection`.
void PrepareStatements(pqxx::connection_base& connection);

}  // namespace knob::postgres_internal::sql

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_STATEMENTS_H_

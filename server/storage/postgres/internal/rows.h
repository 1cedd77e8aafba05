// Reading studies and trials from result rows. A trial read on its own
// comes back as one row with its parameters, values, metrics and
// intermediate values aggregated into JSON columns: one round trip.
// Reads of many trials at once take their children from a statement per
// table instead (trial_reads.h), which is far cheaper per trial.
#ifndef KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_ROWS_H_
#define KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_ROWS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "pqxx/result"
#include "pqxx/row"
#include "server/model/study.h"
#include "server/model/trial.h"

namespace knob::postgres_internal {

// The select list StudyFromRow reads, for `knob.study s`. The config is
// not part of it: a statement that needs it appends `s.config::text`.
const std::string& StudyColumns();
// The same with NULL in place of the sampler state, for listings, which
// leave it out.
const std::string& StudyColumnsWithoutSamplerState();

// The select list TrialFromRow reads, for `knob.trial t`.
const std::string& TrialColumns();
// Its first columns: the trial's own, without its children.
const std::string& TrialOwnColumns();

// Everything but the config, which the caller supplies (usually from its
// cache). INTERNAL for data this code did not write.
absl::StatusOr<Study> StudyFromRow(const pqxx::row& row, StudyConfig config);

absl::StatusOr<Trial> TrialFromRow(const pqxx::row& row);
// A row of TrialOwnColumns() (or of TrialColumns(), whose children it
// leaves out): params, values, metrics and intermediate values stay empty.
absl::StatusOr<Trial> TrialWithoutChildrenFromRow(const pqxx::row& row);
absl::StatusOr<std::vector<Trial>> TrialsFromResult(const pqxx::result& result);

// Rows of (state, count).
absl::StatusOr<TrialCounts> TrialCountsFromResult(const pqxx::result& result);

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_ROWS_H_

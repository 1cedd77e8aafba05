// The trials a study transaction created, finished or reported an
// intermediate value of, and has not written yet. That is what every
// suggest, complete and report call does; written together, a group of
// calls costs one statement (sql::kTrialsWrite) instead of one per call.
//
// Not thread-safe: belongs to one PostgresStudyTransaction.
#ifndef KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_WRITES_H_
#define KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_WRITES_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "pqxx/transaction_base"
#include "server/model/study.h"
#include "server/model/trial.h"

namespace knob::postgres_internal {

class PendingTrialWrites final {
 public:
  bool empty() const { return touched_.empty(); }
  // Whether anything pending writes the trial. One statement cannot write
  // a row twice: a trial gets at most one pending write.
  bool Touches(int64_t trial_id) const { return touched_.contains(trial_id); }
  bool Finishes(int64_t trial_id) const {
    return finished_ids_.contains(trial_id);
  }

  // `trial` as it is to be inserted, id included.
  void Create(Trial trial);
  // `trial` as it is to be stored, finished; the stored row must be
  // RUNNING.
  void Finish(Trial trial);
  // `value` reported for a trial whose stored row must be RUNNING; it
  // replaces a value stored for the same (step, metric).
  void Report(int64_t trial_id, IntermediateValue value);

  // Writes everything pending for `study` (whose objectives name the
  // values), and the study's `sequence` and `next_trial_number`, then
  // forgets it. Returns the ids of finished or reported trials whose row
  // was not RUNNING in `study`: the statement then changed others, so the
  // transaction must not commit. Throws what libpqxx throws.
  std::vector<int64_t> Write(pqxx::transaction_base& transaction,
                             const Study& study, int64_t sequence,
                             int64_t next_trial_number);

 private:
  std::vector<Trial> created_;
  std::vector<Trial> finished_;
  std::vector<std::pair<int64_t, IntermediateValue>> reports_;
  absl::flat_hash_set<int64_t> touched_;
  absl::flat_hash_set<int64_t> finished_ids_;
};

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_WRITES_H_

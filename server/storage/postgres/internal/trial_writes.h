// The trials a study transaction created or finished and has not written
// yet. Creating and finishing trials is what every suggest and complete
// call does; written together, a group of calls costs one statement
// (sql::kTrialsWrite) instead of one per call.
//
// Not thread-safe: belongs to one PostgresStudyTransaction.
#ifndef KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_WRITES_H_
#define KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_WRITES_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "pqxx/transaction_base"
#include "server/model/study.h"
#include "server/model/trial.h"

namespace knob::postgres_internal {

class PendingTrialWrites final {
 public:
  bool empty() const { return created_.empty() && finished_.empty(); }
  bool Creates(int64_t trial_id) const {
    return created_ids_.contains(trial_id);
  }
  bool Finishes(int64_t trial_id) const {
    return finished_ids_.contains(trial_id);
  }

  // `trial` as it is to be inserted, id included.
  void Create(Trial trial);
  // `trial` as it is to be stored, finished; the stored row must be
  // RUNNING. At most once per trial, and not for a trial Create()d and not
  // yet written.
  void Finish(Trial trial);

  // Writes everything pending for `study` (whose objectives name the
  // values), and the study's `sequence` and `next_trial_number`, then
  // forgets it. Returns the ids of finished trials whose row was not
  // RUNNING in `study`: the statement then changed others, so the
  // transaction must not commit. Throws what libpqxx throws.
  std::vector<int64_t> Write(pqxx::transaction_base& transaction,
                             const Study& study, int64_t sequence,
                             int64_t next_trial_number);

 private:
  std::vector<Trial> created_;
  std::vector<Trial> finished_;
  absl::flat_hash_set<int64_t> created_ids_;
  absl::flat_hash_set<int64_t> finished_ids_;
};

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_WRITES_H_

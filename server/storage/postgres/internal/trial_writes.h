// The trials a study transaction created, started, finished, reported an
// intermediate value of or extended the lease of, and has not written yet.
// That is what every suggest, complete, report and heartbeat call does;
// written together, a group of calls costs one statement
// (sql::kTrialsWrite) instead of one per call.
//
// Not thread-safe: belongs to one PostgresStudyTransaction.
#ifndef KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_WRITES_H_
#define KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_WRITES_H_

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
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
  // `trial` as it is to be stored, started; the stored row must be
  // WAITING.
  void Start(Trial trial);
  // The new lease deadline of a trial whose stored row must be RUNNING.
  void Extend(int64_t trial_id, absl::Time lease_deadline);

  // A trial whose stored row was not in the state its change needed.
  struct Miss {
    int64_t trial_id;
    TrialState needed;
  };

  // Writes everything pending for `study` (whose objectives name the
  // values), and the study's `sequence` and `next_trial_number`, then
  // forgets it. Returns the changes whose trial's row was not in the state
  // they need, by trial id: the statement then changed others, so the
  // transaction must not commit. Throws what libpqxx throws.
  std::vector<Miss> Write(pqxx::transaction_base& transaction,
                          const Study& study, int64_t sequence,
                          int64_t next_trial_number);

 private:
  std::vector<Trial> created_;
  std::vector<Trial> finished_;
  std::vector<std::pair<int64_t, IntermediateValue>> reports_;
  std::vector<Trial> started_;
  std::vector<std::pair<int64_t, absl::Time>> extended_;
  absl::flat_hash_set<int64_t> touched_;
  absl::flat_hash_set<int64_t> finished_ids_;
  // The state each started, finished, reported or extended trial's row
  // must be in, by trial id.
  std::map<int64_t, TrialState> needed_;
};

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_TRIAL_WRITES_H_

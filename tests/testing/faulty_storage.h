// A Storage that forwards to another one and, on request, makes the next
// study transaction go wrong the ways a database can: a conflict that
// makes the storage run the callback again, or a failing write that rolls
// the transaction back. For tests of what the core keeps when a
// transaction does not commit (in memory: the sampler's state, caches).
#ifndef KNOB_TESTS_TESTING_FAULTY_STORAGE_H_
#define KNOB_TESTS_TESTING_FAULTY_STORAGE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/storage/storage.h"

namespace knob::testing {

// What goes wrong in the next Transact.
struct TransactFaults {
  // The callback runs and its transaction is rolled back, then the
  // callback runs again in a new transaction: what a storage does after an
  // ABORTED conflict.
  bool retry_after_conflict = false;
  // CreateTrial call number N (from 0, counted per attempt) fails
  // UNAVAILABLE, as a lost connection would.
  std::optional<int> fail_create_trial;
  // SetSamplerState fails UNAVAILABLE.
  bool fail_sampler_state_write = false;
};

// Thread-safe, as Storage requires.
class FaultyStorage final : public Storage {
 public:
  // `storage` must outlive this.
  explicit FaultyStorage(Storage& storage) : storage_(storage) {}

  // Applies `faults` to the next Transact call only.
  void InjectIntoNextTransact(TransactFaults faults);

  absl::StatusOr<Study> CreateStudy(
      const std::string& name, const StudyConfig& config,
      const std::map<std::string, std::string>& metadata,
      absl::Time now) override {
    return storage_.CreateStudy(name, config, metadata, now);
  }
  absl::StatusOr<Study> GetStudy(int64_t study_id) override {
    return storage_.GetStudy(study_id);
  }
  absl::StatusOr<Study> GetStudyByName(const std::string& name) override {
    return storage_.GetStudyByName(name);
  }
  absl::StatusOr<Page<Study>> ListStudies(const StudyQuery& query) override {
    return storage_.ListStudies(query);
  }
  absl::StatusOr<TrialCounts> CountTrials(int64_t study_id) override {
    return storage_.CountTrials(study_id);
  }
  absl::Status DeleteStudy(int64_t study_id) override {
    return storage_.DeleteStudy(study_id);
  }
  absl::Status Transact(
      int64_t study_id,
      absl::FunctionRef<absl::Status(StudyTransaction&)> fn) override;
  absl::StatusOr<Trial> GetTrial(int64_t trial_id) override {
    return storage_.GetTrial(trial_id);
  }
  absl::StatusOr<int64_t> StudyOfTrial(int64_t trial_id) override {
    return storage_.StudyOfTrial(trial_id);
  }
  absl::StatusOr<Page<Trial>> ListTrials(const TrialQuery& query) override {
    return storage_.ListTrials(query);
  }
  absl::StatusOr<std::vector<int64_t>> StudiesWithExpiredLeases(
      absl::Time now) override {
    return storage_.StudiesWithExpiredLeases(now);
  }

 private:
  Storage& storage_;
  absl::Mutex mu_;
  std::optional<TransactFaults> next_faults_ ABSL_GUARDED_BY(mu_);
};

}  // namespace knob::testing

#endif  // KNOB_TESTS_TESTING_FAULTY_STORAGE_H_

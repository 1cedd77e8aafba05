// The committed state of a memory storage, shared by the storage and its
// transactions. Internal to storage/memory.
#ifndef KNOB_SERVER_STORAGE_MEMORY_TABLES_H_
#define KNOB_SERVER_STORAGE_MEMORY_TABLES_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "server/model/study.h"
#include "server/storage/memory/trial_table.h"

namespace knob::memory_internal {

// Serializes the transactions of one study. Shared with waiting
// transactions so that they can learn, once they hold it, that the study
// was deleted meanwhile.
struct StudyLock {
  absl::Mutex mu;
  bool deleted ABSL_GUARDED_BY(mu) = false;
};

struct StudyData {
  Study study;
  TrialTable trials;
  std::shared_ptr<StudyLock> lock = std::make_shared<StudyLock>();
};

struct TrialLocation {
  int64_t study_id = 0;
  int64_t number = 0;
};

// Transactions run their callbacks without `mu` and take it only to read
// committed trials and, exclusively, to publish.
// Lock order: a StudyLock before `mu`.
struct Tables {
  absl::Mutex mu;
  // By id, so that listing in id order is a walk. A StudyData does not
  // move while it exists, and it is erased only under its StudyLock, so a
  // transaction holding that lock may keep a reference to it.
  std::map<int64_t, StudyData> studies ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<std::string, int64_t> study_ids_by_name
      ABSL_GUARDED_BY(mu);
  // Committed trials only.
  absl::flat_hash_map<int64_t, TrialLocation> trial_locations
      ABSL_GUARDED_BY(mu);
  int64_t last_study_id ABSL_GUARDED_BY(mu) = 0;
  // Ids of rolled-back trials are not reused.
  int64_t last_trial_id ABSL_GUARDED_BY(mu) = 0;
};

}  // namespace knob::memory_internal

#endif  // KNOB_SERVER_STORAGE_MEMORY_TABLES_H_

// What the dashboard reads from Storage, as API protos: the study list, a
// study, and a snapshot of a study's trials.
//
// The trial table, the charts and the report read every trial of a study
// on each request, and the page asks again every few seconds while a
// study runs. Reading 100,000 trials from PostgreSQL takes seconds, so a
// study's trials are kept from one request to the next and refreshed with
// only the trials changed since the sequence last seen (Storage's
// changed_since), which makes a poll of an idle study one small query.
// The study list reads no trials at all: counts come from the database,
// and it is handed whatever snapshot is kept, current or not.
//
// Thread safety: every method may be called concurrently. Snapshots are
// immutable and shared; a refresh never changes one a caller holds.
#ifndef KNOB_SERVER_DASHBOARD_STUDY_READER_H_
#define KNOB_SERVER_DASHBOARD_STUDY_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "knob/v1/study.pb.h"
#include "knob/v1/trial.pb.h"
#include "server/dashboard/study_json.h"
#include "server/model/study.h"
#include "server/storage/storage.h"

namespace knob::dashboard {

// A study and all its trials as of its `study.sequence()` (or later).
struct StudySnapshot {
  v1::Study study;
  // The study as stored, for what works on domain types (importance).
  Study stored;
  // By number; shared with later snapshots of the same study.
  std::vector<std::shared_ptr<const v1::Trial>> trials;
  // The same trials as the payload builders take them.
  std::vector<const v1::Trial*> view;

  TrialSpan span() const { return view; }
};

// A study as listed: current, with its trial counts.
struct ListedStudy {
  v1::Study study;
  // The latest snapshot of its trials, as of `kept->study.sequence()`,
  // which is older than `study.sequence()` when trials changed since;
  // null when its trials were never read.
  std::shared_ptr<const StudySnapshot> kept;
};

class StudyReader {
 public:
  // `storage` must outlive the reader.
  explicit StudyReader(Storage& storage);

  StudyReader(const StudyReader&) = delete;
  StudyReader& operator=(const StudyReader&) = delete;

  // Every study, by id, with its current trial counts and the snapshot
  // kept of its trials, without reading any trial. Counts are read again
  // only for studies whose sequence moved since the last list. Forgets the
  // snapshots and counts of deleted studies. Storage errors pass through.
  absl::StatusOr<std::vector<ListedStudy>> ListStudies();

  // The named study with its current trials; NOT_FOUND saying
  // `study "NAME" not found`; storage errors pass through.
  absl::StatusOr<std::shared_ptr<const StudySnapshot>> ReadStudy(
      const std::string& name);
  // The same by id; NOT_FOUND when it was deleted.
  absl::StatusOr<std::shared_ptr<const StudySnapshot>> ReadStudyById(
      int64_t study_id);

 private:
  // One study's latest snapshot. `refresh_mu` serializes refreshes of that
  // study, so concurrent polls read the changes once; `mu` only guards the
  // pointer, so the list never waits for a refresh.
  struct Entry {
    absl::Mutex refresh_mu;
    absl::Mutex mu ABSL_ACQUIRED_AFTER(refresh_mu);
    std::shared_ptr<const StudySnapshot> snapshot ABSL_GUARDED_BY(mu);
    // The trial counts as of a sequence: a study's counts change only with
    // its sequence, and the page lists every study every 2 s.
    std::optional<std::pair<int64_t, TrialCounts>> counts ABSL_GUARDED_BY(mu);
  };

  absl::StatusOr<std::shared_ptr<const StudySnapshot>> Refresh(
      const Study& study);
  std::shared_ptr<Entry> EntryFor(int64_t study_id);
  // The study's trial counts, read again only when its sequence moved.
  absl::StatusOr<TrialCounts> CountsAt(const Study& study);
  // The study's snapshot, or null.
  std::shared_ptr<const StudySnapshot> Kept(int64_t study_id);

  Storage& storage_;
  absl::Mutex mu_;
  absl::flat_hash_map<int64_t, std::shared_ptr<Entry>> entries_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace knob::dashboard

#endif  // KNOB_SERVER_DASHBOARD_STUDY_READER_H_

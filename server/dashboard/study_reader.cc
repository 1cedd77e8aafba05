#include "server/dashboard/study_reader.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "server/api/convert.h"
#include "server/util/status_macros.h"

namespace knob::dashboard {
namespace {

// Large pages: a first read of a big study is dominated by round trips.
constexpr int kTrialPageSize = 10000;
constexpr int kStudyPageSize = 1000;

}  // namespace

StudyReader::StudyReader(Storage& storage) : storage_(storage) {}

absl::StatusOr<std::vector<ListedStudy>> StudyReader::ListStudies() {
  std::vector<ListedStudy> studies;
  absl::flat_hash_set<int64_t> listed;
  StudyQuery query;
  query.page_size = kStudyPageSize;
  do {
    ASSIGN_OR_RETURN(Page<Study> page, storage_.ListStudies(query));
    for (const Study& study : page.items) {
      // Listed studies come without their sampler state, which the
      // dashboard never shows.
      absl::StatusOr<TrialCounts> counts = CountsAt(study);
      // Deleted since it was listed.
      if (absl::IsNotFound(counts.status())) continue;
      RETURN_IF_ERROR(counts.status());
      ListedStudy& entry = studies.emplace_back();
      api::ToProto(StudyInfo{study, *counts}, &entry.study);
      entry.kept = Kept(study.id);
      listed.insert(study.id);
    }
    query.page_token = std::move(page.next_page_token);
  } while (!query.page_token.empty());
  // Deleted studies' trials are not kept.
  absl::MutexLock lock(&mu_);
  absl::erase_if(entries_, [&listed](const auto& entry) {
    return !listed.contains(entry.first);
  });
  return studies;
}

absl::StatusOr<TrialCounts> StudyReader::CountsAt(const Study& study) {
  std::shared_ptr<Entry> entry = EntryFor(study.id);
  {
    absl::MutexLock lock(&entry->mu);
    if (entry->counts.has_value() && entry->counts->first == study.sequence) {
      return entry->counts->second;
    }
  }
  ASSIGN_OR_RETURN(TrialCounts counts, storage_.CountTrials(study.id));
  absl::MutexLock lock(&entry->mu);
  // Counted after the study was listed, so possibly at a later sequence:
  // kept under the listed one, they are read again on the next list.
  entry->counts = std::pair(study.sequence, counts);
  return counts;
}

absl::StatusOr<std::shared_ptr<const StudySnapshot>> StudyReader::ReadStudy(
    const std::string& name) {
  absl::StatusOr<Study> study = storage_.GetStudyByName(name);
  if (absl::IsNotFound(study.status())) {
    return absl::NotFoundError(absl::StrCat("study \"", name, "\" not found"));
  }
  RETURN_IF_ERROR(study.status());
  return Refresh(*study);
}

absl::StatusOr<std::shared_ptr<const StudySnapshot>> StudyReader::ReadStudyById(
    int64_t study_id) {
  ASSIGN_OR_RETURN(Study study, storage_.GetStudy(study_id));
  return Refresh(study);
}

std::shared_ptr<const StudySnapshot> StudyReader::Kept(int64_t study_id) {
  std::shared_ptr<Entry> entry;
  {
    absl::MutexLock lock(&mu_);
    const auto found = entries_.find(study_id);
    if (found == entries_.end()) return nullptr;
    entry = found->second;
  }
  absl::MutexLock lock(&entry->mu);
  return entry->snapshot;
}

std::shared_ptr<StudyReader::Entry> StudyReader::EntryFor(int64_t study_id) {
  absl::MutexLock lock(&mu_);
  std::shared_ptr<Entry>& entry = entries_[study_id];
  if (entry == nullptr) entry = std::make_shared<Entry>();
  return entry;
}

absl::StatusOr<std::shared_ptr<const StudySnapshot>> StudyReader::Refresh(
    const Study& study) {
  std::shared_ptr<Entry> entry = EntryFor(study.id);
  absl::MutexLock refresh_lock(&entry->refresh_mu);
  std::shared_ptr<const StudySnapshot> cached;
  {
    absl::MutexLock lock(&entry->mu);
    cached = entry->snapshot;
  }
  if (cached != nullptr && cached->study.sequence() == study.sequence) {
    return cached;
  }
  // The counts are read after the study, the trials after the counts: a
  // change committed in between makes them newer than study.sequence,
  // never older, and the next refresh reads that change again.
  ASSIGN_OR_RETURN(TrialCounts counts, storage_.CountTrials(study.id));
  auto snapshot = std::make_shared<StudySnapshot>();
  api::ToProto(StudyInfo{study, counts}, &snapshot->study);
  snapshot->stored = study;
  TrialQuery query;
  query.study_id = study.id;
  query.page_size = kTrialPageSize;
  if (cached != nullptr) {
    snapshot->trials = cached->trials;
    query.changed_since = cached->study.sequence();
  }
  do {
    ASSIGN_OR_RETURN(Page<Trial> page, storage_.ListTrials(query));
    for (const Trial& trial : page.items) {
      auto proto = std::make_shared<v1::Trial>();
      api::ToProto(trial, proto.get());
      const size_t number = static_cast<size_t>(trial.number);
      if (number >= snapshot->trials.size()) {
        snapshot->trials.resize(number + 1);
      }
      snapshot->trials[number] = std::move(proto);
    }
    query.page_token = std::move(page.next_page_token);
  } while (!query.page_token.empty());
  snapshot->view.reserve(snapshot->trials.size());
  for (const std::shared_ptr<const v1::Trial>& trial : snapshot->trials) {
    // Numbers are dense; a gap would be a trial created after the listing
    // began, which the next refresh brings.
    if (trial != nullptr) snapshot->view.push_back(trial.get());
  }
  absl::MutexLock lock(&entry->mu);
  entry->snapshot = snapshot;
  return snapshot;
}

}  // namespace knob::dashboard

#include "server/storage/memory/memory_storage.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/storage/memory/memory_transaction.h"
#include "server/storage/memory/tables.h"
#include "server/storage/memory/trial_table.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

using memory_internal::MemoryTransaction;
using memory_internal::StudyData;
using memory_internal::StudyLock;
using memory_internal::Tables;
using memory_internal::TrialTable;

absl::Status StudyNotFound(int64_t study_id) {
  return absl::NotFoundError(absl::StrCat("study ", study_id, " not found"));
}

absl::Status TrialNotFound(int64_t trial_id) {
  return absl::NotFoundError(absl::StrCat("trial ", trial_id, " not found"));
}

// A page token is the key (study id or trial number) of the first item of
// the next page.
std::string MakePageToken(int64_t next_key) { return absl::StrCat(next_key); }

absl::StatusOr<int64_t> ParsePageToken(const std::string& token) {
  if (token.empty()) return 0;
  int64_t key = 0;
  if (!absl::SimpleAtoi(token, &key) || key < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page_token \"", token, "\" is not a token this storage returned"));
  }
  return key;
}

absl::Status CheckPageSize(int page_size) {
  if (page_size > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("page_size must be positive, got ", page_size));
}

class MemoryStorage final : public Storage {
 public:
  absl::StatusOr<Study> CreateStudy(
      const std::string& name, const StudyConfig& config,
      const std::map<std::string, std::string>& metadata,
      absl::Time now) override {
    absl::MutexLock lock(&tables_.mu);
    if (tables_.study_ids_by_name.contains(name)) {
      return absl::AlreadyExistsError(
          absl::StrCat("a study named \"", name, "\" already exists"));
    }
    Study study;
    study.id = ++tables_.last_study_id;
    study.name = name;
    study.config = config;
    study.metadata = metadata;
    study.create_time = now;
    study.update_time = now;
    tables_.study_ids_by_name[name] = study.id;
    tables_.studies[study.id].study = study;
    return study;
  }

  absl::StatusOr<Study> GetStudy(int64_t study_id) override {
    absl::ReaderMutexLock lock(&tables_.mu);
    auto it = tables_.studies.find(study_id);
    if (it == tables_.studies.end()) return StudyNotFound(study_id);
    return it->second.study;
  }

  absl::StatusOr<Study> GetStudyByName(const std::string& name) override {
    absl::ReaderMutexLock lock(&tables_.mu);
    auto it = tables_.study_ids_by_name.find(name);
    if (it == tables_.study_ids_by_name.end()) {
      return absl::NotFoundError(absl::StrCat("no study named \"", name, "\""));
    }
    return tables_.studies.at(it->second).study;
  }

  absl::StatusOr<Page<Study>> ListStudies(const StudyQuery& query) override {
    RETURN_IF_ERROR(CheckPageSize(query.page_size));
    ASSIGN_OR_RETURN(const int64_t first_id, ParsePageToken(query.page_token));
    Page<Study> page;
    absl::ReaderMutexLock lock(&tables_.mu);
    for (auto it = tables_.studies.lower_bound(first_id);
         it != tables_.studies.end(); ++it) {
      const Study& study = it->second.study;
      if (query.state.has_value() && study.state != *query.state) continue;
      if (static_cast<int>(page.items.size()) == query.page_size) {
        page.next_page_token = MakePageToken(study.id);
        break;
      }
      page.items.push_back(study);
      page.items.back().sampler_state.clear();
    }
    return page;
  }

  absl::StatusOr<TrialCounts> CountTrials(int64_t study_id) override {
    absl::ReaderMutexLock lock(&tables_.mu);
    auto it = tables_.studies.find(study_id);
    if (it == tables_.studies.end()) return StudyNotFound(study_id);
    return it->second.trials.counts();
  }

  absl::Status DeleteStudy(int64_t study_id) override {
    ASSIGN_OR_RETURN(std::shared_ptr<StudyLock> study_lock, LockOf(study_id));
    // Waits for a running transaction, as a row lock would.
    absl::MutexLock hold(&study_lock->mu);
    if (study_lock->deleted) return StudyNotFound(study_id);
    absl::MutexLock lock(&tables_.mu);
    auto it = tables_.studies.find(study_id);
    const TrialTable& trials = it->second.trials;
    for (int64_t number = 0; number < trials.size(); ++number) {
      tables_.trial_locations.erase(trials.at(number).id);
    }
    tables_.study_ids_by_name.erase(it->second.study.name);
    tables_.studies.erase(it);
    study_lock->deleted = true;
    return absl::OkStatus();
  }

  absl::Status Transact(
      int64_t study_id,
      absl::FunctionRef<absl::Status(StudyTransaction&)> fn) override {
    ASSIGN_OR_RETURN(std::shared_ptr<StudyLock> study_lock, LockOf(study_id));
    absl::MutexLock hold(&study_lock->mu);
    if (study_lock->deleted) return StudyNotFound(study_id);
    StudyData* data = nullptr;
    Study study;
    {
      absl::ReaderMutexLock lock(&tables_.mu);
      data = &tables_.studies.at(study_id);
      study = data->study;
    }
    MemoryTransaction transaction(tables_, *data, std::move(study));
    RETURN_IF_ERROR(fn(transaction));
    if (!transaction.changed()) return absl::OkStatus();
    transaction.Commit();
    return absl::OkStatus();
  }

  absl::StatusOr<Trial> GetTrial(int64_t trial_id) override {
    absl::ReaderMutexLock lock(&tables_.mu);
    auto it = tables_.trial_locations.find(trial_id);
    if (it == tables_.trial_locations.end()) return TrialNotFound(trial_id);
    return tables_.studies.at(it->second.study_id).trials.at(it->second.number);
  }

  absl::StatusOr<int64_t> StudyOfTrial(int64_t trial_id) override {
    absl::ReaderMutexLock lock(&tables_.mu);
    auto it = tables_.trial_locations.find(trial_id);
    if (it == tables_.trial_locations.end()) return TrialNotFound(trial_id);
    return it->second.study_id;
  }

  absl::StatusOr<Page<Trial>> ListTrials(const TrialQuery& query) override {
    RETURN_IF_ERROR(CheckPageSize(query.page_size));
    ASSIGN_OR_RETURN(const int64_t first_number,
                     ParsePageToken(query.page_token));
    absl::ReaderMutexLock lock(&tables_.mu);
    auto it = tables_.studies.find(query.study_id);
    if (it == tables_.studies.end()) return StudyNotFound(query.study_id);
    const TrialTable& trials = it->second.trials;
    Page<Trial> page;
    // Returns false once the page is full and another match exists.
    auto offer = [&](const Trial& trial) {
      if (trial.sequence <= query.changed_since) return true;
      if (!query.states.empty() &&
          std::find(query.states.begin(), query.states.end(), trial.state) ==
              query.states.end()) {
        return true;
      }
      if (static_cast<int>(page.items.size()) == query.page_size) {
        page.next_page_token = MakePageToken(trial.number);
        return false;
      }
      page.items.push_back(trial);
      return true;
    };
    if (query.changed_since > 0) {
      // Incremental readers ask for few trials out of a long history.
      for (int64_t number : trials.ChangedSince(query.changed_since)) {
        if (number >= first_number && !offer(trials.at(number))) break;
      }
    } else {
      for (int64_t number = first_number; number < trials.size(); ++number) {
        if (!offer(trials.at(number))) break;
      }
    }
    return page;
  }

  absl::StatusOr<std::vector<int64_t>> StudiesWithExpiredLeases(
      absl::Time now) override {
    std::vector<int64_t> study_ids;
    absl::ReaderMutexLock lock(&tables_.mu);
    for (const auto& [id, data] : tables_.studies) {
      if (data.trials.AnyLeaseExpiredBefore(now)) study_ids.push_back(id);
    }
    return study_ids;
  }

 private:
  absl::StatusOr<std::shared_ptr<StudyLock>> LockOf(int64_t study_id) {
    absl::ReaderMutexLock lock(&tables_.mu);
    auto it = tables_.studies.find(study_id);
    if (it == tables_.studies.end()) return StudyNotFound(study_id);
    return it->second.lock;
  }

  Tables tables_;
};

}  // namespace

std::unique_ptr<Storage> CreateMemoryStorage() {
  return std::make_unique<MemoryStorage>();
}

}  // namespace knob

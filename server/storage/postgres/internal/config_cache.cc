#include "server/storage/postgres/internal/config_cache.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/storage/postgres/study_config_json.h"

namespace knob::postgres_internal {

absl::StatusOr<std::shared_ptr<const StudyConfig>> ConfigCache::Get(
    int64_t study_id, absl::FunctionRef<std::string()> read_json) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = configs_.find(study_id);
    if (it != configs_.end()) return it->second;
  }
  absl::StatusOr<StudyConfig> config = ParseStudyConfigJson(read_json());
  if (!config.ok()) {
    return absl::InternalError(
        absl::StrCat("study ", study_id,
                     " has an unreadable config: ", config.status().message()));
  }
  auto shared = std::make_shared<const StudyConfig>(*std::move(config));
  absl::MutexLock lock(&mu_);
  return configs_.try_emplace(study_id, std::move(shared)).first->second;
}

void ConfigCache::Put(int64_t study_id, const StudyConfig& config) {
  auto shared = std::make_shared<const StudyConfig>(config);
  absl::MutexLock lock(&mu_);
  configs_.insert_or_assign(study_id, std::move(shared));
}

void ConfigCache::Erase(int64_t study_id) {
  absl::MutexLock lock(&mu_);
  configs_.erase(study_id);
}

}  // namespace knob::postgres_internal

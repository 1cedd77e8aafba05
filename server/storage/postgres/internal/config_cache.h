// Decoded study configs by study id. A config never changes after its
// study is created, so each is parsed from knob.study.config once per
// process rather than on every transaction.
//
// Thread-safe.
#ifndef KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_CONFIG_CACHE_H_
#define KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_CONFIG_CACHE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/model/study.h"

namespace knob::postgres_internal {

class ConfigCache {
 public:
  // The config of `study_id`; on a miss, parses what `read_json` returns
  // (which may throw: it usually queries the database). INTERNAL if the
  // stored JSON is not a config.
  absl::StatusOr<std::shared_ptr<const StudyConfig>> Get(
      int64_t study_id, absl::FunctionRef<std::string()> read_json);

  // Remembers a config just stored.
  void Put(int64_t study_id, const StudyConfig& config);

  // Forgets a deleted study.
  void Erase(int64_t study_id);

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<int64_t, std::shared_ptr<const StudyConfig>> configs_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_CONFIG_CACHE_H_

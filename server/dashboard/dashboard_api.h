// The dashboard's JSON API without its transport: each method answers one
// endpoint (see docs/dashboard.md) with the document to send, or a status
// the HTTP layer turns into an error document: NOT_FOUND for an unknown
// study or trial, INVALID_ARGUMENT naming a bad query parameter, storage
// errors as they come.
//
// Two answers would take seconds on a large study, longer than a page
// should wait: a study's best value in the studies list (it needs every
// trial) and parameter importances (fitting a forest). Both are worked out
// in the background; the answer says so ("best_pending", "computing") and
// a later poll has the result.
//
// Thread safety: every method may be called concurrently.
#ifndef KNOB_SERVER_DASHBOARD_DASHBOARD_API_H_
#define KNOB_SERVER_DASHBOARD_DASHBOARD_API_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "nlohmann/json.hpp"
#include "server/dashboard/background_queue.h"
#include "server/dashboard/study_reader.h"
#include "server/storage/storage.h"

namespace knob::dashboard {

// URL query parameters, decoded.
using QueryParams = std::map<std::string, std::string>;

class DashboardApi {
 public:
  // `storage` must outlive the API.
  explicit DashboardApi(Storage& storage);
  // Cancels an importance computation under way rather than waiting for it.
  ~DashboardApi();

  DashboardApi(const DashboardApi&) = delete;
  DashboardApi& operator=(const DashboardApi&) = delete;

  // GET /api/studies. Reads no trials: a best value not yet known for the
  // study's current sequence is the last one known (or null) with
  // "best_pending": true, and the study's trials are read in the
  // background.
  absl::StatusOr<nlohmann::json> Studies();
  // GET /api/studies/{name}
  absl::StatusOr<nlohmann::json> Study(const std::string& name);
  // GET /api/studies/{name}/trials?offset&limit&sort&order&state
  absl::StatusOr<nlohmann::json> Trials(const std::string& name,
                                        const QueryParams& params);
  // GET /api/studies/{name}/trials/{number}; INVALID_ARGUMENT naming
  // "number" when it is not a trial number.
  absl::StatusOr<nlohmann::json> Trial(const std::string& name,
                                       const std::string& number);
  // GET /api/studies/{name}/plots?max_points
  absl::StatusOr<nlohmann::json> Plots(const std::string& name,
                                       const QueryParams& params);
  // GET /api/studies/{name}/importance: the first objective's fANOVA
  // importances, or an empty list with the reason while they cannot be
  // computed (too few completed trials). Until they are computed for the
  // study's current sequence, the last ones computed (or an empty list)
  // with "computing": true, and the computation runs in the background.
  absl::StatusOr<nlohmann::json> Importance(const std::string& name);

 private:
  // A study's importances as of one sequence: the answer only changes
  // with the trials.
  struct CachedImportance {
    int64_t sequence = -1;
    nlohmann::json document;
  };

  // Background work: brings the study's snapshot up to date.
  void ReadTrials(int64_t study_id);
  // Background work: importances for the study's current snapshot.
  void UpdateImportance(int64_t study_id);
  absl::StatusOr<nlohmann::json> ComputeImportance(
      const StudySnapshot& snapshot);

  Storage& storage_;
  StudyReader reader_;
  absl::Mutex importance_mu_;
  absl::flat_hash_map<int64_t, CachedImportance> importance_
      ABSL_GUARDED_BY(importance_mu_);
  // Set by the destructor; stops a forest being fitted.
  std::atomic<bool> stopping_ = false;
  // Separate queues: a forest fitted for one study must not hold up the
  // best values of the list. Declared last so that they stop before what
  // their tasks use goes away.
  BackgroundQueue trial_reads_;
  BackgroundQueue importance_work_;
};

}  // namespace knob::dashboard

#endif  // KNOB_SERVER_DASHBOARD_DASHBOARD_API_H_

#include "server/dashboard/dashboard_api.h"

#include <iterator>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/dashboard/plots_json.h"
#include "server/dashboard/study_json.h"
#include "server/dashboard/trial_table.h"
#include "server/importance/param_importance.h"
#include "server/observability/log.h"
#include "server/util/status_macros.h"

namespace knob::dashboard {
namespace {

using nlohmann::json;

// The most points a client may ask the charts for: beyond this a browser
// draws too slowly to be of use.
constexpr int64_t kMaxPlotPoints = 200000;

absl::StatusOr<size_t> MaxPoints(const QueryParams& params) {
  const auto it = params.find("max_points");
  if (it == params.end()) return static_cast<size_t>(kDefaultMaxPoints);
  int64_t value = 0;
  if (!absl::SimpleAtoi(it->second, &value) || value < 1 ||
      value > kMaxPlotPoints) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_points: expected an integer from 1 to ",
                     kMaxPlotPoints, ", got \"", it->second, "\""));
  }
  return static_cast<size_t>(value);
}

absl::StatusOr<std::vector<knob::Trial>> CompletedTrials(Storage& storage,
                                                         int64_t study_id) {
  TrialQuery query;
  query.study_id = study_id;
  query.states = {TrialState::kCompleted};
  query.page_size = 10000;
  std::vector<knob::Trial> trials;
  do {
    ASSIGN_OR_RETURN(Page<knob::Trial> page, storage.ListTrials(query));
    std::move(page.items.begin(), page.items.end(), std::back_inserter(trials));
    query.page_token = std::move(page.next_page_token);
  } while (!query.page_token.empty());
  return trials;
}

}  // namespace

DashboardApi::DashboardApi(Storage& storage)
    : storage_(storage), reader_(storage) {}

DashboardApi::~DashboardApi() { stopping_ = true; }

absl::StatusOr<json> DashboardApi::Studies() {
  ASSIGN_OR_RETURN(std::vector<ListedStudy> studies, reader_.ListStudies());
  json list = json::array();
  for (const ListedStudy& listed : studies) {
    json entry = StudySummaryJson(listed.study, TrialSpan());
    bool pending = false;
    // Without a completed trial, or with several objectives, there is no
    // single best to look for among the trials.
    if (listed.study.config().objectives_size() == 1 &&
        listed.study.trial_counts().completed() > 0) {
      const StudySnapshot* kept = listed.kept.get();
      entry["best_values"] = kept == nullptr
                                 ? json(nullptr)
                                 : BestValuesJson(kept->study, kept->span());
      pending =
          kept == nullptr || kept->study.sequence() < listed.study.sequence();
    }
    entry["best_pending"] = pending;
    if (pending) {
      const int64_t id = listed.study.id();
      trial_reads_.Schedule(absl::StrCat(id), [this, id] { ReadTrials(id); });
    }
    list.push_back(std::move(entry));
  }
  return json{{"studies", std::move(list)}};
}

void DashboardApi::ReadTrials(int64_t study_id) {
  const absl::StatusOr<std::shared_ptr<const StudySnapshot>> snapshot =
      reader_.ReadStudyById(study_id);
  // A study deleted meanwhile leaves nothing to read.
  if (!snapshot.ok() && !absl::IsNotFound(snapshot.status())) {
    Log(LogLevel::kError, "dashboard cannot read a study's trials",
        {{"study_id", absl::StrCat(study_id)},
         {"error", snapshot.status().ToString()}});
  }
}

absl::StatusOr<json> DashboardApi::Study(const std::string& name) {
  ASSIGN_OR_RETURN(std::shared_ptr<const StudySnapshot> snapshot,
                   reader_.ReadStudy(name));
  return StudyDetailJson(snapshot->study, snapshot->span());
}

absl::StatusOr<json> DashboardApi::Trials(const std::string& name,
                                          const QueryParams& params) {
  ASSIGN_OR_RETURN(std::shared_ptr<const StudySnapshot> snapshot,
                   reader_.ReadStudy(name));
  ASSIGN_OR_RETURN(TrialTableQuery query,
                   ParseTrialTableQuery(params, snapshot->study.config()));
  return TrialPageJson(snapshot->span(), query);
}

absl::StatusOr<json> DashboardApi::Trial(const std::string& name,
                                         const std::string& number) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(number, &value) || value < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("number: expected a trial number, got \"", number, "\""));
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const StudySnapshot> snapshot,
                   reader_.ReadStudy(name));
  // Trials are numbered densely from 0, so the number is the index.
  if (value >= static_cast<int64_t>(snapshot->trials.size()) ||
      snapshot->trials[value] == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("trial ", value, " of study \"", name, "\" not found"));
  }
  return TrialDetailJson(*snapshot->trials[value]);
}

absl::StatusOr<json> DashboardApi::Plots(const std::string& name,
                                         const QueryParams& params) {
  ASSIGN_OR_RETURN(size_t max_points, MaxPoints(params));
  ASSIGN_OR_RETURN(std::shared_ptr<const StudySnapshot> snapshot,
                   reader_.ReadStudy(name));
  return PlotsJson(snapshot->study, snapshot->span(), max_points);
}

absl::StatusOr<json> DashboardApi::Importance(const std::string& name) {
  ASSIGN_OR_RETURN(std::shared_ptr<const StudySnapshot> snapshot,
                   reader_.ReadStudy(name));
  const int64_t id = snapshot->study.id();
  json document = ImportanceUnavailableJson("computing parameter importances");
  {
    absl::MutexLock lock(&importance_mu_);
    const auto cached = importance_.find(id);
    if (cached != importance_.end()) {
      if (cached->second.sequence >= snapshot->study.sequence()) {
        return cached->second.document;
      }
      document = cached->second.document;
    }
  }
  importance_work_.Schedule(absl::StrCat(id),
                            [this, id] { UpdateImportance(id); });
  document["computing"] = true;
  return document;
}

void DashboardApi::UpdateImportance(int64_t study_id) {
  const absl::StatusOr<std::shared_ptr<const StudySnapshot>> snapshot =
      reader_.ReadStudyById(study_id);
  if (absl::IsNotFound(snapshot.status())) return;
  absl::StatusOr<json> document = snapshot.ok()
                                      ? ComputeImportance(**snapshot)
                                      : absl::StatusOr<json>(snapshot.status());
  if (absl::IsCancelled(document.status())) return;
  if (!document.ok()) {
    Log(LogLevel::kError, "dashboard cannot compute parameter importances",
        {{"study_id", absl::StrCat(study_id)},
         {"error", document.status().ToString()}});
    // Not cached: the page's next poll tries again.
    return;
  }
  absl::MutexLock lock(&importance_mu_);
  importance_[study_id] =
      CachedImportance{(*snapshot)->study.sequence(), *std::move(document)};
}

absl::StatusOr<json> DashboardApi::ComputeImportance(
    const StudySnapshot& snapshot) {
  ASSIGN_OR_RETURN(std::vector<knob::Trial> trials,
                   CompletedTrials(storage_, snapshot.study.id()));
  importance::ForestOptions forest;
  // Seeded as the GetParamImportances RPC seeds it, so both agree.
  forest.seed = snapshot.stored.config.seed;
  forest.cancelled = &stopping_;
  absl::StatusOr<importance::ImportanceReport> report =
      importance::ComputeParamImportances(snapshot.stored.config, trials,
                                          importance::ImportanceQuery{},
                                          forest);
  if (absl::IsFailedPrecondition(report.status())) {
    return ImportanceUnavailableJson(std::string(report.status().message()));
  }
  RETURN_IF_ERROR(report.status());
  v1::GetParamImportancesResponse response;
  for (const importance::ParamImportance& entry : report->importances) {
    v1::ParamImportance* proto = response.add_importances();
    proto->set_parameter(entry.parameter);
    proto->set_importance(entry.importance);
  }
  response.set_trial_count(report->trial_count);
  return ImportanceJson(response);
}

}  // namespace knob::dashboard

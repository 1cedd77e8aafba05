#include "server/importance/param_importance.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/importance/fanova.h"
#include "server/importance/parameter_features.h"
#include "server/util/status_macros.h"

namespace knob::importance {
namespace {

absl::Status CheckObjectiveIndex(const StudyConfig& config, int index) {
  const int objectives = static_cast<int>(config.objectives.size());
  if (index < 0 || index >= objectives) {
    return absl::InvalidArgumentError(
        absl::StrCat("objective_index: must be between 0 and ", objectives - 1,
                     " (the study has ", objectives, " objective",
                     objectives == 1 ? "" : "s", "), got ", index));
  }
  return absl::OkStatus();
}

// The listed names as a set; INVALID_ARGUMENT for an unknown or repeated
// name.
absl::StatusOr<std::set<std::string>> ListedParameters(
    const StudyConfig& config, const std::vector<std::string>& names) {
  std::set<std::string> known;
  for (const ParameterSpec& spec : config.parameters) known.insert(spec.name);
  std::set<std::string> listed;
  for (const std::string& name : names) {
    if (!known.contains(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "parameters: the study has no parameter \"", name, "\""));
    }
    if (!listed.insert(name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameters: \"", name, "\" is listed twice"));
    }
  }
  return listed;
}

bool HasAll(const Trial& trial, const std::set<std::string>& names) {
  return std::all_of(names.begin(), names.end(), [&](const std::string& name) {
    return trial.params.contains(name);
  });
}

// What the forest learns from: the assessed parameters and the trials in
// which all of them are active.
struct Selection {
  std::vector<const ParameterSpec*> parameters;
  std::vector<const Trial*> trials;
};

absl::StatusOr<Selection> Select(const StudyConfig& config,
                                 absl::Span<const Trial> trials,
                                 const ImportanceQuery& query) {
  std::vector<const Trial*> completed;
  for (const Trial& trial : trials) {
    if (trial.state == TrialState::kCompleted &&
        static_cast<int>(trial.values.size()) > query.objective_index) {
      completed.push_back(&trial);
    }
  }
  Selection selection;
  if (query.parameters.empty()) {
    for (const ParameterSpec& spec : config.parameters) {
      const bool everywhere = std::all_of(
          completed.begin(), completed.end(), [&](const Trial* trial) {
            return trial->params.contains(spec.name);
          });
      if (everywhere) selection.parameters.push_back(&spec);
    }
    selection.trials = std::move(completed);
    if (selection.trials.size() < 2) {
      return absl::FailedPreconditionError(absl::StrCat(
          "parameter importance needs at least 2 completed trials; the study "
          "has ",
          selection.trials.size()));
    }
    return selection;
  }
  ASSIGN_OR_RETURN(std::set<std::string> listed,
                   ListedParameters(config, query.parameters));
  for (const ParameterSpec& spec : config.parameters) {
    if (listed.contains(spec.name)) selection.parameters.push_back(&spec);
  }
  for (const Trial* trial : completed) {
    if (HasAll(*trial, listed)) selection.trials.push_back(trial);
  }
  if (selection.trials.size() < 2) {
    return absl::FailedPreconditionError(absl::StrCat(
        "parameter importance needs at least 2 completed trials in which "
        "every listed parameter is active; ",
        selection.trials.size(), " of the study's ", completed.size(),
        " completed trials are"));
  }
  return selection;
}

// The forest's training data: one feature per selected parameter that can
// take more than one value, one row per selected trial.
struct EncodedTrials {
  TrainingSet data;
  // The parameter of each feature.
  std::vector<const ParameterSpec*> parameters;
};

absl::StatusOr<EncodedTrials> Encode(const Selection& selection,
                                     int objective_index) {
  EncodedTrials encoded;
  for (const ParameterSpec* spec : selection.parameters) {
    const std::optional<FeatureSpace> feature = ParameterFeature(spec->domain);
    if (!feature) continue;
    std::vector<double> column;
    column.reserve(selection.trials.size());
    for (const Trial* trial : selection.trials) {
      ASSIGN_OR_RETURN(
          double value,
          FeatureValue(spec->domain, *feature, trial->params.at(spec->name)));
      column.push_back(value);
    }
    encoded.parameters.push_back(spec);
    encoded.data.features.push_back(*feature);
    encoded.data.columns.push_back(std::move(column));
  }
  for (const Trial* trial : selection.trials) {
    encoded.data.targets.push_back(trial->values[objective_index]);
  }
  return encoded;
}

}  // namespace

absl::StatusOr<ImportanceReport> ComputeParamImportances(
    const StudyConfig& config, absl::Span<const Trial> trials,
    const ImportanceQuery& query, const ForestOptions& forest) {
  RETURN_IF_ERROR(CheckObjectiveIndex(config, query.objective_index));
  ASSIGN_OR_RETURN(Selection selection, Select(config, trials, query));
  ASSIGN_OR_RETURN(EncodedTrials encoded,
                   Encode(selection, query.objective_index));
  const std::vector<const ParameterSpec*>& features = encoded.parameters;

  ImportanceReport report;
  report.trial_count = static_cast<int64_t>(selection.trials.size());
  std::vector<double> shares(features.size(), 0);
  if (!features.empty()) {
    const std::vector<RegressionTree> trees = FitForest(encoded.data, forest);
    if (forest.cancelled != nullptr && forest.cancelled->load()) {
      return absl::CancelledError("parameter importances: cancelled");
    }
    std::optional<std::vector<double>> main_effects =
        MainEffectShares(trees, encoded.data.features);
    if (!main_effects) {
      return absl::FailedPreconditionError(absl::StrCat(
          "objective \"", config.objectives[query.objective_index].metric,
          "\" does not vary with the parameters over the ", report.trial_count,
          " completed trials; importances are undefined"));
    }
    shares = *std::move(main_effects);
  }
  double total = 0;
  for (double share : shares) total += share;
  for (const ParameterSpec* spec : selection.parameters) {
    const auto feature = std::find(features.begin(), features.end(), spec);
    const double share =
        feature == features.end() ? 0 : shares[feature - features.begin()];
    report.importances.push_back({spec->name, total > 0 ? share / total : 0.0});
  }
  std::stable_sort(report.importances.begin(), report.importances.end(),
                   [](const ParamImportance& a, const ParamImportance& b) {
                     return a.importance > b.importance;
                   });
  return report;
}

}  // namespace knob::importance

#include "server/dashboard/plots_json.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <string>

#include "server/dashboard/objectives.h"

namespace knob::dashboard {
namespace {

using nlohmann::json;

json HistoryJson(const v1::StudyConfig& config, TrialSpan completed) {
  json numbers = json::array();
  json values = json::array();
  for (int i = 0; i < config.objectives_size(); ++i) {
    json column = json::array();
    for (const v1::Trial* trial : completed) {
      column.push_back(trial->values(i));
    }
    values.push_back(std::move(column));
  }
  for (const v1::Trial* trial : completed) numbers.push_back(trial->number());
  json best = json::array();
  if (config.objectives_size() == 1) {
    json column = json::array();
    for (const std::optional<double>& value : BestSoFar(config, completed)) {
      column.push_back(value.has_value() ? json(*value) : json(nullptr));
    }
    best.push_back(std::move(column));
  }
  return {{"number", std::move(numbers)},
          {"values", std::move(values)},
          {"best", std::move(best)}};
}

json PointsJson(const v1::StudyConfig& config, TrialSpan completed,
                size_t max_points) {
  const std::vector<size_t> kept = SamplePoints(config, completed, max_points);
  json numbers = json::array();
  json values = json::array();
  for (int i = 0; i < config.objectives_size(); ++i) {
    json column = json::array();
    for (size_t index : kept) column.push_back(completed[index]->values(i));
    values.push_back(std::move(column));
  }
  json params = json::object();
  for (const v1::ParameterSpec& spec : config.parameters()) {
    json column = json::array();
    for (size_t index : kept) {
      const auto& parameters = completed[index]->parameters();
      const auto value = parameters.find(spec.name());
      column.push_back(value == parameters.end() ? json(nullptr)
                                                 : ValueJson(value->second));
    }
    params[spec.name()] = std::move(column);
  }
  for (size_t index : kept) numbers.push_back(completed[index]->number());
  return {{"number", std::move(numbers)},
          {"values", std::move(values)},
          {"params", std::move(params)},
          {"sampled", kept.size() < completed.size()}};
}

// Reports of the first objective's metric; workers that name no metric
// report the first objective's.
json IntermediateJson(const v1::StudyConfig& config, TrialSpan trials) {
  const std::string metric =
      config.objectives_size() > 0 ? config.objectives(0).metric() : "";
  json numbers = json::array();
  json steps = json::array();
  json values = json::array();
  int curves = 0;
  for (auto trial = trials.rbegin();
       trial != trials.rend() && curves < kMaxLearningCurves; ++trial) {
    std::map<int64_t, double> curve;
    for (const v1::IntermediateValue& report :
         (*trial)->intermediate_values()) {
      if (report.metric().empty() || report.metric() == metric) {
        curve[report.step()] = report.value();
      }
    }
    if (curve.empty()) continue;
    json curve_steps = json::array();
    json curve_values = json::array();
    for (const auto& [step, value] : curve) {
      curve_steps.push_back(step);
      curve_values.push_back(value);
    }
    numbers.push_back((*trial)->number());
    steps.push_back(std::move(curve_steps));
    values.push_back(std::move(curve_values));
    ++curves;
  }
  // Collected newest first; the charts list trials by number.
  std::reverse(numbers.begin(), numbers.end());
  std::reverse(steps.begin(), steps.end());
  std::reverse(values.begin(), values.end());
  return {{"number", std::move(numbers)},
          {"steps", std::move(steps)},
          {"values", std::move(values)}};
}

}  // namespace

std::vector<size_t> SamplePoints(const v1::StudyConfig& config,
                                 TrialSpan candidates, size_t max_points) {
  std::vector<size_t> all(candidates.size());
  std::iota(all.begin(), all.end(), size_t{0});
  if (candidates.size() <= max_points) return all;

  std::vector<bool> kept(candidates.size(), false);
  size_t kept_count = 0;
  if (config.objectives_size() == 1) {
    std::vector<size_t> by_value = all;
    const size_t best_count = std::max<size_t>(1, max_points / 10);
    std::partial_sort(by_value.begin(), by_value.begin() + best_count,
                      by_value.end(), [&](size_t a, size_t b) {
                        return Better(config, 0, candidates[a]->values(0),
                                      candidates[b]->values(0));
                      });
    for (size_t i = 0; i < best_count; ++i) kept[by_value[i]] = true;
    kept_count = best_count;
  } else {
    const std::vector<int64_t> front = ParetoFront(config, candidates);
    for (size_t i = 0; i < candidates.size() && kept_count < max_points; ++i) {
      if (std::binary_search(front.begin(), front.end(),
                             candidates[i]->number())) {
        kept[i] = true;
        ++kept_count;
      }
    }
  }
  // Spread the rest of the budget evenly over the trials not kept yet.
  const size_t rest = candidates.size() - kept_count;
  const size_t budget = max_points - kept_count;
  size_t seen = 0;
  size_t taken = 0;
  for (size_t i = 0; i < candidates.size() && taken < budget; ++i) {
    if (kept[i]) continue;
    // Take the trial when it crosses the next multiple of rest / budget.
    if (seen * budget / rest >= taken) {
      kept[i] = true;
      ++taken;
    }
    ++seen;
  }
  std::vector<size_t> sample;
  sample.reserve(max_points);
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (kept[i]) sample.push_back(i);
  }
  return sample;
}

json PlotsJson(const v1::Study& study, TrialSpan trials, size_t max_points) {
  const v1::StudyConfig& config = study.config();
  std::vector<const v1::Trial*> completed;
  for (const v1::Trial* trial : trials) {
    if (HasValues(config, *trial)) completed.push_back(trial);
  }
  json objectives = json::array();
  for (const v1::Objective& objective : config.objectives()) {
    objectives.push_back({{"name", objective.metric()},
                          {"direction", DirectionName(objective.direction())}});
  }
  json pareto = json::array();
  if (config.objectives_size() > 1) {
    pareto = json(ParetoFront(config, completed));
  }
  return {{"sequence", study.sequence()},
          {"objectives", std::move(objectives)},
          {"params", ParamsJson(config)},
          {"history", HistoryJson(config, completed)},
          {"points", PointsJson(config, completed, max_points)},
          {"intermediate", IntermediateJson(config, trials)},
          {"pareto", {{"numbers", std::move(pareto)}}},
          {"counts", CountsJson(study.trial_counts())}};
}

}  // namespace knob::dashboard

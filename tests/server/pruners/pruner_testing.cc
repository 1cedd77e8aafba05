#include "tests/server/pruners/pruner_testing.h"

#include <algorithm>
#include <utility>

#include "server/pruners/pruner_registry.h"

namespace knob::testing {

StudyConfig LossStudy() {
  StudyConfig config;
  config.objectives = {{.metric = "loss", .direction = Direction::kMinimize}};
  config.extra_metrics = {"acc"};
  config.seed = 7;
  return config;
}

StudyConfig AccuracyStudy() {
  StudyConfig config;
  config.objectives = {{.metric = "acc", .direction = Direction::kMaximize}};
  config.seed = 7;
  return config;
}

absl::StatusOr<std::unique_ptr<Pruner>> MakePruner(
    const StudyConfig& config, const std::string& name,
    const std::map<std::string, ParamValue>& options) {
  return PrunerRegistry().Create(
      config, AlgorithmSpec{.name = name, .options = options});
}

int64_t PrunerHistory::AddTrial(TrialState state,
                                const std::vector<double>& values,
                                const std::string& metric) {
  std::vector<StepValue> points;
  for (size_t step = 0; step < values.size(); ++step) {
    points.push_back({static_cast<int64_t>(step), values[step]});
  }
  return AddTrialWith(state, points, metric);
}

int64_t PrunerHistory::AddTrialWith(TrialState state,
                                    const std::vector<StepValue>& points,
                                    const std::string& metric) {
  Trial& trial = trials_.emplace_back();
  trial.number = static_cast<int64_t>(trials_.size()) - 1;
  trial.id = 1000 + trial.number;
  trial.state = state;
  for (const StepValue& point : points) {
    trial.intermediate_values.push_back(Value(point.step, point.value, metric));
  }
  trial.sequence = ++sequence_;
  return trial.number;
}

void PrunerHistory::SetState(int64_t number, TrialState state) {
  trials_[number].state = state;
  trials_[number].sequence = ++sequence_;
}

IntermediateValue PrunerHistory::Value(int64_t step, double value,
                                       const std::string& metric) const {
  return IntermediateValue{.step = step, .metric = metric, .value = value};
}

absl::StatusOr<PruneDecision> PrunerHistory::Ask(
    Pruner& pruner, int64_t number, int64_t step, double value,
    const std::string& metric) const {
  Trial reported = trials_[number];
  std::erase_if(reported.intermediate_values,
                [&](const IntermediateValue& earlier) {
                  return earlier.step == step && earlier.metric == metric;
                });
  reported.intermediate_values.push_back(Value(step, value, metric));
  std::vector<const Trial*> history;
  for (const Trial& trial : trials_) history.push_back(&trial);
  return pruner.ShouldPrune(PruningContext{config_, history, reported});
}

absl::StatusOr<PruneDecision> PrunerHistory::Report(Pruner& pruner,
                                                    int64_t number,
                                                    int64_t step, double value,
                                                    const std::string& metric) {
  absl::StatusOr<PruneDecision> decision =
      Ask(pruner, number, step, value, metric);
  if (!decision.ok()) return decision;
  IntermediateValue stored = Value(step, value, metric);
  stored.should_prune = decision->prune;
  stored.prune_reason = decision->reason;
  std::vector<IntermediateValue>& values = trials_[number].intermediate_values;
  auto same_point = std::find_if(
      values.begin(), values.end(), [&](const IntermediateValue& earlier) {
        return earlier.step == step && earlier.metric == metric;
      });
  if (same_point != values.end()) {
    *same_point = stored;
  } else {
    values.push_back(stored);
  }
  trials_[number].sequence = ++sequence_;
  return decision;
}

}  // namespace knob::testing

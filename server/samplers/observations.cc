#include "server/samplers/observations.h"

#include <cmath>

#include "server/model/constraints.h"

namespace knob {
namespace {

std::optional<absl::InlinedVector<double, 2>> Losses(const StudyConfig& config,
                                                     const Trial& trial) {
  if (trial.values.size() != config.objectives.size()) return std::nullopt;
  absl::InlinedVector<double, 2> losses;
  losses.reserve(trial.values.size());
  for (size_t i = 0; i < trial.values.size(); ++i) {
    if (!std::isfinite(trial.values[i])) return std::nullopt;
    losses.push_back(AsLoss(config.objectives[i], trial.values[i]));
  }
  return losses;
}

PrunedObservation ObservePruned(const StudyConfig& config, const Trial& trial) {
  PrunedObservation observation{&trial, std::nullopt, std::nullopt};
  const Objective& objective = config.objectives.front();
  // Pruning decisions are made on the first objective's metric; a trial
  // reporting other metrics is judged by its latest value of that one.
  for (const IntermediateValue& value : trial.intermediate_values) {
    if (value.metric != objective.metric || !std::isfinite(value.value)) {
      continue;
    }
    if (!observation.last_step || value.step >= *observation.last_step) {
      observation.last_step = value.step;
      observation.last_loss = AsLoss(objective, value.value);
    }
  }
  return observation;
}

}  // namespace

double AsLoss(const Objective& objective, double value) {
  return objective.direction == Direction::kMaximize ? -value : value;
}

Observations ObserveHistory(const StudyConfig& config,
                            absl::Span<const Trial* const> trials) {
  Observations observations;
  observations.completed.reserve(trials.size());
  for (const Trial* trial : trials) {
    switch (trial->state) {
      case TrialState::kCompleted:
        if (auto losses = Losses(config, *trial)) {
          observations.completed.push_back(
              {trial, *std::move(losses), ConstraintViolation(config, *trial)});
        } else {
          observations.failed.push_back(trial);
        }
        break;
      case TrialState::kPruned:
        observations.pruned.push_back(ObservePruned(config, *trial));
        break;
      case TrialState::kRunning:
      case TrialState::kWaiting:
        observations.pending.push_back(trial);
        break;
      case TrialState::kFailed:
      case TrialState::kStale:
        observations.failed.push_back(trial);
        break;
    }
  }
  return observations;
}

}  // namespace knob

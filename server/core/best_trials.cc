#include "server/core/best_trials.h"

#include <algorithm>
#include <limits>

#include "server/model/constraints.h"

namespace knob {
namespace {

// Objective values turned so that smaller is better in every dimension.
std::vector<double> Losses(const std::vector<Objective>& objectives,
                           const Trial& trial) {
  std::vector<double> losses(trial.values);
  for (size_t i = 0; i < objectives.size() && i < losses.size(); ++i) {
    if (objectives[i].direction == Direction::kMaximize) losses[i] = -losses[i];
  }
  return losses;
}

bool Dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool strictly_better = false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) strictly_better = true;
  }
  return strictly_better;
}

}  // namespace

std::vector<const Trial*> BestTrials(const StudyConfig& config,
                                     absl::Span<const Trial* const> trials) {
  const std::vector<Objective>& objectives = config.objectives;
  // Only the trials with the least violation compete: all feasible ones, or
  // while there are none, the closest misses.
  double least_violation = std::numeric_limits<double>::infinity();
  std::vector<const Trial*> completed;
  std::vector<std::vector<double>> losses;
  for (const Trial* trial : trials) {
    if (trial == nullptr || trial->state != TrialState::kCompleted ||
        trial->values.size() != objectives.size()) {
      continue;
    }
    const double violation = ConstraintViolation(config, *trial);
    if (violation > least_violation) continue;
    if (violation < least_violation || completed.empty()) {
      least_violation = violation;
      completed.clear();
      losses.clear();
    }
    completed.push_back(trial);
    losses.push_back(Losses(objectives, *trial));
  }
  if (completed.empty()) return {};
  if (objectives.size() == 1) {
    size_t best = 0;
    for (size_t i = 1; i < completed.size(); ++i) {
      if (losses[i][0] < losses[best][0]) best = i;
    }
    return {completed[best]};
  }
  // Sorting by the first loss means a trial can only be dominated by one
  // that comes before it, which halves the comparisons of the naive scan.
  std::vector<size_t> order(completed.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return losses[a] < losses[b]; });
  std::vector<const Trial*> front;
  std::vector<size_t> front_indexes;
  for (size_t candidate : order) {
    bool dominated = false;
    for (size_t member : front_indexes) {
      if (Dominates(losses[member], losses[candidate])) {
        dominated = true;
        break;
      }
    }
    if (!dominated) {
      front_indexes.push_back(candidate);
      front.push_back(completed[candidate]);
    }
  }
  std::sort(front.begin(), front.end(), [](const Trial* a, const Trial* b) {
    return a->number < b->number;
  });
  return front;
}

}  // namespace knob

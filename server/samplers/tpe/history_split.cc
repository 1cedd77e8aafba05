#include "server/samplers/tpe/history_split.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include "server/samplers/multi_objective/pareto.h"

namespace knob {
namespace {

bool ByNumber(const Trial* a, const Trial* b) { return a->number < b->number; }

// The completed trials best first: feasible ones by their single loss,
// then infeasible ones by violation.
std::vector<const Trial*> RankByLoss(absl::Span<const Observation> completed) {
  std::vector<const Observation*> ranked;
  ranked.reserve(completed.size());
  for (const Observation& observation : completed) {
    ranked.push_back(&observation);
  }
  // Stable: completed trials come by number, so ties go to the older one.
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Observation* a, const Observation* b) {
                     return std::make_pair(a->violation, a->losses[0]) <
                            std::make_pair(b->violation, b->losses[0]);
                   });
  std::vector<const Trial*> trials;
  trials.reserve(ranked.size());
  for (const Observation* observation : ranked) {
    trials.push_back(observation->trial);
  }
  return trials;
}

// A reference point just beyond the worst of `points` in every objective,
// so that every point adds some hypervolume.
std::vector<double> ReferencePoint(
    absl::Span<const std::vector<double>> points) {
  std::vector<double> reference = points.front();
  std::vector<double> best = points.front();
  for (const std::vector<double>& point : points) {
    for (size_t j = 0; j < point.size(); ++j) {
      reference[j] = std::max(reference[j], point[j]);
      best[j] = std::min(best[j], point[j]);
    }
  }
  for (size_t j = 0; j < reference.size(); ++j) {
    const double span = reference[j] - best[j];
    reference[j] +=
        span > 0 ? 0.1 * span : std::max(0.1 * std::abs(reference[j]), 1e-12);
  }
  return reference;
}

// The `count` best completed trials for several objectives: among the
// feasible ones, whole non-dominated fronts while they fit, then the
// members of the next front that add the most hypervolume; when the
// feasible ones are too few, the infeasible ones closest to feasible.
// Best first.
std::vector<const Trial*> BestByDominance(
    absl::Span<const Observation> all_completed, size_t count) {
  std::vector<Observation> completed;
  std::vector<const Observation*> infeasible;
  for (const Observation& observation : all_completed) {
    if (observation.violation > 0) {
      infeasible.push_back(&observation);
    } else {
      completed.push_back(observation);
    }
  }
  std::vector<std::vector<double>> losses;
  losses.reserve(completed.size());
  for (const Observation& observation : completed) {
    losses.push_back(observation.losses);
  }
  std::vector<const Trial*> best;
  if (completed.size() < count) {
    for (const Observation& observation : completed) {
      best.push_back(observation.trial);
    }
    std::stable_sort(infeasible.begin(), infeasible.end(),
                     [](const Observation* a, const Observation* b) {
                       return a->violation < b->violation;
                     });
    for (size_t i = 0; best.size() < count; ++i) {
      best.push_back(infeasible[i]->trial);
    }
    return best;
  }
  for (const std::vector<size_t>& front : NondominatedFronts(losses, count)) {
    if (best.size() >= count) break;
    const size_t room = count - best.size();
    if (front.size() <= room) {
      for (size_t i : front) best.push_back(completed[i].trial);
      continue;
    }
    std::vector<std::vector<double>> points;
    points.reserve(front.size());
    for (size_t i : front) points.push_back(losses[i]);
    for (size_t picked : SelectByHypervolumeContribution(
             points, ReferencePoint(points), room)) {
      best.push_back(completed[front[picked]].trial);
      if (best.size() == count) break;
    }
  }
  return best;
}

// Pruned trials best first: a later last step first (the trial got further
// before being stopped), then a lower last loss; silent ones last.
std::vector<const Trial*> RankPruned(
    absl::Span<const PrunedObservation> pruned) {
  std::vector<const PrunedObservation*> ranked;
  ranked.reserve(pruned.size());
  for (const PrunedObservation& observation : pruned) {
    ranked.push_back(&observation);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const PrunedObservation* a, const PrunedObservation* b) {
                     if (a->last_step.has_value() != b->last_step.has_value()) {
                       return a->last_step.has_value();
                     }
                     if (!a->last_step.has_value()) return false;
                     return std::make_tuple(-*a->last_step, *a->last_loss) <
                            std::make_tuple(-*b->last_step, *b->last_loss);
                   });
  std::vector<const Trial*> trials;
  trials.reserve(ranked.size());
  for (const PrunedObservation* observation : ranked) {
    trials.push_back(observation->trial);
  }
  return trials;
}

}  // namespace

TrialSplit SplitTrials(const Observations& observations,
                       const SplitSettings& settings) {
  const size_t finished =
      observations.completed.size() + observations.pruned.size();
  size_t good_count = static_cast<size_t>(
      std::ceil(settings.gamma * static_cast<double>(finished)));
  if (settings.objectives == 1) {
    good_count =
        std::min(good_count, static_cast<size_t>(settings.max_good_trials));
  }
  good_count = std::min(good_count, finished);

  std::vector<const Trial*> ranked;
  ranked.reserve(finished);
  if (settings.objectives == 1) {
    ranked = RankByLoss(observations.completed);
  } else {
    // Only the good ones need ranking; the others are bad in any order.
    ranked =
        BestByDominance(observations.completed,
                        std::min(good_count, observations.completed.size()));
    std::vector<const Trial*> rest;
    std::vector<const Trial*> chosen = ranked;
    std::sort(chosen.begin(), chosen.end(), ByNumber);
    for (const Observation& observation : observations.completed) {
      if (!std::binary_search(chosen.begin(), chosen.end(), observation.trial,
                              ByNumber)) {
        ranked.push_back(observation.trial);
      }
    }
  }
  for (const Trial* trial : RankPruned(observations.pruned)) {
    ranked.push_back(trial);
  }

  TrialSplit split;
  split.good.assign(ranked.begin(), ranked.begin() + good_count);
  split.bad.assign(ranked.begin() + good_count, ranked.end());
  if (settings.constant_liar) {
    split.bad.insert(split.bad.end(), observations.pending.begin(),
                     observations.pending.end());
  }
  std::sort(split.good.begin(), split.good.end(), ByNumber);
  std::sort(split.bad.begin(), split.bad.end(), ByNumber);
  return split;
}

std::vector<double> ObservationWeights(size_t count, TpeWeights rule) {
  // The newest observations that always count fully.
  constexpr size_t kRecent = 25;
  std::vector<double> weights(count, 1.0);
  if (rule == TpeWeights::kUniform || count <= kRecent) return weights;
  // The older ones ramp up evenly from 1/count (the oldest) towards 1.
  const size_t older = count - kRecent;
  const double low = 1 / static_cast<double>(count);
  for (size_t i = 0; i < older; ++i) {
    weights[i] = older == 1 ? low
                            : low + (1 - low) * static_cast<double>(i) /
                                        static_cast<double>(older - 1);
  }
  return weights;
}

}  // namespace knob

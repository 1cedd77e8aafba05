#include "server/samplers/tpe/history_split.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <tuple>
#include <utility>

#include "server/samplers/multi_objective/pareto.h"

namespace knob {
namespace {

bool ByNumber(const Trial* a, const Trial* b) { return a->number < b->number; }

// The best `count` completed trials, best first: feasible ones by their
// single loss, then infeasible ones by violation; ties to the older one.
std::vector<const Trial*> BestByLoss(absl::Span<const Observation> completed,
                                     size_t count) {
  std::vector<const Observation*> ranked;
  ranked.reserve(completed.size());
  for (const Observation& observation : completed) {
    ranked.push_back(&observation);
  }
  count = std::min(count, ranked.size());
  // Only the best few are needed: a partial sort is O(n log count).
  std::partial_sort(
      ranked.begin(), ranked.begin() + count, ranked.end(),
      [](const Observation* a, const Observation* b) {
        return std::make_tuple(a->violation, a->losses[0], a->trial->number) <
               std::make_tuple(b->violation, b->losses[0], b->trial->number);
      });
  std::vector<const Trial*> trials;
  trials.reserve(count);
  for (size_t i = 0; i < count; ++i) trials.push_back(ranked[i]->trial);
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
    losses.emplace_back(observation.losses.begin(), observation.losses.end());
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

  const size_t completed_good =
      std::min(good_count, observations.completed.size());
  TrialSplit split;
  split.good = settings.objectives == 1
                   ? BestByLoss(observations.completed, completed_good)
                   : BestByDominance(observations.completed, completed_good);
  if (good_count > completed_good) {
    const std::vector<const Trial*> pruned = RankPruned(observations.pruned);
    split.good.insert(split.good.end(), pruned.begin(),
                      pruned.begin() + (good_count - completed_good));
  }
  std::sort(split.good.begin(), split.good.end(), ByNumber);

  // The rest, by number: merged from the groups, which are each by number,
  // rather than sorted.
  std::vector<const Trial*> rest;
  rest.reserve(finished - good_count);
  for (const Observation& observation : observations.completed) {
    if (!std::binary_search(split.good.begin(), split.good.end(),
                            observation.trial, ByNumber)) {
      rest.push_back(observation.trial);
    }
  }
  const size_t completed_rest = rest.size();
  for (const PrunedObservation& observation : observations.pruned) {
    if (!std::binary_search(split.good.begin(), split.good.end(),
                            observation.trial, ByNumber)) {
      rest.push_back(observation.trial);
    }
  }
  std::inplace_merge(rest.begin(), rest.begin() + completed_rest, rest.end(),
                     ByNumber);
  if (!settings.constant_liar) {
    split.bad = std::move(rest);
    return split;
  }
  split.bad.reserve(rest.size() + observations.pending.size());
  std::merge(rest.begin(), rest.end(), observations.pending.begin(),
             observations.pending.end(), std::back_inserter(split.bad),
             ByNumber);
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

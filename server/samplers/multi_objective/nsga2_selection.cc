#include "server/samplers/multi_objective/nsga2_selection.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "absl/random/distributions.h"
#include "server/samplers/multi_objective/pareto.h"

namespace knob {
namespace {

// The ranks of constrained domination, best first, as indices into the
// candidates; ranks after the first holding `count` candidates are left
// out.
std::vector<std::vector<size_t>> Ranks(
    absl::Span<const std::vector<double>> losses,
    absl::Span<const double> violations, size_t count) {
  std::vector<size_t> feasible;
  std::map<double, std::vector<size_t>> infeasible_by_violation;
  for (size_t i = 0; i < losses.size(); ++i) {
    if (violations[i] > 0) {
      infeasible_by_violation[violations[i]].push_back(i);
    } else {
      feasible.push_back(i);
    }
  }
  std::vector<std::vector<double>> feasible_losses;
  feasible_losses.reserve(feasible.size());
  for (size_t i : feasible) feasible_losses.push_back(losses[i]);
  std::vector<std::vector<size_t>> ranks =
      NondominatedFronts(feasible_losses, count);
  for (std::vector<size_t>& front : ranks) {
    for (size_t& member : front) member = feasible[member];
  }
  size_t ranked = feasible.size() < count ? feasible.size() : count;
  for (auto& [violation, members] : infeasible_by_violation) {
    if (ranked >= count) break;
    ranked += members.size();
    ranks.push_back(std::move(members));
  }
  return ranks;
}

}  // namespace

std::vector<Survivor> SelectSurvivors(
    absl::Span<const std::vector<double>> losses,
    absl::Span<const double> violations, size_t count) {
  std::vector<Survivor> survivors;
  const std::vector<std::vector<size_t>> ranks =
      Ranks(losses, violations, count);
  for (size_t rank = 0; rank < ranks.size() && survivors.size() < count;
       ++rank) {
    const std::vector<size_t>& members = ranks[rank];
    const std::vector<double> crowding = CrowdingDistances(losses, members);
    std::vector<size_t> order(members.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (survivors.size() + members.size() > count) {
      // Members are in increasing index order, which the stable sort keeps
      // among equal distances.
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return crowding[a] > crowding[b];
      });
      order.resize(count - survivors.size());
    }
    for (size_t i : order) {
      survivors.push_back({members[i], static_cast<int>(rank), crowding[i]});
    }
  }
  return survivors;
}

size_t Tournament(absl::Span<const Survivor> population, absl::BitGenRef rng) {
  const size_t first = absl::Uniform<size_t>(rng, 0, population.size());
  if (population.size() == 1) return first;
  // Two distinct members: the second is drawn from the others.
  size_t second = absl::Uniform<size_t>(rng, 0, population.size() - 1);
  if (second >= first) ++second;
  const Survivor& a = population[first];
  const Survivor& b = population[second];
  if (b.rank != a.rank) return b.rank < a.rank ? second : first;
  return b.crowding > a.crowding ? second : first;
}

}  // namespace knob

#include "server/samplers/multi_objective/pareto.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <utility>

namespace knob {
namespace {

std::vector<size_t> Iota(size_t n) {
  std::vector<size_t> indices(n);
  std::iota(indices.begin(), indices.end(), size_t{0});
  return indices;
}

// One objective: the fronts are the groups of equal losses.
std::vector<std::vector<size_t>> FrontsOfOne(
    absl::Span<const std::vector<double>> losses) {
  std::vector<size_t> order = Iota(losses.size());
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return losses[a][0] < losses[b][0];
  });
  std::vector<std::vector<size_t>> fronts;
  for (size_t i = 0; i < order.size(); ++i) {
    if (i == 0 || losses[order[i]][0] != losses[order[i - 1]][0]) {
      fronts.emplace_back();
    }
    fronts.back().push_back(order[i]);
  }
  return fronts;
}

// Two objectives: visiting the vectors in lexicographic order, every
// dominator of a vector comes before it, and within a front the vectors
// seen so far form a staircase whose last step is the only one that can
// dominate a newcomer. The last steps' keys (second loss, then first) rise
// strictly from front to front, so a binary search finds the first front
// that does not dominate the newcomer, which is its front.
std::vector<std::vector<size_t>> FrontsOfTwo(
    absl::Span<const std::vector<double>> losses) {
  std::vector<size_t> order = Iota(losses.size());
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return losses[a] < losses[b] || (losses[a] == losses[b] && a < b);
  });
  using Key = std::pair<double, double>;
  std::vector<Key> last_keys;
  std::vector<std::vector<size_t>> fronts;
  for (size_t index : order) {
    const Key key{losses[index][1], losses[index][0]};
    const size_t front =
        std::lower_bound(last_keys.begin(), last_keys.end(), key) -
        last_keys.begin();
    if (front == fronts.size()) {
      fronts.emplace_back();
      last_keys.push_back(key);
    }
    fronts[front].push_back(index);
    last_keys[front] = key;
  }
  return fronts;
}

// Any number of objectives: peels one front at a time off the vectors in
// lexicographic order. A vector is in the current front when no member
// found so far dominates it: a dominated vector's dominators come before
// it, and one of them is in the front (dominance is transitive).
std::vector<std::vector<size_t>> FrontsByPeeling(
    absl::Span<const std::vector<double>> losses, size_t min_count) {
  std::vector<size_t> remaining = Iota(losses.size());
  std::sort(remaining.begin(), remaining.end(), [&](size_t a, size_t b) {
    return losses[a] < losses[b] || (losses[a] == losses[b] && a < b);
  });
  std::vector<std::vector<size_t>> fronts;
  size_t taken = 0;
  while (!remaining.empty() && taken < min_count) {
    std::vector<size_t> front;
    std::vector<size_t> rest;
    for (size_t index : remaining) {
      const bool dominated =
          std::any_of(front.begin(), front.end(), [&](size_t member) {
            return Dominates(losses[member], losses[index]);
          });
      (dominated ? rest : front).push_back(index);
    }
    taken += front.size();
    fronts.push_back(std::move(front));
    remaining = std::move(rest);
  }
  return fronts;
}

}  // namespace

bool Dominates(absl::Span<const double> a, absl::Span<const double> b) {
  bool better_somewhere = false;
  for (size_t j = 0; j < a.size(); ++j) {
    if (a[j] > b[j]) return false;
    if (a[j] < b[j]) better_somewhere = true;
  }
  return better_somewhere;
}

std::vector<std::vector<size_t>> NondominatedFronts(
    absl::Span<const std::vector<double>> losses, size_t min_count) {
  if (losses.empty() || min_count == 0) return {};
  std::vector<std::vector<size_t>> fronts;
  switch (losses[0].size()) {
    case 1:
      fronts = FrontsOfOne(losses);
      break;
    case 2:
      fronts = FrontsOfTwo(losses);
      break;
    default:
      fronts = FrontsByPeeling(losses, min_count);
  }
  // The sorts of one and two objectives cost no more for every front;
  // the caller still gets only the fronts it asked for.
  size_t taken = 0;
  size_t kept = 0;
  while (kept < fronts.size() && taken < min_count) {
    taken += fronts[kept++].size();
  }
  fronts.resize(kept);
  for (std::vector<size_t>& front : fronts) {
    std::sort(front.begin(), front.end());
  }
  return fronts;
}

std::vector<double> CrowdingDistances(
    absl::Span<const std::vector<double>> losses,
    absl::Span<const size_t> front) {
  std::vector<double> distances(front.size(), 0.0);
  if (front.empty()) return distances;
  std::vector<size_t> order = Iota(front.size());
  for (size_t objective = 0; objective < losses[front[0]].size(); ++objective) {
    auto loss = [&](size_t position) {
      return losses[front[position]][objective];
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return loss(a) < loss(b); });
    const double range = loss(order.back()) - loss(order.front());
    if (!(range > 0)) continue;
    distances[order.front()] = std::numeric_limits<double>::infinity();
    distances[order.back()] = std::numeric_limits<double>::infinity();
    for (size_t i = 1; i + 1 < order.size(); ++i) {
      distances[order[i]] += (loss(order[i + 1]) - loss(order[i - 1])) / range;
    }
  }
  return distances;
}

}  // namespace knob

// Hypervolumes, declared in pareto.h.
#include <algorithm>
#include <iterator>
#include <map>
#include <vector>

#include "server/samplers/multi_objective/pareto.h"

namespace knob {
namespace {

using Point = std::vector<double>;

double Volume(std::vector<Point> points, absl::Span<const double> reference);

double BoxVolume(absl::Span<const double> point,
                 absl::Span<const double> reference) {
  double volume = 1;
  for (size_t j = 0; j < point.size(); ++j) volume *= reference[j] - point[j];
  return volume;
}

bool StrictlyBelow(absl::Span<const double> point,
                   absl::Span<const double> reference) {
  for (size_t j = 0; j < point.size(); ++j) {
    if (!(point[j] < reference[j])) return false;
  }
  return true;
}

Point Worse(absl::Span<const double> a, absl::Span<const double> b) {
  Point worse(a.size());
  for (size_t j = 0; j < a.size(); ++j) worse[j] = std::max(a[j], b[j]);
  return worse;
}

// Sweeping by the first loss, each point adds the strip between its second
// loss and the lowest one seen so far.
double Volume2d(std::vector<Point> points, absl::Span<const double> reference) {
  std::sort(points.begin(), points.end());
  double volume = 0;
  double ceiling = reference[1];
  for (const Point& p : points) {
    if (p[1] >= ceiling) continue;
    volume += (reference[0] - p[0]) * (ceiling - p[1]);
    ceiling = p[1];
  }
  return volume;
}

// The area dominated by a growing set of 2-D points, kept as the staircase
// of its non-dominated points (first loss rising, second falling) so that
// adding a point costs O(log n) amortized.
class Staircase {
 public:
  Staircase(double reference_x, double reference_y)
      : reference_x_(reference_x), reference_y_(reference_y) {}

  double area() const { return area_; }

  void Add(double x, double y) {
    auto right = steps_.upper_bound(x);
    if (right != steps_.begin() && std::prev(right)->second <= y) return;
    auto it = steps_.lower_bound(x);
    while (it != steps_.end() && it->second >= y) {
      area_ -= ExclusiveArea(it);
      it = steps_.erase(it);
    }
    area_ += ExclusiveArea(steps_.emplace(x, y).first);
  }

 private:
  // The rectangle only the step at `it` dominates: up to the next step's
  // first loss and the previous step's second loss.
  double ExclusiveArea(std::map<double, double>::const_iterator it) const {
    const auto next = std::next(it);
    const double right = next == steps_.end() ? reference_x_ : next->first;
    const double top =
        it == steps_.begin() ? reference_y_ : std::prev(it)->second;
    return (right - it->first) * (top - it->second);
  }

  double reference_x_;
  double reference_y_;
  std::map<double, double> steps_;
  double area_ = 0;
};

// Slices along the third loss: between consecutive third losses, the
// volume is the area dominated by the points below the slice.
double Volume3d(std::vector<Point> points, absl::Span<const double> reference) {
  std::sort(points.begin(), points.end(),
            [](const Point& a, const Point& b) { return a[2] < b[2]; });
  Staircase staircase(reference[0], reference[1]);
  double volume = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    staircase.Add(points[i][0], points[i][1]);
    const double next = i + 1 < points.size() ? points[i + 1][2] : reference[2];
    volume += staircase.area() * (next - points[i][2]);
  }
  return volume;
}

// The points no other point dominates; duplicates stay.
std::vector<Point> NondominatedPoints(std::vector<Point> points) {
  const std::vector<std::vector<size_t>> fronts = NondominatedFronts(points, 1);
  std::vector<Point> front;
  for (size_t index : fronts.front()) front.push_back(std::move(points[index]));
  return front;
}

// WFG: the sum of each point's contribution exclusive of the points before
// it, which is its box minus the hypervolume of the earlier points limited
// to (made no better than) it. With the points in rising order of the last
// loss, limiting sets every earlier point's last loss to the current one,
// so the limited set's hypervolume is a slab of one dimension fewer; and
// only its non-dominated points matter, which keeps the recursion small.
double VolumeNd(std::vector<Point> points, absl::Span<const double> reference) {
  points = NondominatedPoints(std::move(points));
  std::sort(points.begin(), points.end(), [](const Point& a, const Point& b) {
    return a.back() < b.back() || (a.back() == b.back() && a < b);
  });
  points.erase(std::unique(points.begin(), points.end()), points.end());
  const size_t head = reference.size() - 1;
  const absl::Span<const double> reference_head =
      absl::MakeConstSpan(reference.data(), head);
  double volume = 0;
  for (size_t k = 0; k < points.size(); ++k) {
    const absl::Span<const double> point_head =
        absl::MakeConstSpan(points[k].data(), head);
    std::vector<Point> limited;
    limited.reserve(k);
    for (size_t j = 0; j < k; ++j) {
      limited.push_back(
          Worse(absl::MakeConstSpan(points[j].data(), head), point_head));
    }
    const double exclusive =
        BoxVolume(point_head, reference_head) -
        (limited.empty() ? 0 : Volume(std::move(limited), reference_head));
    volume += (reference[head] - points[k][head]) * exclusive;
  }
  return volume;
}

// `points` are non-empty and strictly below `reference`.
double Volume(std::vector<Point> points, absl::Span<const double> reference) {
  switch (reference.size()) {
    case 1: {
      double best = points[0][0];
      for (const Point& p : points) best = std::min(best, p[0]);
      return reference[0] - best;
    }
    case 2:
      return Volume2d(std::move(points), reference);
    case 3:
      return Volume3d(std::move(points), reference);
    default:
      return VolumeNd(std::move(points), reference);
  }
}

}  // namespace

double Hypervolume(absl::Span<const std::vector<double>> points,
                   absl::Span<const double> reference) {
  std::vector<Point> below;
  for (const Point& p : points) {
    if (StrictlyBelow(p, reference)) below.push_back(p);
  }
  return below.empty() ? 0 : Volume(std::move(below), reference);
}

// Lazy greedy: a point's contribution only shrinks as others are picked
// (hypervolume is submodular), so a contribution computed against fewer
// picks bounds the current one from above. Only the candidate with the
// highest bound is recomputed; once its fresh value still tops every
// bound, it is the greedy choice.
std::vector<size_t> SelectByHypervolumeContribution(
    absl::Span<const std::vector<double>> points,
    absl::Span<const double> reference, size_t count) {
  count = std::min(count, points.size());
  std::vector<double> bound(points.size(), 0.0);
  for (size_t i = 0; i < points.size(); ++i) {
    if (StrictlyBelow(points[i], reference)) {
      bound[i] = BoxVolume(points[i], reference);
    }
  }
  // How many points had been picked when bound[i] was computed.
  std::vector<size_t> computed_at(points.size(), 0);
  std::vector<bool> picked(points.size(), false);
  std::vector<size_t> order;
  std::vector<Point> chosen;
  while (order.size() < count) {
    size_t best = points.size();
    for (size_t i = 0; i < points.size(); ++i) {
      if (!picked[i] && (best == points.size() || bound[i] > bound[best])) {
        best = i;
      }
    }
    if (!(bound[best] > 0)) {
      for (size_t i = 0; i < points.size() && order.size() < count; ++i) {
        if (!picked[i]) order.push_back(i);
      }
      break;
    }
    if (computed_at[best] == order.size()) {
      picked[best] = true;
      order.push_back(best);
      chosen.push_back(points[best]);
      continue;
    }
    std::vector<Point> limited;
    limited.reserve(chosen.size());
    for (const Point& c : chosen) limited.push_back(Worse(c, points[best]));
    bound[best] =
        BoxVolume(points[best], reference) - Hypervolume(limited, reference);
    computed_at[best] = order.size();
  }
  return order;
}

}  // namespace knob

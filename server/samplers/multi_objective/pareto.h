// Pareto dominance for multi-objective samplers: non-dominated sorting,
// crowding distances and hypervolumes of loss vectors.
//
// Every function minimizes every column: a loss vector `a` dominates `b`
// when a[j] <= b[j] for every objective j and a[j] < b[j] for at least one.
// Within one call all vectors have the same length (at least 1) and all
// values are finite; callers turn maximized objectives into losses first
// (observations.h does). Equal vectors do not dominate each other.
//
// Thread safety: pure functions.
#ifndef KNOB_SERVER_SAMPLERS_MULTI_OBJECTIVE_PARETO_H_
#define KNOB_SERVER_SAMPLERS_MULTI_OBJECTIVE_PARETO_H_

#include <cstddef>
#include <limits>
#include <vector>

#include "absl/types/span.h"

namespace knob {

// Whether loss vector `a` dominates `b`.
bool Dominates(absl::Span<const double> a, absl::Span<const double> b);

// The non-dominated fronts of `losses`, best first, as indices into
// `losses`, each front in increasing index order: front 0 is the set no
// vector dominates, front k the set only vectors of fronts < k dominate.
// Sorting stops once the fronts returned hold at least `min_count` indices
// (every front when left at its default), so a caller that keeps the best
// n vectors pays only for the fronts it reads.
// Cost: O(n log n) for two objectives; for more, O(n log n + n * f * m)
// per front of f vectors, at worst O(m n^2) overall.
std::vector<std::vector<size_t>> NondominatedFronts(
    absl::Span<const std::vector<double>> losses,
    size_t min_count = std::numeric_limits<size_t>::max());

// The crowding distance of each member of `front` (indices into `losses`,
// normally one non-dominated front), in the order of `front`: the sum over
// objectives of the gap between a member's two neighbours along that
// objective, relative to the front's range in it. The members at either end
// of any objective whose range is not zero get +infinity, so that the
// extremes of a front are always kept. Objectives in which every member is
// equal add nothing.
std::vector<double> CrowdingDistances(
    absl::Span<const std::vector<double>> losses,
    absl::Span<const size_t> front);

// The exact volume of the region that some point of `points` dominates and
// that dominates `reference` (the union of the boxes [p, reference]).
// Points not strictly below `reference` in every objective add nothing;
// no points, or none below the reference, give 0. `reference` has as many
// entries as each point.
// Cost: O(n log n) for one to three objectives; beyond, the WFG algorithm
// (exclusive contributions over non-dominated limit sets), which handles a
// few hundred points in four or five objectives in well under a second.
double Hypervolume(absl::Span<const std::vector<double>> points,
                   absl::Span<const double> reference);

// Greedily picks `count` of `points` (all of them when count >= size) whose
// union covers the largest hypervolume w.r.t. `reference`: each step adds
// the point that adds the most hypervolume to those already picked (ties to
// the lowest index). Greedy selection reaches at least 1 - 1/e of the best
// subset's hypervolume. Returns indices into `points` in the order picked;
// points that add nothing (dominated, duplicated or not below the
// reference) come last, by index.
std::vector<size_t> SelectByHypervolumeContribution(
    absl::Span<const std::vector<double>> points,
    absl::Span<const double> reference, size_t count);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_MULTI_OBJECTIVE_PARETO_H_

// NSGA-II's selection (Deb et al. 2002): which finished trials survive as
// the parent population, and which of them a binary tournament picks.
//
// Survival ranks trials by constrained domination: every feasible trial
// before every infeasible one; feasible trials by non-dominated front;
// infeasible ones by how far they miss the constraints (equal misses
// share a rank). Within a rank, a larger crowding distance (pareto.h) is
// better, so that the survivors spread along the front.
//
// Thread safety: pure functions.
#ifndef KNOB_SERVER_SAMPLERS_MULTI_OBJECTIVE_NSGA2_SELECTION_H_
#define KNOB_SERVER_SAMPLERS_MULTI_OBJECTIVE_NSGA2_SELECTION_H_

#include <cstddef>
#include <vector>

#include "absl/random/bit_gen_ref.h"
#include "absl/types/span.h"

namespace knob {

struct Survivor {
  // Into the candidates given to SelectSurvivors.
  size_t index = 0;
  // 0 for the best rank.
  int rank = 0;
  // Within the survivor's rank, computed over the whole rank (also the
  // members that did not survive).
  double crowding = 0;
};

// The `count` best of the candidates, whose losses (see pareto.h) and
// constraint violations (0 when feasible, as in observations.h) are given
// in the same order: whole ranks while they fit, then the members of the
// next rank with the largest crowding distances (ties to the lower index,
// so callers list candidates oldest first). All candidates when there are
// at most `count`. Survivors are listed by rank, then as chosen.
std::vector<Survivor> SelectSurvivors(
    absl::Span<const std::vector<double>> losses,
    absl::Span<const double> violations, size_t count);

// Binary tournament: draws two members of `population` (non-empty) at
// random and returns the position in `population` of the better one (lower
// rank, then larger crowding distance, then the first drawn).
size_t Tournament(absl::Span<const Survivor> population, absl::BitGenRef rng);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_MULTI_OBJECTIVE_NSGA2_SELECTION_H_

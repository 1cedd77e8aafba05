// NSGA-II's variation: how two parents, as points of the search space's
// unit cube (unit_cube.h), make a child. Working in the cube lets one
// operator serve every domain: ints, steps and log scales are handled when
// the child is decoded.
//
// Crossover mixes the parents coordinate by coordinate; mutation then
// perturbs a few numeric coordinates (Deb's polynomial mutation: mostly
// small steps, occasionally as far as the bounds). Categorical coordinates
// are never blended (a coordinate between two choices means a third,
// unrelated one): they always take one parent's value or, when mutated, a
// uniformly random choice.
//
// Thread safety: pure functions.
#ifndef KNOB_SERVER_SAMPLERS_MULTI_OBJECTIVE_NSGA2_VARIATION_H_
#define KNOB_SERVER_SAMPLERS_MULTI_OBJECTIVE_NSGA2_VARIATION_H_

#include <optional>
#include <vector>

#include "absl/random/bit_gen_ref.h"
#include "absl/types/span.h"
#include "server/samplers/unit_cube.h"

namespace knob {

enum class CrossoverKind {
  // Each coordinate from one parent or the other.
  kUniform,
  // Each numeric coordinate uniform over the parents' interval widened by
  // half its length on each side (BLX-0.5), cut to [0, 1].
  kBlxAlpha,
  // Simulated binary crossover (Deb & Agrawal 1995), bounded to [0, 1]:
  // each numeric coordinate near one of the parents' values, spreading as
  // far as the parents are apart.
  kSbx,
};

struct VariationOptions {
  CrossoverKind crossover = CrossoverKind::kSbx;
  // The chance that a child is a crossover of both parents; otherwise it
  // starts as a copy of the first.
  double crossover_prob = 0.9;
  // Per coordinate, the chance that the child leans on the second parent
  // instead of the first: takes its value (uniform crossover and
  // categorical coordinates) or lands on its side (SBX).
  double swapping_prob = 0.5;
  // Per coordinate, the chance of mutation after crossover.
  double mutation_prob = 0.1;
};

// The child of `first` and `second`, points of `cube` as UnitCube::Encode
// returns them. A coordinate missing from one parent (its parameter was
// inactive there) comes from the other; missing from both, it is drawn
// uniformly. All coordinates of the result lie in [0, 1].
std::vector<double> MakeChild(const UnitCube& cube,
                              absl::Span<const std::optional<double>> first,
                              absl::Span<const std::optional<double>> second,
                              const VariationOptions& options,
                              absl::BitGenRef rng);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_MULTI_OBJECTIVE_NSGA2_VARIATION_H_

// The "nsga2" sampler: the NSGA-II genetic algorithm (Deb et al. 2002) for
// one or several objectives, steering the population towards the Pareto
// front while keeping it spread along it. Honours outcome constraints by
// constrained domination (feasible trials first).
//
// Trials are grouped into generations by number: trial n belongs to
// generation n / population_size. Generation 0 takes the points of the
// study's scrambled Sobol' sequence (as the "sobol" sampler would). A
// trial of a later generation is the child of two parents, each picked by
// a binary tournament among the survivors (nsga2_selection.h) of the
// trials of earlier generations that have COMPLETED (running, failed and
// pruned ones take no part), bred by crossover and mutation in the unit
// cube of the search space (nsga2_variation.h). Until two such trials
// exist, trials continue the Sobol' sequence.
//
// A proposal depends only on the seed, the trial number and the history,
// so the sampler keeps no state: replicas agree, a restart resumes, and
// late results of an earlier generation count as soon as they arrive.
//
// Options:
//   population_size (int)   Trials per generation and survivors kept,
//                           at least 2. Default: 50.
//   crossover (string)      "sbx", "blxalpha" or "uniform" (see
//                           nsga2_variation.h). Default: "sbx".
//   crossover_prob (double) Chance that a child mixes both parents rather
//                           than copying the first. Default: 0.9.
//   swapping_prob (double)  Per coordinate, chance of leaning on the second
//                           parent. Default: 0.5.
//   mutation_prob (double)  Per coordinate, chance of mutation. Default:
//                           1 / (number of non-fixed parameters).
#ifndef KNOB_SERVER_SAMPLERS_MULTI_OBJECTIVE_NSGA2_SAMPLER_H_
#define KNOB_SERVER_SAMPLERS_MULTI_OBJECTIVE_NSGA2_SAMPLER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/model/study.h"
#include "server/samplers/sampler.h"

namespace knob {

// INVALID_ARGUMENT naming an unknown, mistyped or out-of-range option, or
// when the space has more non-fixed parameters than the Sobol' sequence
// covers (kMaxSobolDimensions).
absl::StatusOr<std::unique_ptr<Sampler>> CreateNsga2Sampler(
    const StudyConfig& config, const AlgorithmSpec& spec);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_MULTI_OBJECTIVE_NSGA2_SAMPLER_H_

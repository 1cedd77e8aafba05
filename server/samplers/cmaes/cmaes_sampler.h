// The "cmaes" sampler: the CMA-ES evolution strategy (cma_state.h) over the
// unit-cube coordinates (unit_cube.h) of the numeric parameters, for
// studies with one objective.
//
// How trials map to the strategy:
//   - every sampled trial is a candidate of the current generation; the
//     generation is told once popsize of its candidates have COMPLETED, in
//     any order. Failed, pruned and stale candidates do not count, so more
//     than popsize candidates are handed out while workers are busy or
//     trials fail; candidates of an earlier generation that complete late
//     are ignored;
//   - log scales are linear in the cube; ints and stepped floats are
//     continuous coordinates rounded on decoding, with the strategy's
//     margin keeping their neighbouring grid points in reach;
//   - outcome constraints: a generation's infeasible members rank behind
//     its feasible ones, by violation (the strategy uses only the order);
//     a run without state starts from the best feasible trial;
//   - trials the strategy did not propose (enqueued ones, or those of
//     another sampler before a switch) are not candidates: only a run
//     starting without state learns from them, through its start point;
//   - categorical parameters, which CMA-ES cannot model, are drawn
//     uniformly at random and independently;
//   - conditional parameters: the strategy covers every numeric
//     coordinate; a trial uses those of its active parameters, and the
//     update learns from all coordinates of the point it was drawn at;
//   - a candidate that falls outside the cube is redrawn a few times, then
//     moved onto it; one that decodes to the parameters of another trial of
//     its generation is redrawn a few times, so that parallel workers do
//     not evaluate one point twice;
//   - restarts (IPOP): when the run converges or stalls (see Termination),
//     a new run starts at a random point with sigma0 and twice the
//     population.
// The state (run_state.h) is persisted after every trial. With no state (a
// new study, or state that was lost) a run starts from the best completed
// trial of the history, or from the centre of the cube.
//
// Cost per trial: O(n^2) for n numeric parameters (O(n) separable), plus a
// lookup of the current generation's trials by number; O(n^3) once per
// generation.
//
// Thread safety: as for every Sampler.
#ifndef KNOB_SERVER_SAMPLERS_CMAES_CMAES_SAMPLER_H_
#define KNOB_SERVER_SAMPLERS_CMAES_CMAES_SAMPLER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "server/model/study.h"
#include "server/samplers/sampler.h"

namespace knob {

// Options (INVALID_ARGUMENT naming `sampler.options.<name>` when wrong):
//   sigma0            the initial step size as a fraction of every
//                     coordinate's range, in (0, 1]. Default: 1/6.
//   popsize           candidates per generation (of the first run), in
//                     [2, 65536]. Default: 4 + floor(3 ln n).
//   separable         a diagonal covariance (sep-CMA-ES): O(n) per trial
//                     and per generation, for many parameters; learns no
//                     correlations. Default: false.
//   restart_strategy  "ipop" (restart as above) or "none" (keep going;
//                     only a numerically broken distribution is reset, at
//                     its mean). Default: "ipop".
//   n_startup_trials  trials drawn at random before the strategy starts
//                     from the best of them. Default: 0.
// INVALID_ARGUMENT naming `sampler.name` for a study with several
// objectives. A space without numeric parameters is sampled at random.
absl::StatusOr<std::unique_ptr<Sampler>> CreateCmaEsSampler(
    const StudyConfig& config, const AlgorithmSpec& spec);

// Rewrites the `losses` of one generation so that every member with a
// positive violation (ConstraintViolation, one per member) ranks behind
// every feasible member, infeasible ones by violation then loss; feasible
// losses are kept. CMA-ES only uses the order of a generation's losses.
void RankInfeasibleLast(absl::Span<const double> violations,
                        absl::Span<double> losses);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_CMAES_CMAES_SAMPLER_H_

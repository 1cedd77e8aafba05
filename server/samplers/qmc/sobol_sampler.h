// The "sobol" sampler: trial n takes point n of a Sobol' sequence over the
// unit cube of the search space (unit_cube.h), so that the trials spread
// over the whole space far more evenly than random ones, most of all when
// their count is a power of two. Ignores the history.
//
// The point depends only on the study seed and the trial number: workers
// asking concurrently, and every replica of the server, get distinct
// points, and a replay proposes the same ones.
//
// Options:
//   scramble (bool)  Randomize the sequence from the study seed (linear
//                    matrix scramble plus digital shift), which removes the
//                    plain sequence's artefacts: without it, trial 0 sets
//                    every parameter to its lower bound. Default: true.
#ifndef KNOB_SERVER_SAMPLERS_QMC_SOBOL_SAMPLER_H_
#define KNOB_SERVER_SAMPLERS_QMC_SOBOL_SAMPLER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/model/study.h"
#include "server/samplers/sampler.h"

namespace knob {

// INVALID_ARGUMENT naming an unknown or mistyped option, or when the space
// has more non-fixed parameters than kMaxSobolDimensions
// (sobol_sequence.h).
absl::StatusOr<std::unique_ptr<Sampler>> CreateSobolSampler(
    const StudyConfig& config, const AlgorithmSpec& spec);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_QMC_SOBOL_SAMPLER_H_

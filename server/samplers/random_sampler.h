// The "random" sampler: every active parameter independently and uniformly
// at random from its domain (log-uniformly for log-scale domains), using
// only the context's seeded generator. Ignores the history.
#ifndef KNOB_SERVER_SAMPLERS_RANDOM_SAMPLER_H_
#define KNOB_SERVER_SAMPLERS_RANDOM_SAMPLER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/model/study.h"
#include "server/samplers/sampler.h"

namespace knob {

// Accepts no options (INVALID_ARGUMENT naming any given one) and any valid
// search space.
absl::StatusOr<std::unique_ptr<Sampler>> CreateRandomSampler(
    const StudyConfig& config, const AlgorithmSpec& spec);

// One value drawn from `domain` as the random sampler draws it: uniform
// over [min, max] or over the step grid; log-uniform for log domains.
ParamValue SampleUniformly(const Domain& domain, absl::BitGenRef rng);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_RANDOM_SAMPLER_H_

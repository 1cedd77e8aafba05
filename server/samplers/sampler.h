// A Sampler proposes the parameters of new trials from the study's history.
// Samplers are created per study by SamplerRegistry (sampler_registry.h)
// from the study's AlgorithmSpec.
//
// Thread safety: the core calls a study's sampler from one thread at a time
// (under the study's lock); different studies' samplers run concurrently.
#ifndef KNOB_SERVER_SAMPLERS_SAMPLER_H_
#define KNOB_SERVER_SAMPLERS_SAMPLER_H_

#include <cstdint>
#include <vector>

#include "absl/random/bit_gen_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "server/model/study.h"
#include "server/model/trial.h"
#include "server/model/value.h"

namespace knob {

// What a sampler may look at when proposing one trial.
struct SamplingContext {
  const StudyConfig& config;
  // Every trial of the study so far, in any state (running and waiting ones
  // included, so that a sampler can avoid them), ordered by number; plus
  // the trials already proposed earlier in the same suggest call.
  absl::Span<const Trial* const> trials;
  // The number the proposed trial will get.
  int64_t trial_number = 0;
  // Seeded from (study seed, trial number): the only randomness a sampler
  // may use, so that a study replayed on the same history proposes the
  // same trials.
  absl::BitGenRef rng;
};

class Sampler {
 public:
  virtual ~Sampler() = default;

  // Returns a value for every active parameter (conditions evaluated in
  // SamplingOrder), each inside its domain; inactive parameters absent;
  // fixed parameters take their value.
  // OUT_OF_RANGE when the sampler has nothing left to propose (a finished
  // grid); the message says why and becomes the study's completion reason.
  virtual absl::StatusOr<ParamAssignment> Sample(
      const SamplingContext& context) = 0;
};

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_SAMPLER_H_

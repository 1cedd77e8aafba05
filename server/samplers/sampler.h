// A Sampler proposes the parameters of new trials from the study's history.
// Samplers are created per study by SamplerRegistry (sampler_registry.h)
// from the study's AlgorithmSpec.
//
// Thread safety: the core calls a study's sampler from one thread at a time
// (under the study's lock); different studies' samplers run concurrently.
#ifndef KNOB_SERVER_SAMPLERS_SAMPLER_H_
#define KNOB_SERVER_SAMPLERS_SAMPLER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/random/bit_gen_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
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

  // Samplers whose proposals depend on more than (config, seed, history,
  // trial number) keep that extra state here, as opaque bytes the core
  // persists with the study in the same transaction as the trials sampled
  // from it, so that a restarted server or another replica resumes the run
  // instead of starting over. The bytes carry their own format version.
  // Stateless samplers keep the defaults: no state.
  virtual std::string SaveState() const { return {}; }
  // Replaces the sampler's state with bytes SaveState returned, possibly
  // in another process or an older version of the server; empty bytes
  // mean "start over". Returns INVALID_ARGUMENT when the bytes cannot be
  // read (another format or version); the sampler then starts over.
  virtual absl::Status LoadState(absl::string_view state) {
    if (state.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        "sampler state: this sampler keeps no state");
  }

  // Facts about the sampler worth showing with the study (e.g. what the
  // "auto" sampler chose and why), merged into the study's metadata when
  // the study is created. Keys start with "knob.".
  virtual std::map<std::string, std::string> StudyMetadata() const {
    return {};
  }
};

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_SAMPLER_H_

// Samplers with state, for tests of how the core persists and restores a
// sampler's state (Sampler::SaveState / LoadState) across transactions,
// restarts and replicas. They implement the real Sampler interface and run
// inside the real Tuner, registered into a SamplerRegistry the test builds.
#ifndef KNOB_TESTS_TESTING_TEST_SAMPLERS_H_
#define KNOB_TESTS_TESTING_TEST_SAMPLERS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "server/samplers/sampler_registry.h"

namespace knob::testing {

// "counting" counts its proposals in its state, not in the history: a
// proposal gives the int parameter named by its string option "parameter"
// (default "count"; required: unconditional, linear, from 0 with step 1)
// the number of proposals made before it, and every other active
// parameter a uniformly random value.
// So a sampler that lost or replayed its state proposes a count twice. It
// returns OUT_OF_RANGE once the count passes the parameter's maximum.
inline constexpr char kCountingSampler[] = "counting";

// The metadata key under which "counting" reports its parameter
// (StudyMetadata()).
inline constexpr char kCountingParameterKey[] =
    "knob.sampler.counted_parameter";

// The state "counting" saves after `proposals` proposals.
std::string CountingSamplerState(int64_t proposals);

// Registers every sampler above. ALREADY_EXISTS if one is registered.
absl::Status RegisterTestSamplers(SamplerRegistry& registry);

}  // namespace knob::testing

#endif  // KNOB_TESTS_TESTING_TEST_SAMPLERS_H_

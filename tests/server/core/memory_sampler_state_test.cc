// The sampler state suite over in-memory storage.
#include "server/storage/memory/memory_storage.h"
#include "tests/server/core/sampler_state_fixture.h"

namespace knob::testing {

INSTANTIATE_TEST_SUITE_P(Memory, SamplerStateTest,
                         ::testing::Values(TunerStorageParam{
                             "Memory", [] { return CreateMemoryStorage(); }}),
                         [](const auto& info) { return info.param.name; });

}  // namespace knob::testing

// The API suites over in-memory storage.
#include "server/storage/memory/memory_storage.h"
#include "tests/server/api/api_fixture.h"

namespace knob::testing {

const StorageParam kMemory{"Memory", [] { return CreateMemoryStorage(); }};

INSTANTIATE_TEST_SUITE_P(Memory, ApiTest, ::testing::Values(kMemory),
                         [](const auto& info) { return info.param.name; });

}  // namespace knob::testing

// The sampler state suite over PostgreSQL storage, each test in a database
// of its own.
#include "tests/server/core/sampler_state_fixture.h"
#include "tests/server/storage/postgres/test_database.h"

namespace knob::testing {

INSTANTIATE_TEST_SUITE_P(Postgres, SamplerStateTest,
                         ::testing::Values(TunerStorageParam{
                             "Postgres", [] { return NewTestStorage(); }}),
                         [](const auto& info) { return info.param.name; });

}  // namespace knob::testing

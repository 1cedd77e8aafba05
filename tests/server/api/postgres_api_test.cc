// The API suites over PostgreSQL storage, each test in a database of its
// own.
#include "tests/server/api/api_fixture.h"
#include "tests/server/storage/postgres/test_database.h"

namespace knob::testing {
namespace {

const StorageParam kPostgres{"Postgres", [] { return NewTestStorage(); }};

INSTANTIATE_TEST_SUITE_P(Postgres, ApiTest, ::testing::Values(kPostgres),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace knob::testing

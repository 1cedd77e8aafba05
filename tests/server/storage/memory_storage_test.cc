// Runs the Storage conformance suite against the in-memory storage.
#include "server/storage/memory/memory_storage.h"

#include "gtest/gtest.h"
#include "tests/server/storage/storage_conformance.h"

namespace knob::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Memory, StorageConformanceTest,
                         ::testing::Values(StorageFactory{
                             "Memory", [] { return CreateMemoryStorage(); }}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace knob::testing

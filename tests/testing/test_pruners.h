// Pruners that make a pruning decision predictable, for tests of how the
// decision travels to a worker and into the trial's record. They implement
// the real Pruner interface and run inside the real Tuner; a TestServer
// offers them through TestServerOptions::add_pruners.
#ifndef KNOB_TESTS_TESTING_TEST_PRUNERS_H_
#define KNOB_TESTS_TESTING_TEST_PRUNERS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "server/pruners/pruner_registry.h"

namespace knob::testing {

// "prune_from_step" prunes a trial as soon as it reports a value at a step
// of at least its int option "step" (default 1, must be >= 0), whatever the
// value and the other trials.
inline constexpr char kPruneFromStepPruner[] = "prune_from_step";

// The reason "prune_from_step" gives when `step` reaches `from_step`.
std::string PruneFromStepReason(int64_t step, int64_t from_step);

// Registers every pruner above. ALREADY_EXISTS if one is registered.
absl::Status RegisterTestPruners(PrunerRegistry& registry);

}  // namespace knob::testing

#endif  // KNOB_TESTS_TESTING_TEST_PRUNERS_H_

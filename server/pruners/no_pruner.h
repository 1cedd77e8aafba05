// The "none" pruner: never prunes.
#ifndef KNOB_SERVER_PRUNERS_NO_PRUNER_H_
#define KNOB_SERVER_PRUNERS_NO_PRUNER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/pruners/pruner.h"

namespace knob {

// Accepts no options.
absl::StatusOr<std::unique_ptr<Pruner>> CreateNoPruner(
    const StudyConfig& config, const AlgorithmSpec& spec);

}  // namespace knob

#endif  // KNOB_SERVER_PRUNERS_NO_PRUNER_H_

// The pruners a study can name in `config.pruner.name`.
#ifndef KNOB_SERVER_PRUNERS_PRUNER_REGISTRY_H_
#define KNOB_SERVER_PRUNERS_PRUNER_REGISTRY_H_

#include "server/model/algorithm_registry.h"
#include "server/pruners/pruner.h"

namespace knob {

// The default pruner name when a study names none.
inline constexpr char kDefaultPrunerName[] = "none";

class PrunerRegistry final : public AlgorithmRegistry<Pruner> {
 public:
  // Registers the built-in pruners.
  PrunerRegistry();
};

}  // namespace knob

#endif  // KNOB_SERVER_PRUNERS_PRUNER_REGISTRY_H_

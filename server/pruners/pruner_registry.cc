#include "server/pruners/pruner_registry.h"

#include "server/pruners/no_pruner.h"
#include "server/util/status_macros.h"

namespace knob {

PrunerRegistry::PrunerRegistry() : AlgorithmRegistry<Pruner>("pruner") {
  CHECK_OK(Register(kDefaultPrunerName, CreateNoPruner));
}

}  // namespace knob

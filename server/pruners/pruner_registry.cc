#include "server/pruners/pruner_registry.h"

#include "server/util/status_macros.h"
#include "server/pruners/no_pruner.h"

namespace knob {

PrunerRegistry::PrunerRegistry() : AlgorithmRegistry<Pruner>("pruner") {
  CHECK_OK(Register(kDefaultPrunerName, CreateNoPruner));
}

}  // namespace knob

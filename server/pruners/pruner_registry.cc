#include "server/pruners/pruner_registry.h"

#include "server/pruners/hyperband_pruner.h"
#include "server/pruners/no_pruner.h"
#include "server/pruners/patience_pruner.h"
#include "server/pruners/percentile_pruner.h"
#include "server/pruners/successive_halving_pruner.h"
#include "server/pruners/threshold_pruner.h"
#include "server/util/status_macros.h"

namespace knob {

PrunerRegistry::PrunerRegistry() : AlgorithmRegistry<Pruner>("pruner") {
  CHECK_OK(Register(kDefaultPrunerName, CreateNoPruner));
  CHECK_OK(Register("median", CreateMedianPruner));
  CHECK_OK(Register("percentile", CreatePercentilePruner));
  CHECK_OK(Register("successive_halving", CreateSuccessiveHalvingPruner));
  CHECK_OK(Register("hyperband", CreateHyperbandPruner));
  CHECK_OK(Register("threshold", CreateThresholdPruner));
  CHECK_OK(Register("patience", CreatePatiencePruner));
}

}  // namespace knob

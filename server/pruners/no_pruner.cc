#include "server/pruners/no_pruner.h"

#include "server/model/algorithm_options.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

class NoPruner final : public Pruner {
 public:
  absl::StatusOr<PruneDecision> ShouldPrune(const PruningContext&) override {
    return PruneDecision{};
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<Pruner>> CreateNoPruner(
    const StudyConfig&, const AlgorithmSpec& spec) {
  RETURN_IF_ERROR(AlgorithmOptions("pruner", spec).CheckAllUsed());
  return std::make_unique<NoPruner>();
}

}  // namespace knob

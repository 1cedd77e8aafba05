#include "tests/testing/test_pruners.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "server/model/algorithm_options.h"
#include "server/util/status_macros.h"

namespace knob::testing {
namespace {

class PruneFromStepPruner final : public Pruner {
 public:
  explicit PruneFromStepPruner(int64_t from_step) : from_step_(from_step) {}

  absl::StatusOr<PruneDecision> ShouldPrune(
      const PruningContext& context) override {
    const int64_t step = context.trial.intermediate_values.back().step;
    if (step < from_step_) return PruneDecision{};
    return PruneDecision{.prune = true,
                         .reason = PruneFromStepReason(step, from_step_)};
  }

 private:
  const int64_t from_step_;
};

absl::StatusOr<std::unique_ptr<Pruner>> CreatePruneFromStepPruner(
    const StudyConfig&, const AlgorithmSpec& spec) {
  AlgorithmOptions options("pruner", spec);
  ASSIGN_OR_RETURN(int64_t from_step, options.Int("step", 1));
  if (from_step < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("pruner.options.step: must be >= 0, got ", from_step));
  }
  RETURN_IF_ERROR(options.CheckAllUsed());
  return std::make_unique<PruneFromStepPruner>(from_step);
}

}  // namespace

std::string PruneFromStepReason(int64_t step, int64_t from_step) {
  return absl::StrCat("step ", step, " reached; ", kPruneFromStepPruner,
                      " prunes from step ", from_step);
}

absl::Status RegisterTestPruners(PrunerRegistry& registry) {
  return registry.Register(kPruneFromStepPruner, CreatePruneFromStepPruner);
}

}  // namespace knob::testing

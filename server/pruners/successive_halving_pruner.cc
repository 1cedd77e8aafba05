#include "server/pruners/successive_halving_pruner.h"

#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/model/algorithm_options.h"
#include "server/pruners/asha_rungs.h"
#include "server/pruners/learning_curves.h"
#include "server/pruners/pruner_options.h"
#include "server/pruners/report_screen.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

class SuccessiveHalvingPruner final : public Pruner {
 public:
  SuccessiveHalvingPruner(PrunerCommonOptions options, RungLadder ladder)
      : options_(std::move(options)),
        ladder_(ladder),
        curves_(options_.metric) {}

  absl::StatusOr<PruneDecision> ShouldPrune(
      const PruningContext& context) override {
    auto screened = ScreenReport(context, options_);
    if (auto* decision = std::get_if<PruneDecision>(&screened)) {
      return *decision;
    }
    const JudgedReport& report = std::get<JudgedReport>(screened);
    const std::vector<int64_t> rung_steps = RungsReachedBy(report, ladder_);
    if (rung_steps.empty()) return PruneDecision{};
    std::vector<const Curve*> peers;
    for (const Trial* trial : context.trials) {
      if (trial == nullptr || trial->number == context.trial.number ||
          !IsCompared(trial->state)) {
        continue;
      }
      peers.push_back(&curves_.CurveOf(*trial));
    }
    return JudgeAtRungs(report, rung_steps, peers, ladder_, options_);
  }

 private:
  const PrunerCommonOptions options_;
  const RungLadder ladder_;
  CurveCache curves_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Pruner>> CreateSuccessiveHalvingPruner(
    const StudyConfig& config, const AlgorithmSpec& spec) {
  AlgorithmOptions reader("pruner", spec);
  ASSIGN_OR_RETURN(
      PrunerCommonOptions options,
      ParseCommonPrunerOptions(config, spec, reader, kRungOptionUse));
  RungLadder ladder;
  ASSIGN_OR_RETURN(
      ladder.min_resource,
      ReadIntAtLeast(spec, reader, "min_resource", ladder.min_resource, 1));
  ASSIGN_OR_RETURN(ladder.reduction_factor,
                   ReadIntAtLeast(spec, reader, "reduction_factor",
                                  ladder.reduction_factor, 2));
  ASSIGN_OR_RETURN(ladder.min_early_stopping_rate,
                   ReadIntAtLeast(spec, reader, "min_early_stopping_rate",
                                  ladder.min_early_stopping_rate, 0));
  if (!ladder.RungStep(0).has_value()) {
    return InvalidPrunerOption(
        spec, "min_early_stopping_rate",
        "a rate that puts the first rung "
        "(min_resource * reduction_factor^rate) at a step below 2^63",
        absl::StrCat(ladder.min_early_stopping_rate));
  }
  RETURN_IF_ERROR(reader.CheckAllUsed());
  return std::make_unique<SuccessiveHalvingPruner>(std::move(options), ladder);
}

}  // namespace knob

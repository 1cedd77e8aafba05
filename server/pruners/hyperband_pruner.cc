#include "server/pruners/hyperband_pruner.h"

#include <limits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/model/algorithm_options.h"
#include "server/pruners/asha_rungs.h"
#include "server/pruners/hyperband_brackets.h"
#include "server/pruners/learning_curves.h"
#include "server/pruners/pruner_options.h"
#include "server/pruners/report_screen.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

class HyperbandPruner final : public Pruner {
 public:
  HyperbandPruner(PrunerCommonOptions options, uint64_t seed,
                  int64_t min_resource, int64_t max_resource,
                  int64_t reduction_factor)
      : options_(std::move(options)),
        seed_(seed),
        brackets_(min_resource, max_resource, reduction_factor),
        curves_(options_.metric) {
    for (int64_t bracket = 0; bracket < brackets_.count(); ++bracket) {
      ladders_.push_back({.min_resource = min_resource,
                          .reduction_factor = reduction_factor,
                          .min_early_stopping_rate = bracket,
                          .max_resource = max_resource});
    }
  }

  absl::StatusOr<PruneDecision> ShouldPrune(
      const PruningContext& context) override {
    auto screened = ScreenReport(context, options_);
    if (auto* decision = std::get_if<PruneDecision>(&screened)) {
      return *decision;
    }
    const JudgedReport& report = std::get<JudgedReport>(screened);
    const int64_t bracket = brackets_.BracketOf(seed_, context.trial.number);
    const RungLadder& ladder = ladders_[bracket];
    const std::vector<int64_t> rung_steps = RungsReachedBy(report, ladder);
    if (rung_steps.empty()) return PruneDecision{};
    std::vector<const Curve*> peers;
    for (const Trial* trial : context.trials) {
      if (trial == nullptr || trial->number == context.trial.number ||
          !IsCompared(trial->state) ||
          brackets_.BracketOf(seed_, trial->number) != bracket) {
        continue;
      }
      peers.push_back(&curves_.CurveOf(*trial));
    }
    PruneDecision decision =
        JudgeAtRungs(report, rung_steps, peers, ladder, options_);
    if (decision.prune) {
      decision.reason = absl::StrCat("bracket ", bracket, " of ",
                                     brackets_.count(), ": ", decision.reason);
    }
    return decision;
  }

 private:
  const PrunerCommonOptions options_;
  const uint64_t seed_;
  const HyperbandBrackets brackets_;
  // By bracket.
  std::vector<RungLadder> ladders_;
  CurveCache curves_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Pruner>> CreateHyperbandPruner(
    const StudyConfig& config, const AlgorithmSpec& spec) {
  AlgorithmOptions reader("pruner", spec);
  ASSIGN_OR_RETURN(
      PrunerCommonOptions options,
      ParseCommonPrunerOptions(config, spec, reader, kRungOptionUse));
  ASSIGN_OR_RETURN(int64_t min_resource,
                   ReadIntAtLeast(spec, reader, "min_resource", 1, 1));
  ASSIGN_OR_RETURN(int64_t max_resource, reader.Int("max_resource", 0));
  const int64_t max_allowed =
      min_resource > std::numeric_limits<int64_t>::max() /
                         HyperbandBrackets::kMaxResourceRatio
          ? std::numeric_limits<int64_t>::max()
          : min_resource * HyperbandBrackets::kMaxResourceRatio;
  if (!spec.options.contains("max_resource") || max_resource <= min_resource ||
      max_resource > max_allowed) {
    return InvalidPrunerOption(
        spec, "max_resource",
        absl::StrCat("an int in (min_resource, min_resource * 2^32] = (",
                     min_resource, ", ", max_allowed, "]"),
        spec.options.contains("max_resource") ? absl::StrCat(max_resource)
                                              : "none");
  }
  ASSIGN_OR_RETURN(int64_t reduction_factor,
                   ReadIntAtLeast(spec, reader, "reduction_factor", 3, 2));
  RETURN_IF_ERROR(reader.CheckAllUsed());
  return std::make_unique<HyperbandPruner>(std::move(options), config.seed,
                                           min_resource, max_resource,
                                           reduction_factor);
}

}  // namespace knob

#include "server/pruners/asha_rungs.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"

namespace knob {

std::optional<int64_t> RungLadder::RungStep(int64_t rung) const {
  int64_t step = min_resource;
  for (int64_t i = 0; i < min_early_stopping_rate + rung; ++i) {
    if (step > std::numeric_limits<int64_t>::max() / reduction_factor) {
      return std::nullopt;
    }
    step *= reduction_factor;
  }
  if (max_resource.has_value() && step >= *max_resource) return std::nullopt;
  return step;
}

std::vector<int64_t> RungsReachedBy(const JudgedReport& report,
                                    const RungLadder& ladder) {
  std::vector<int64_t> reached;
  for (int64_t rung = 0;; ++rung) {
    const std::optional<int64_t> rung_step = ladder.RungStep(rung);
    if (!rung_step.has_value() || *rung_step > report.step) break;
    // The reported point is in the curve, so there is a first point.
    if (FirstPointFrom(report.curve, *rung_step)->step == report.step) {
      reached.push_back(*rung_step);
    }
  }
  return reached;
}

PruneDecision JudgeAtRungs(const JudgedReport& report,
                           absl::Span<const int64_t> rung_steps,
                           absl::Span<const Curve* const> peers,
                           const RungLadder& ladder,
                           const PrunerCommonOptions& options) {
  for (int64_t rung_step : rung_steps) {
    int64_t competitors = 1;
    int64_t better = 0;
    for (const Curve* peer : peers) {
      const StepValue* point = FirstPointFrom(*peer, rung_step);
      if (point == nullptr) continue;
      ++competitors;
      if (IsBetter(point->value, report.value, options.direction)) ++better;
    }
    if (competitors - 1 < options.n_min_trials) continue;
    const int64_t kept =
        std::max<int64_t>(1, competitors / ladder.reduction_factor);
    if (better < kept) continue;
    return PruneDecision{
        .prune = true,
        .reason =
            absl::StrCat("step ", report.step, ": ", options.metric, " ",
                         report.value, " is not among the best ", kept, " of ",
                         competitors, " trials at the rung of step ", rung_step,
                         " (", better, " did better)")};
  }
  return PruneDecision{};
}

}  // namespace knob

// The rungs of asynchronous successive halving (ASHA: Li et al., "A System
// for Massively Parallel Hyperparameter Tuning", MLSys 2020) and its rule
// for letting a trial past a rung, shared by the "successive_halving" and
// "hyperband" pruners.
//
// Rung k (k = 0, 1, ...) sits at step
//   min_resource * reduction_factor^(min_early_stopping_rate + k),
// below max_resource when there is one. A trial's value at a rung is its
// value at its first reported step at or after the rung's step, so a trial
// that does not report exactly at a rung step still meets the rung.
//
// A trial is judged at a rung once, by the report that first reaches it (a
// report that passes several rungs is judged at each in turn and stops at
// the first it fails; a re-report of that same step is judged again).
// There it competes with its peers that reached the rung, by their values
// there; with fewer than n_min_trials peers it passes. Of the n = peers + 1
// competitors, the best max(1, floor(n / reduction_factor)) continue, ties
// going to the trial; the others are pruned. As in ASHA a decision is
// never revisited: a trial let through early, against few competitors,
// keeps going.
#ifndef KNOB_SERVER_PRUNERS_ASHA_RUNGS_H_
#define KNOB_SERVER_PRUNERS_ASHA_RUNGS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "server/pruners/learning_curves.h"
#include "server/pruners/pruner.h"
#include "server/pruners/pruner_options.h"
#include "server/pruners/report_screen.h"

namespace knob {

// The common options the rung-based pruners read: a rung needs no startup
// trials, since its first arrivals always go on (the best third of one
// trial is that trial), and the rungs take the place of warm-up and
// interval.
inline constexpr CommonOptionUse kRungOptionUse{.direction = true,
                                                .peers = true,
                                                .step_schedule = false,
                                                .default_startup_trials = 0};

struct RungLadder {
  int64_t min_resource = 1;
  int64_t reduction_factor = 3;
  int64_t min_early_stopping_rate = 0;
  // No rung at this step or beyond; nullopt for no limit.
  std::optional<int64_t> max_resource;

  // The step of rung `rung`; nullopt when it is at or past max_resource or
  // beyond int64.
  std::optional<int64_t> RungStep(int64_t rung) const;
};

// The steps of the rungs that `report` is its trial's first report to
// reach, lowest first.
std::vector<int64_t> RungsReachedBy(const JudgedReport& report,
                                    const RungLadder& ladder);

// Judges `report` at `rung_steps` (from RungsReachedBy) against the curves
// of its peers, as described above.
PruneDecision JudgeAtRungs(const JudgedReport& report,
                           absl::Span<const int64_t> rung_steps,
                           absl::Span<const Curve* const> peers,
                           const RungLadder& ladder,
                           const PrunerCommonOptions& options);

}  // namespace knob

#endif  // KNOB_SERVER_PRUNERS_ASHA_RUNGS_H_

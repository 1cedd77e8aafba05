// The part of every pruner's answer that the common options decide: which
// reports a pruner's own rule judges at all, and which trials a trial is
// compared with.
#ifndef KNOB_SERVER_PRUNERS_REPORT_SCREEN_H_
#define KNOB_SERVER_PRUNERS_REPORT_SCREEN_H_

#include <cstdint>
#include <variant>

#include "server/model/trial.h"
#include "server/pruners/learning_curves.h"
#include "server/pruners/pruner.h"
#include "server/pruners/pruner_options.h"

namespace knob {

// A report that a pruner's own rule must judge.
struct JudgedReport {
  int64_t step = 0;
  double value = 0;
  // The reporting trial's curve of the judged metric, the reported value
  // included.
  Curve curve;
};

// Reads the value `context.trial` just reported (the last of its
// intermediate values) through `options`, in this order:
// - a report of another metric than options.metric: continue;
// - a value that is not finite: prune (the trial has diverged);
// - a step below options.n_warmup_steps, or a step whose interval window
//   (see PrunerCommonOptions::interval_steps) holds an earlier report of
//   the trial: continue;
// - fewer than options.n_startup_trials other trials COMPLETED or PRUNED:
//   continue;
// - otherwise the report, for the pruner's own rule.
// Decisions to continue carry no reason: they are stored with every value.
std::variant<JudgedReport, PruneDecision> ScreenReport(
    const PruningContext& context, const PrunerCommonOptions& options);

// Whether the values of a trial in `state` are compared with another's:
// those of RUNNING, COMPLETED and PRUNED trials are. FAILED and STALE
// trials are left out because their values are not results of the study
// (the run broke or its worker vanished), and WAITING ones have none.
bool IsCompared(TrialState state);

}  // namespace knob

#endif  // KNOB_SERVER_PRUNERS_REPORT_SCREEN_H_

#include "server/pruners/report_screen.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace knob {
namespace {

// Whether `step` is the trial's first report in its interval window, that
// is, no other step of `curve` lies in [window start, step).
bool FirstInWindow(const Curve& curve, int64_t step,
                   const PrunerCommonOptions& options) {
  const int64_t past_warmup = step - options.n_warmup_steps;
  const int64_t window_start =
      options.n_warmup_steps +
      past_warmup / options.interval_steps * options.interval_steps;
  const StepValue* first = FirstPointFrom(curve, window_start);
  return first == nullptr || first->step >= step;
}

bool StartupDone(const PruningContext& context, int64_t n_startup_trials) {
  int64_t finished = 0;
  for (const Trial* trial : context.trials) {
    if (finished >= n_startup_trials) return true;
    if (trial == nullptr || trial->number == context.trial.number) continue;
    if (trial->state == TrialState::kCompleted ||
        trial->state == TrialState::kPruned) {
      ++finished;
    }
  }
  return finished >= n_startup_trials;
}

}  // namespace

std::variant<JudgedReport, PruneDecision> ScreenReport(
    const PruningContext& context, const PrunerCommonOptions& options) {
  if (context.trial.intermediate_values.empty()) return PruneDecision{};
  const IntermediateValue& reported = context.trial.intermediate_values.back();
  if (reported.metric != options.metric) return PruneDecision{};
  if (!std::isfinite(reported.value)) {
    return PruneDecision{
        .prune = true,
        .reason = absl::StrCat("step ", reported.step, ": ", options.metric,
                               " is ", reported.value)};
  }
  if (reported.step < options.n_warmup_steps) return PruneDecision{};
  JudgedReport report{.step = reported.step,
                      .value = reported.value,
                      .curve = ExtractCurve(context.trial, options.metric)};
  if (!FirstInWindow(report.curve, report.step, options)) {
    return PruneDecision{};
  }
  if (!StartupDone(context, options.n_startup_trials)) return PruneDecision{};
  return report;
}

bool IsCompared(TrialState state) {
  return state == TrialState::kRunning || state == TrialState::kCompleted ||
         state == TrialState::kPruned;
}

}  // namespace knob

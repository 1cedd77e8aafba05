// The "patience" pruner: prunes a trial that has stopped improving,
// optionally only when another pruner agrees.
//
// At a judged step s (see ScreenReport for warm-up and interval), the
// trial's values of the metric at steps <= s are read in step order. The
// first sets the reference; a later one improves when it beats the
// reference by more than min_delta, and becomes the reference. When none
// of the trial's last `patience` reported steps up to s improved, the
// trial has run out of patience. Then, with no wrapped pruner, it is
// pruned; with one, it is pruned if the wrapped pruner, asked about the
// same report, says so. A wrapped pruner is thus held back while a trial
// still improves, as in Optuna's PatientPruner. Unlike that one, which
// prunes only once the last patience + 1 values are all worse than the
// earlier best by more than min_delta, a trial here must keep improving by
// more than min_delta: a plateau runs out of patience too.
#ifndef KNOB_SERVER_PRUNERS_PATIENCE_PRUNER_H_
#define KNOB_SERVER_PRUNERS_PATIENCE_PRUNER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/model/study.h"
#include "server/pruners/pruner.h"

namespace knob {

// Options: `metric`, `direction`, `n_warmup_steps` and `interval_steps`
// (pruner_options.h), and
// - `patience`: reported steps without improvement that exhaust the
//   trial's patience, an int >= 1; required;
// - `min_delta`: how much better than the reference a value must be to
//   count as an improvement, a finite number >= 0; default 0;
// - `wrapped`: the name of a built-in pruner to consult once patience runs
//   out; default "none", which prunes on patience alone;
// - `wrapped.<option>`: given to the wrapped pruner as `<option>`. The
//   wrapped pruner judges this pruner's `metric` unless `wrapped.metric`
//   says otherwise; for an extra metric it needs its own
//   `wrapped.direction`, as any pruner does.
// Errors in the wrapped pruner's options name
// `pruner.options.wrapped.<option>`.
absl::StatusOr<std::unique_ptr<Pruner>> CreatePatiencePruner(
    const StudyConfig& config, const AlgorithmSpec& spec);

}  // namespace knob

#endif  // KNOB_SERVER_PRUNERS_PATIENCE_PRUNER_H_

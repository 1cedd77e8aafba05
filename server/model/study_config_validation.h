// Validation of a study definition, before anything is stored.
#ifndef KNOB_SERVER_MODEL_STUDY_CONFIG_VALIDATION_H_
#define KNOB_SERVER_MODEL_STUDY_CONFIG_VALIDATION_H_

#include <string_view>

#include "absl/status/status.h"
#include "server/model/study.h"

namespace knob {

// INVALID_ARGUMENT with a message naming the field and the value at fault
// (e.g. `parameters[2] "lr": float_domain.log_scale requires min > 0, got
// min=0`), reporting the first problem found, for:
// - parameter and metric names that are empty, longer than 128 characters,
//   use characters other than letters, digits, '_', '.', '-', '/', or
//   repeat (metrics must be unique across objectives and extra_metrics);
// - more than 1000 parameters (a sanity limit);
// - float domains with non-finite bounds or range, min >= max, log scale with
//   min <= 0 or with a step, a step <= 0, larger than max - min, or below
//   1e-12 times max(|min|, |max|) (grid points too close to tell apart);
// - int domains with min >= max (use a fixed value), a step < 1 or larger
//   than max - min, log scale with min < 1 or a step other than 1;
// - an empty categorical, duplicate choice labels (ParamValueLabel), or a
//   NaN choice or fixed value;
// - a condition on a missing parent, on itself or in a cycle (the message
//   shows the cycle), on a continuous float (its values never match
//   exactly), with no values, or with a value the parent cannot take (a
//   stepped float's value must be written as its grid point, e.g. 0.3);
// - a constraint on an empty metric, on one that is not an extra metric
//   (an objective's metric included), with a non-finite bound, a second
//   max or a second min on one metric, or a min above the metric's max
//   (no trial could be feasible);
// - no objectives; negative max_trials, max_failed_trials or
//   max_wall_time, an infinite max_wall_time; a lease_duration that is
//   not positive and finite; max_stale_retries outside 0..100.
// Sampler and pruner names and options are checked by their registries,
// not here.
absl::Status ValidateStudyConfig(const StudyConfig& config);

// Study names: 1–128 characters of letters, digits, '_', '.', '-'.
absl::Status ValidateStudyName(std::string_view name);

}  // namespace knob

#endif  // KNOB_SERVER_MODEL_STUDY_CONFIG_VALIDATION_H_

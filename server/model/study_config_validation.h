// Validation of a study definition, before anything is stored.
#ifndef KNOB_SERVER_MODEL_STUDY_CONFIG_VALIDATION_H_
#define KNOB_SERVER_MODEL_STUDY_CONFIG_VALIDATION_H_

#include <string_view>

#include "absl/status/status.h"
#include "server/model/study.h"

namespace knob {

// INVALID_ARGUMENT with a message naming the field and the value at fault
// (e.g. `parameters[2] "lr": log_scale requires min > 0, got min=0`) for:
// empty, malformed or duplicate parameter or metric names; min >= max;
// log scale with min <= 0; a step <= 0 or larger than the range; an empty
// categorical or duplicate choice labels; a condition on a missing parent,
// on itself or in a cycle, or with values its parent cannot take; no
// objectives; negative budgets or lease. Sampler and pruner names and
// options are checked by their registries, not here.
absl::Status ValidateStudyConfig(const StudyConfig& config);

// Study names: 1–128 characters of letters, digits, '_', '.', '-'.
absl::Status ValidateStudyName(std::string_view name);

}  // namespace knob

#endif  // KNOB_SERVER_MODEL_STUDY_CONFIG_VALIDATION_H_

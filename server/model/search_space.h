// Questions about a study's search space that samplers, validation and the
// core all ask: in which order to assign parameters, which are active, and
// whether a value lies in a domain.
#ifndef KNOB_SERVER_MODEL_SEARCH_SPACE_H_
#define KNOB_SERVER_MODEL_SEARCH_SPACE_H_

#include <vector>

#include "absl/status/status.h"
#include "server/model/study.h"
#include "server/model/value.h"

namespace knob {

// The parameters in an order where every condition's parent comes before
// the parameter it conditions; otherwise in declaration order. Requires a
// config that passed ValidateStudyConfig (no cycles, parents exist).
std::vector<const ParameterSpec*> SamplingOrder(const StudyConfig& config);

// Whether `spec` is active given the values assigned so far (its parent
// must already be assigned, i.e. use SamplingOrder).
bool IsActive(const ParameterSpec& spec, const ParamAssignment& assigned);

// Whether `value` is one of the values `domain` can take: in range, on the
// step grid, of the right kind (an int is accepted for a float domain).
bool DomainContains(const Domain& domain, const ParamValue& value);

// Same value for the purposes of a domain: 2 (int) equals 2.0 (double) when
// compared with a float domain's values or a categorical choice.
bool SameValue(const ParamValue& a, const ParamValue& b);

// Checks user-given parameters (an enqueued trial) against the space: every
// active parameter present and inside its domain, no unknown or inactive
// ones. INVALID_ARGUMENT naming the parameter and value otherwise. Returns
// the assignment normalised to the domain's kinds (ints in float domains
// become doubles, fixed values filled in).
absl::StatusOr<ParamAssignment> NormalizeAssignment(
    const StudyConfig& config, const ParamAssignment& given);

// The number of distinct values of a domain, or nullopt for a continuous
// float domain.
std::optional<int64_t> DomainCardinality(const Domain& domain);

}  // namespace knob

#endif  // KNOB_SERVER_MODEL_SEARCH_SPACE_H_

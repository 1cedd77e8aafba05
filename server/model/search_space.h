// Questions about a study's search space that samplers, validation and the
// core all ask: in which order to assign parameters, which are active, and
// whether a value lies in a domain.
#ifndef KNOB_SERVER_MODEL_SEARCH_SPACE_H_
#define KNOB_SERVER_MODEL_SEARCH_SPACE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
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
// A stepped float value is on the grid when it is within a tiny tolerance
// of a grid point (max(1e-9 * step, a few ulps of the range's bounds)), so
// that 0.1 * 3 and 0.3 are both accepted for step 0.1.
bool DomainContains(const Domain& domain, const ParamValue& value);

// Same value for the purposes of a domain: 2 (int) equals 2.0 (double) when
// compared with a float domain's values or a categorical choice.
bool SameValue(const ParamValue& a, const ParamValue& b);

// Checks user-given parameters (an enqueued trial) against the space: every
// active parameter present and inside its domain, no unknown or inactive
// ones. INVALID_ARGUMENT naming the parameter and value otherwise. Returns
// the assignment normalised to the domain's kinds (ints in float domains
// become doubles, stepped floats their canonical grid point, categorical
// values the choice as declared, fixed values filled in).
absl::StatusOr<ParamAssignment> NormalizeAssignment(
    const StudyConfig& config, const ParamAssignment& given);

// The number of distinct values of a domain, or nullopt for a continuous
// float domain. Astronomically large grids report a saturated count
// (at least 4e18) instead of overflowing.
std::optional<int64_t> DomainCardinality(const Domain& domain);

// The `index`-th value of a discrete domain: ascending for int and stepped
// float domains, declaration order for categorical ones. Requires
// 0 <= index < DomainCardinality(domain). A stepped float's point is
// min + index * step rounded to the shortest decimal within a few ulps
// (0.3, not 0.30000000000000004) and never above max.
ParamValue DomainPoint(const Domain& domain, int64_t index);

// The inverse of DomainPoint: the index of the grid point `value` denotes,
// or nullopt when DomainContains(domain, value) is false or the domain is a
// continuous float.
std::optional<int64_t> DomainIndex(const Domain& domain,
                                   const ParamValue& value);

// A short description for error messages, e.g. `float [0.001, 0.1] log`,
// `int [1, 9] step 2`, `categorical {"adam", "sgd"}`, `fixed 3`.
std::string DomainDescription(const Domain& domain);

// A value as error messages show it: strings quoted, others as labels.
std::string QuotedValue(const ParamValue& value);

}  // namespace knob

#endif  // KNOB_SERVER_MODEL_SEARCH_SPACE_H_

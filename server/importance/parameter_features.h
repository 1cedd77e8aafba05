// How a study's parameters become features of the forest: every parameter
// that can take more than one value is one feature, measured the way the
// random sampler draws it, so that fANOVA spreads the variance over the
// space as the study explores it:
//   float       its value in [min, max]; log-scale ones as log(value);
//               stepped ones over [min - step/2, last point + step/2], so
//               that every grid point covers the same length;
//   int         likewise, over [min - step/2, last + step/2]; log-scale
//               ones as log(value) over [log(min - 1/2), log(max + 1/2)];
//   categorical the index of the choice, split by subsets of choices and
//               every choice weighing the same.
// Fixed parameters and domains of a single value are not features: they
// explain nothing.
//
// Thread safety: the functions are pure.
#ifndef KNOB_SERVER_IMPORTANCE_PARAMETER_FEATURES_H_
#define KNOB_SERVER_IMPORTANCE_PARAMETER_FEATURES_H_

#include <optional>

#include "absl/status/statusor.h"
#include "server/importance/regression_forest.h"
#include "server/model/study.h"
#include "server/model/value.h"

namespace knob::importance {

// The feature a parameter of `domain` becomes; nullopt when the domain
// holds one value only. Requires a validated domain.
std::optional<FeatureSpace> ParameterFeature(const Domain& domain);

// `value` as a value of ParameterFeature(domain), which must exist; kept
// inside its bounds. INTERNAL when a categorical value is none of the
// choices or a numeric parameter holds no number (stored trials are
// validated, so only corrupt data gets there).
absl::StatusOr<double> FeatureValue(const Domain& domain,
                                    const FeatureSpace& feature,
                                    const ParamValue& value);

}  // namespace knob::importance

#endif  // KNOB_SERVER_IMPORTANCE_PARAMETER_FEATURES_H_

// How TPE sees a search space: each non-fixed parameter as one axis of the
// Parzen estimators (continuous floats on [0, 1], in log space for log
// domains; ints and stepped floats as the cells of their grid; categoricals
// as choices), and the parameters split into the groups that are modelled
// jointly.
//
// Thread safety: immutable after construction; const methods are safe to
// call concurrently.
#ifndef KNOB_SERVER_SAMPLERS_TPE_PARAMETER_AXES_H_
#define KNOB_SERVER_SAMPLERS_TPE_PARAMETER_AXES_H_

#include <optional>
#include <vector>

#include "server/model/study.h"
#include "server/model/value.h"
#include "server/samplers/tpe/parzen_estimator.h"

namespace knob {

class ParameterAxis {
 public:
  // `spec` must be valid (ValidateStudyConfig) and not fixed.
  explicit ParameterAxis(const ParameterSpec& spec);

  const ParameterSpec& spec() const { return spec_; }
  const KernelAxis& kernel_axis() const { return kernel_axis_; }

  // The coordinate of `value`, or nullopt when it is outside the domain.
  std::optional<double> Encode(const ParamValue& value) const;
  // The value a coordinate of this axis stands for: always inside the
  // domain.
  ParamValue Decode(double coordinate) const;

 private:
  ParameterSpec spec_;
  KernelAxis kernel_axis_;
  // Continuous floats: the domain's bounds (their logs for log domains).
  double low_ = 0;
  double high_ = 1;
};

// Groups of parameters modelled by one joint density, as indices into
// `parameters` (the non-fixed parameters in SamplingOrder); every parameter
// is in exactly one group; groups and their members are in sampling order.
//   - not multivariate: one group per parameter;
//   - multivariate with `group`: one per condition (parameters with equal
//     conditions are always active together), the unconditional ones
//     forming one group;
//   - multivariate without `group`: the unconditional parameters together,
//     each conditional one on its own.
std::vector<std::vector<int>> ParameterGroups(
    const std::vector<const ParameterSpec*>& parameters, bool multivariate,
    bool group);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_TPE_PARAMETER_AXES_H_

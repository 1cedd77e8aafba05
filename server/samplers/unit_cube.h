// Maps the points of a search space to and from the unit cube [0, 1]^d, one
// coordinate per non-fixed parameter (conditional ones included), so that
// samplers which think in continuous coordinates (Sobol, CMA-ES, Gaussian
// processes) share one definition of "where a value lies".
//
// Per domain:
//   - continuous float: linear in the value, or in its log for log scale;
//   - int and stepped float: the same, over the range widened by half a
//     step on each side, so that after rounding every grid point owns an
//     equal share of the coordinate (of its log for log-scale ints);
//   - categorical with k choices: choice i owns [i/k, (i+1)/k).
// Decoding rounds to the nearest grid point or choice, so any point of the
// cube decodes to a valid assignment.
//
// Thread safety: immutable after construction; const methods are safe to
// call concurrently.
#ifndef KNOB_SERVER_SAMPLERS_UNIT_CUBE_H_
#define KNOB_SERVER_SAMPLERS_UNIT_CUBE_H_

#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "server/model/study.h"
#include "server/model/value.h"

namespace knob {

class UnitCube {
 public:
  // Requires a config that passed ValidateStudyConfig.
  explicit UnitCube(const StudyConfig& config);

  // The number of coordinates: the non-fixed parameters.
  int dimensions() const { return static_cast<int>(coordinates_.size()); }
  // The parameter behind coordinate `i`, 0 <= i < dimensions(); coordinates
  // follow SamplingOrder, so a condition's parent comes first.
  const ParameterSpec& parameter(int i) const { return *coordinates_[i]; }
  // The coordinate of the parameter named `name`, if it has one.
  std::optional<int> CoordinateOf(const std::string& name) const;

  // Whether coordinate `i` is a categorical parameter.
  bool IsCategorical(int i) const;
  // The number of values coordinate `i` can decode to (choices or grid
  // points), or nullopt for a continuous float.
  std::optional<int64_t> Cardinality(int i) const;

  // The value coordinate `i` denotes at `u`; u is clamped to [0, 1].
  ParamValue DecodeCoordinate(int i, double u) const;
  // Where `value` lies for coordinate `i`: a value inside the domain maps
  // into [0, 1] (a grid point or choice to the centre of its share).
  // nullopt when the value is not in the domain.
  std::optional<double> EncodeCoordinate(int i, const ParamValue& value) const;

  // The assignment a point denotes: `point` has dimensions() coordinates;
  // parameters are assigned in SamplingOrder, inactive ones left out, fixed
  // ones set to their value.
  ParamAssignment Decode(absl::Span<const double> point) const;
  // The point of an assignment; coordinates of parameters that are
  // inactive, missing or outside their domain are nullopt.
  std::vector<std::optional<double>> Encode(
      const ParamAssignment& params) const;

 private:
  // Every parameter in SamplingOrder, fixed ones included.
  std::vector<ParameterSpec> order_;
  // The non-fixed entries of order_.
  std::vector<const ParameterSpec*> coordinates_;
};

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_UNIT_CUBE_H_

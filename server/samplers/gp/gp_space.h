// The search space as the Gaussian-process sampler models it: the
// coordinates of UnitCube (unit_cube.h), one per non-fixed parameter, with
//   - continuous floats as they are (log scales already linear there);
//   - ints and stepped floats kept on their grid: a point's coordinate is
//     always the encoding of a grid point, so the model is asked about the
//     values a trial can really take (the acquisition optimiser moves them
//     in grid steps, and continuously only as a relaxation it rounds);
//   - categoricals at the centre of their choice's share, compared by
//     equality in the kernel;
//   - inactive parameters (a condition not met, or a value missing or
//     outside the domain) at a constant: 0.5 for numeric coordinates, -1
//     (no choice) for categorical ones, so that every point is one vector
//     of fixed length and points where a parameter is inactive look alike
//     in that coordinate.
//
// Thread safety: immutable after construction; const methods are safe to
// call concurrently.
#ifndef KNOB_SERVER_SAMPLERS_GP_GP_SPACE_H_
#define KNOB_SERVER_SAMPLERS_GP_GP_SPACE_H_

#include <cstdint>
#include <vector>

#include "Eigen/Core"
#include "absl/random/bit_gen_ref.h"
#include "server/model/study.h"
#include "server/model/value.h"
#include "server/samplers/unit_cube.h"

namespace knob::gp {

inline constexpr double kInactiveNumeric = 0.5;
inline constexpr double kInactiveCategorical = -1;

enum class CoordinateKind { kContinuous, kDiscrete, kCategorical };

class GpSpace {
 public:
  // Requires a config that passed ValidateStudyConfig.
  explicit GpSpace(const StudyConfig& config);

  int dimensions() const { return cube_.dimensions(); }
  CoordinateKind kind(int i) const { return kinds_[i]; }
  // Per coordinate, whether it is categorical (as the kernel wants it).
  std::vector<bool> categorical() const;
  // Whether any parameter is conditional.
  bool has_conditions() const { return has_conditions_; }

  // The number of grid points or choices of a discrete or categorical
  // coordinate.
  int64_t Cardinality(int i) const { return cardinalities_[i]; }
  // The coordinate of grid point or choice `index` of coordinate i.
  double GridPoint(int i, int64_t index) const;
  // The grid point or choice coordinate i's value `u` rounds to.
  int64_t GridIndex(int i, double u) const;

  // The point of a trial's parameters.
  Eigen::VectorXd Encode(const ParamAssignment& params) const;
  // Moves `point` to the point it denotes: discrete and categorical
  // coordinates onto their grid, inactive ones to their constant.
  void Canonicalize(Eigen::VectorXd& point) const;
  // Whether coordinate i is active at a canonical `point`.
  std::vector<bool> ActiveCoordinates(const Eigen::VectorXd& point) const;
  // The assignment `point` denotes.
  ParamAssignment Decode(const Eigen::VectorXd& point) const;
  // A canonical point drawn uniformly from the unit cube.
  Eigen::VectorXd RandomPoint(absl::BitGenRef rng) const;

 private:
  double InactiveValue(int i) const;

  UnitCube cube_;
  std::vector<CoordinateKind> kinds_;
  std::vector<int64_t> cardinalities_;
  // Grid point coordinates of discrete and categorical coordinates with
  // at most kCachedGridSize points; computed on demand for larger grids.
  std::vector<std::vector<double>> grids_;
  bool has_conditions_ = false;
};

}  // namespace knob::gp

#endif  // KNOB_SERVER_SAMPLERS_GP_GP_SPACE_H_

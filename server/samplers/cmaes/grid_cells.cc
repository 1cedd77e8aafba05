#include "server/samplers/cmaes/grid_cells.h"

#include <algorithm>
#include <limits>

namespace knob::cmaes {
namespace {

// The edge between `inside` (decodes to `value`) and `outside` (does not).
double Edge(const UnitCube& cube, int i, const ParamValue& value, double inside,
            double outside) {
  for (int step = 0; step < 50; ++step) {
    const double mid = (inside + outside) / 2;
    if (cube.DecodeCoordinate(i, mid) == value) {
      inside = mid;
    } else {
      outside = mid;
    }
  }
  return (inside + outside) / 2;
}

}  // namespace

std::optional<GridCell> GridCellAround(const UnitCube& cube, int i, double u) {
  if (cube.IsCategorical(i) || !cube.Cardinality(i).has_value()) {
    return std::nullopt;
  }
  u = std::clamp(u, 0.0, 1.0);
  const ParamValue value = cube.DecodeCoordinate(i, u);
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  GridCell cell{-kInfinity, kInfinity};
  if (cube.DecodeCoordinate(i, 0) != value)
    cell.lower = Edge(cube, i, value, u, 0);
  if (cube.DecodeCoordinate(i, 1) != value)
    cell.upper = Edge(cube, i, value, u, 1);
  return cell;
}

}  // namespace knob::cmaes

// Where the grid of an int or stepped-float coordinate of the unit cube
// lies, as the CMA-ES margin needs it: the interval of coordinate values
// that decode to the same grid point.
#ifndef KNOB_SERVER_SAMPLERS_CMAES_GRID_CELLS_H_
#define KNOB_SERVER_SAMPLERS_CMAES_GRID_CELLS_H_

#include <optional>

#include "server/samplers/cmaes/cma_state.h"
#include "server/samplers/unit_cube.h"

namespace knob::cmaes {

// The cell of coordinate `i` of `cube` holding `u` (clamped to [0, 1]): the
// values that decode as `u` does, found by bisection to within 1e-15. An
// end is infinite where the cell touches a face of the cube, since values
// beyond it clamp into the cell. nullopt for continuous floats and for
// categorical coordinates.
std::optional<GridCell> GridCellAround(const UnitCube& cube, int i, double u);

}  // namespace knob::cmaes

#endif  // KNOB_SERVER_SAMPLERS_CMAES_GRID_CELLS_H_

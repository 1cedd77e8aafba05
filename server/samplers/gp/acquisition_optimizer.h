// Finds the point of the search space where the acquisition function is
// highest, over a mixed space of continuous, discrete and categorical
// coordinates (gp_space.h):
//   1. screens quasi-random (scrambled Sobol') points of the space plus
//      perturbations of the best observed points, in one batch;
//   2. refines the best few of them, and the best observed points
//      themselves, by local search: L-BFGS-B over the continuous
//      coordinates (and, relaxed, over discrete ones with many grid
//      points, then rounded), alternating with moves of one discrete or
//      categorical coordinate at a time (every choice when there are few,
//      else steps of 1, 2, 4, ... grid points each way), until neither
//      improves.
// Every point compared is canonical, so the value of the returned point
// is the acquisition of the point the trial will really get.
//
// Thread safety: a pure function of its arguments.
#ifndef KNOB_SERVER_SAMPLERS_GP_ACQUISITION_OPTIMIZER_H_
#define KNOB_SERVER_SAMPLERS_GP_ACQUISITION_OPTIMIZER_H_

#include <vector>

#include "Eigen/Core"
#include "absl/random/bit_gen_ref.h"
#include "server/samplers/gp/acquisition.h"
#include "server/samplers/gp/gp_space.h"

namespace knob::gp {

struct AcquisitionOptimizerOptions {
  // Space-filling points screened. Default: 1024.
  int candidates = 1024;
  // Screened points refined by local search, besides the incumbents.
  // Default: 8.
  int local_searches = 8;
};

// Where the search starts and what it must avoid.
struct AcquisitionSearchPoints {
  // The best observed points (canonical, best first): their
  // neighbourhoods are screened and each starts a local search.
  std::vector<Eigen::VectorXd> incumbents;
  // Points never returned (canonical): those of trials still being
  // evaluated. A model that believes their outcome may still rate them
  // highest, which over a discrete space would repeat a point within one
  // batch.
  std::vector<Eigen::VectorXd> excluded;
};

struct AcquisitionMaximum {
  // Canonical.
  Eigen::VectorXd point;
  double value = 0;
};

// Maximises `acquisition` over `space`. `length_scales` (the model's, one
// per coordinate) rescale the continuous coordinates for L-BFGS-B so that
// every direction has a similar curvature. Draws only from `rng`. The
// value is -inf when every point found was excluded.
AcquisitionMaximum MaximizeAcquisition(
    const AcquisitionFunction& acquisition, const GpSpace& space,
    const Eigen::VectorXd& length_scales, const AcquisitionSearchPoints& points,
    const AcquisitionOptimizerOptions& options, absl::BitGenRef rng);

}  // namespace knob::gp

#endif  // KNOB_SERVER_SAMPLERS_GP_ACQUISITION_OPTIMIZER_H_

// The CMA-ES sampler's state as it is persisted with the study after every
// sampled trial: the strategy, and which trials are candidates of its
// current generation with the point each was drawn at.
//
// Bytes: the magic "knob.cmaes", a little-endian uint32 format version
// (kRunStateVersion), then the fields. A new layout gets a new version, and
// decoding rejects versions it does not know.
#ifndef KNOB_SERVER_SAMPLERS_CMAES_RUN_STATE_H_
#define KNOB_SERVER_SAMPLERS_CMAES_RUN_STATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "Eigen/Core"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/samplers/cmaes/cma_state.h"

namespace knob::cmaes {

inline constexpr uint32_t kRunStateVersion = 1;

// One trial proposed from the current generation.
struct Candidate {
  int64_t trial_number = 0;
  // Where the trial was drawn, in the strategy's coordinates (inside the
  // unit cube): the generation's update learns from this point, which
  // keeps the coordinates of parameters the trial left inactive.
  Eigen::VectorXd point;
};

struct RunState {
  CmaState strategy;
  // By trial number.
  std::vector<Candidate> candidates;
};

std::string EncodeRunState(const RunState& state);

// INVALID_ARGUMENT when `bytes` are not an encoded RunState: another magic,
// an unknown version, truncated or malformed fields, trailing bytes.
absl::StatusOr<RunState> DecodeRunState(absl::string_view bytes);

}  // namespace knob::cmaes

#endif  // KNOB_SERVER_SAMPLERS_CMAES_RUN_STATE_H_

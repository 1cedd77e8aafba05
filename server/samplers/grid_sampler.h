// The "grid" sampler: suggests every point of a discrete search space
// exactly once (see grid_space.h for what the points are), then reports the
// grid exhausted.
//
// Options:
//   shuffle (bool)  Visit the points in a pseudo-random order derived from
//                   the study seed, so that the first trials spread over the
//                   whole space; false visits them in lexicographic order.
//                   Default: true.
//
// A point is handed out once: a point held by any trial of the history, in
// any state (waiting, running, failed, ...), is never suggested again. The
// suggestion is the first free point in visiting order, so it depends only
// on the seed and the history. A sampler instance caches what it learned
// from the trials it has seen, and stays correct when handed a history it
// has not seen (e.g. a new instance after a restart, or proposals of a
// suggest call that never committed).
#ifndef KNOB_SERVER_SAMPLERS_GRID_SAMPLER_H_
#define KNOB_SERVER_SAMPLERS_GRID_SAMPLER_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "server/model/study.h"
#include "server/samplers/sampler.h"

namespace knob {

// The largest grid the sampler accepts; larger spaces are an error at
// creation rather than a study that can never finish.
inline constexpr int64_t kMaxGridPoints = 10'000'000;

// INVALID_ARGUMENT naming the parameter when a float domain has no step
// (continuous), giving the size when the grid has more than kMaxGridPoints
// points, or naming an unknown or mistyped option.
absl::StatusOr<std::unique_ptr<Sampler>> CreateGridSampler(
    const StudyConfig& config, const AlgorithmSpec& spec);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_GRID_SAMPLER_H_

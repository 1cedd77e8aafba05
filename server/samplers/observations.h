// The study history as model-based samplers see it: finished trials with
// their objective values turned into losses (lower is better for every
// objective), and the trials still being evaluated, which a sampler should
// steer away from so that parallel workers do not crowd one spot.
#ifndef KNOB_SERVER_SAMPLERS_OBSERVATIONS_H_
#define KNOB_SERVER_SAMPLERS_OBSERVATIONS_H_

#include <optional>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/types/span.h"
#include "server/model/study.h"
#include "server/model/trial.h"

namespace knob {

struct Observation {
  const Trial* trial = nullptr;
  // One per objective, in the study's order; maximized objectives negated.
  // All finite. Inline: a study has one or two objectives as a rule, and
  // samplers observe every trial on every suggestion.
  absl::InlinedVector<double, 2> losses;
  // How far the trial misses the study's outcome constraints
  // (ConstraintViolation): 0 when feasible, always 0 without constraints.
  // A sampler should rank every feasible trial above every infeasible one,
  // and infeasible ones by this (smaller is closer to feasible), whatever
  // their losses, so that it steers towards the feasible region.
  double violation = 0;
};

struct PrunedObservation {
  const Trial* trial = nullptr;
  // The last step reported and the loss-oriented value of the first
  // objective there, when the trial reported any intermediate value.
  std::optional<int64_t> last_step;
  std::optional<double> last_loss;
};

struct Observations {
  // COMPLETED trials whose values are all finite, by number.
  std::vector<Observation> completed;
  // PRUNED trials, by number.
  std::vector<PrunedObservation> pruned;
  // RUNNING and WAITING trials (and those proposed earlier in the same
  // suggest call), by number.
  std::vector<const Trial*> pending;
  // FAILED and STALE trials, and COMPLETED ones with missing or non-finite
  // values: they say nothing about the objective.
  std::vector<const Trial*> failed;
};

// Sorts `trials` into the groups above.
Observations ObserveHistory(const StudyConfig& config,
                            absl::Span<const Trial* const> trials);

// The value as a loss for `objective`: negated when it is maximized.
double AsLoss(const Objective& objective, double value);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_OBSERVATIONS_H_

// A Pruner decides whether a running trial should stop early, from its
// intermediate values and those of the study's other trials. Pruners are
// created per study by PrunerRegistry (pruner_registry.h).
//
// Thread safety: called for one study from one thread at a time.
#ifndef KNOB_SERVER_PRUNERS_PRUNER_H_
#define KNOB_SERVER_PRUNERS_PRUNER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "server/model/study.h"
#include "server/model/trial.h"

namespace knob {

struct PruningContext {
  const StudyConfig& config;
  // Every trial of the study, by number.
  absl::Span<const Trial* const> trials;
  // The trial that just reported, with the new value already appended.
  const Trial& trial;
};

struct PruneDecision {
  bool prune = false;
  // Why, for the worker and the trial's record.
  std::string reason;
};

class Pruner {
 public:
  virtual ~Pruner() = default;
  virtual absl::StatusOr<PruneDecision> ShouldPrune(
      const PruningContext& context) = 0;
};

}  // namespace knob

#endif  // KNOB_SERVER_PRUNERS_PRUNER_H_

// The "auto" sampler, the default for new studies: picks the sampler that
// suits the study from the shape of its search space, its number of
// objectives and its budget, and delegates to it. The choice and the
// reason are shown in the study's metadata ("knob.sampler.auto" and
// "knob.sampler.auto_reason"), so that users see what runs their study.
//
// The rules, from measurements on the sampler benchmark
// (tests/bench/samplers.sh):
//   - several objectives: multi-objective TPE for budgets up to
//     kLongBudget trials, NSGA-II beyond (it needs many generations);
//   - more categorical than numeric parameters: TPE, which models choices
//     directly;
//   - unconditional numeric spaces with a long known budget (more than
//     kLongBudget trials): CMA-ES, whose cost per trial does not grow with
//     the history;
//   - otherwise, conditional spaces included: Gaussian-process Bayesian
//     optimization, which makes the most of each trial, until trial
//     kGpTrialLimit; TPE from then on, because the GP's cost grows with
//     the history.
//
// Thread safety: as for every Sampler.
#ifndef KNOB_SERVER_SAMPLERS_AUTO_SAMPLER_H_
#define KNOB_SERVER_SAMPLERS_AUTO_SAMPLER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/model/algorithm_registry.h"
#include "server/model/study.h"
#include "server/samplers/sampler.h"

namespace knob {

// Budgets above this many trials count as long.
inline constexpr int64_t kLongBudget = 1000;
// The GP hands over to TPE at this trial number.
inline constexpr int64_t kGpTrialLimit = 300;

struct AutoChoice {
  // The sampler that proposes the first trials.
  std::string sampler;
  // The sampler that takes over from trial `switch_at` on, if any.
  std::string later_sampler;
  int64_t switch_at = 0;
  // One sentence a user can read.
  std::string reason;
};

// The choice for a valid study config.
AutoChoice ChooseSampler(const StudyConfig& config);

// Accepts no options. Builds the chosen samplers from `registry`, which
// must outlive the sampler.
absl::StatusOr<std::unique_ptr<Sampler>> CreateAutoSampler(
    const StudyConfig& config, const AlgorithmSpec& spec,
    const AlgorithmRegistry<Sampler>& registry);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_AUTO_SAMPLER_H_

// The "tpe" sampler: the Tree-structured Parzen Estimator. After a few
// random trials it ranks the finished trials, fits one density to the best
// ("good") ones and one to the rest ("bad"), draws candidates from the good
// density and proposes the one where good trials are most likely relative
// to bad ones.
//
// Beyond the classic algorithm (Bergstra et al. 2011) it models the
// parameters that are active together with one joint density
// (multivariate, grouped by condition for conditional spaces), counts
// running trials as bad (the constant liar) so that parallel workers spread
// out, and for several objectives ranks trials by non-dominated sorting and
// hypervolume contribution (MOTPE). See tpe_options.h for the options.
//
// Stateless: every proposal is a function of the config, the history and
// the context's generator alone.
#ifndef KNOB_SERVER_SAMPLERS_TPE_TPE_SAMPLER_H_
#define KNOB_SERVER_SAMPLERS_TPE_TPE_SAMPLER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/model/study.h"
#include "server/samplers/sampler.h"

namespace knob {

// INVALID_ARGUMENT for an invalid config or a bad option (naming
// `sampler.options.<name>`). Accepts every valid search space.
absl::StatusOr<std::unique_ptr<Sampler>> CreateTpeSampler(
    const StudyConfig& config, const AlgorithmSpec& spec);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_TPE_TPE_SAMPLER_H_

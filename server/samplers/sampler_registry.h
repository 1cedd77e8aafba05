// The samplers a study can name in `config.sampler.name`.
#ifndef KNOB_SERVER_SAMPLERS_SAMPLER_REGISTRY_H_
#define KNOB_SERVER_SAMPLERS_SAMPLER_REGISTRY_H_

#include "server/model/algorithm_registry.h"
#include "server/samplers/sampler.h"

namespace knob {

// The default sampler name when a study names none.
inline constexpr char kDefaultSamplerName[] = "auto";

class SamplerRegistry final : public AlgorithmRegistry<Sampler> {
 public:
  // Registers the built-in samplers.
  SamplerRegistry();
  // "auto" builds its samplers through this registry, so it stays put.
  SamplerRegistry(const SamplerRegistry&) = delete;
  SamplerRegistry& operator=(const SamplerRegistry&) = delete;
};

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_SAMPLER_REGISTRY_H_

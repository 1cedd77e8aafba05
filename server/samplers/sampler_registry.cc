#include "server/samplers/sampler_registry.h"

#include "server/samplers/grid_sampler.h"
#include "server/samplers/random_sampler.h"
#include "server/util/status_macros.h"

namespace knob {

SamplerRegistry::SamplerRegistry() : AlgorithmRegistry<Sampler>("sampler") {
  CHECK_OK(Register("random", CreateRandomSampler));
  CHECK_OK(Register("grid", CreateGridSampler));
}

}  // namespace knob

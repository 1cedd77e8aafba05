#include "server/samplers/sampler_registry.h"

#include "server/samplers/auto_sampler.h"
#include "server/samplers/cmaes/cmaes_sampler.h"
#include "server/samplers/gp/gp_sampler.h"
#include "server/samplers/grid_sampler.h"
#include "server/samplers/multi_objective/nsga2_sampler.h"
#include "server/samplers/qmc/sobol_sampler.h"
#include "server/samplers/random_sampler.h"
#include "server/samplers/tpe/tpe_sampler.h"
#include "server/util/status_macros.h"

namespace knob {

SamplerRegistry::SamplerRegistry() : AlgorithmRegistry<Sampler>("sampler") {
  CHECK_OK(Register("random", CreateRandomSampler));
  CHECK_OK(Register("grid", CreateGridSampler));
  CHECK_OK(Register("cmaes", CreateCmaEsSampler));
  CHECK_OK(Register("sobol", CreateSobolSampler));
  CHECK_OK(Register("nsga2", CreateNsga2Sampler));
  CHECK_OK(Register("gp", CreateGpSampler));
  CHECK_OK(Register("tpe", CreateTpeSampler));
  CHECK_OK(Register(kDefaultSamplerName, [this](const StudyConfig& config,
                                                const AlgorithmSpec& spec) {
    return CreateAutoSampler(config, spec, *this);
  }));
}

}  // namespace knob

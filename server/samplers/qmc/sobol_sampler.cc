#include "server/samplers/qmc/sobol_sampler.h"

#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/model/algorithm_options.h"
#include "server/model/study_config_validation.h"
#include "server/samplers/qmc/sobol_sequence.h"
#include "server/samplers/unit_cube.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

class SobolSampler final : public Sampler {
 public:
  SobolSampler(const StudyConfig& config, SobolSequence sequence)
      : cube_(config), sequence_(std::move(sequence)) {}

  absl::StatusOr<ParamAssignment> Sample(
      const SamplingContext& context) override {
    return cube_.Decode(
        sequence_.Point(static_cast<uint64_t>(context.trial_number)));
  }

 private:
  UnitCube cube_;
  SobolSequence sequence_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Sampler>> CreateSobolSampler(
    const StudyConfig& config, const AlgorithmSpec& spec) {
  AlgorithmOptions options("sampler", spec);
  ASSIGN_OR_RETURN(const bool scramble, options.Bool("scramble", true));
  RETURN_IF_ERROR(options.CheckAllUsed());
  RETURN_IF_ERROR(ValidateStudyConfig(config));
  const int dimensions = UnitCube(config).dimensions();
  if (dimensions > kMaxSobolDimensions) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sampler \"sobol\": the search space has ", dimensions,
        " non-fixed parameters, more than the ", kMaxSobolDimensions,
        " Sobol' direction numbers cover; use the random sampler"));
  }
  ASSIGN_OR_RETURN(SobolSequence sequence,
                   scramble
                       ? SobolSequence::CreateScrambled(dimensions, config.seed)
                       : SobolSequence::Create(dimensions));
  return std::make_unique<SobolSampler>(config, std::move(sequence));
}

}  // namespace knob

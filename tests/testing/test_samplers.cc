#include "tests/testing/test_samplers.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/model/algorithm_options.h"
#include "server/model/search_space.h"
#include "server/samplers/random_sampler.h"
#include "server/util/status_macros.h"

namespace knob::testing {
namespace {

// Versioned, as real sampler states are.
constexpr absl::string_view kStatePrefix = "counting-v1:";

class CountingSampler final : public Sampler {
 public:
  CountingSampler(std::string parameter, int64_t max)
      : parameter_(std::move(parameter)), max_(max) {}

  absl::StatusOr<ParamAssignment> Sample(
      const SamplingContext& context) override {
    if (proposals_ > max_) {
      return absl::OutOfRangeError(
          absl::StrCat("counted past ", parameter_, "'s maximum ", max_));
    }
    ParamAssignment assignment;
    for (const ParameterSpec* spec : SamplingOrder(context.config)) {
      if (!IsActive(*spec, assignment)) continue;
      assignment[spec->name] = spec->name == parameter_
                                   ? ParamValue(proposals_)
                                   : SampleUniformly(spec->domain, context.rng);
    }
    ++proposals_;
    return assignment;
  }

  std::string SaveState() const override {
    return CountingSamplerState(proposals_);
  }

  absl::Status LoadState(absl::string_view state) override {
    if (state.empty()) {
      proposals_ = 0;
      return absl::OkStatus();
    }
    int64_t proposals = 0;
    if (!absl::ConsumePrefix(&state, kStatePrefix) ||
        !absl::SimpleAtoi(state, &proposals) || proposals < 0) {
      return absl::InvalidArgumentError(
          "sampler state: not a counting-v1 state");
    }
    proposals_ = proposals;
    return absl::OkStatus();
  }

  std::map<std::string, std::string> StudyMetadata() const override {
    return {{kCountingParameterKey, parameter_}};
  }

 private:
  const std::string parameter_;
  const int64_t max_;
  int64_t proposals_ = 0;
};

absl::StatusOr<std::unique_ptr<Sampler>> CreateCountingSampler(
    const StudyConfig& config, const AlgorithmSpec& spec) {
  AlgorithmOptions options("sampler", spec);
  ASSIGN_OR_RETURN(std::string parameter, options.String("parameter", "count"));
  RETURN_IF_ERROR(options.CheckAllUsed());
  for (const ParameterSpec& candidate : config.parameters) {
    const auto* domain = std::get_if<IntDomain>(&candidate.domain);
    if (candidate.name != parameter) continue;
    if (domain == nullptr || candidate.condition.has_value() ||
        domain->min != 0 || domain->step != 1 || domain->log_scale) {
      break;
    }
    return std::make_unique<CountingSampler>(parameter, domain->max);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("sampler.options.parameter: \"", parameter,
                   "\" is not an unconditional int parameter from 0 with "
                   "step 1"));
}

}  // namespace

std::string CountingSamplerState(int64_t proposals) {
  return absl::StrCat(kStatePrefix, proposals);
}

absl::Status RegisterTestSamplers(SamplerRegistry& registry) {
  return registry.Register(kCountingSampler, CreateCountingSampler);
}

}  // namespace knob::testing

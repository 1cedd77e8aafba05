#include "server/samplers/multi_objective/nsga2_sampler.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/model/algorithm_options.h"
#include "server/model/study_config_validation.h"
#include "server/samplers/multi_objective/nsga2_selection.h"
#include "server/samplers/multi_objective/nsga2_variation.h"
#include "server/samplers/observations.h"
#include "server/samplers/qmc/sobol_sequence.h"
#include "server/samplers/unit_cube.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

class Nsga2Sampler final : public Sampler {
 public:
  Nsga2Sampler(const StudyConfig& config, int64_t population_size,
               VariationOptions variation, SobolSequence first_generation)
      : cube_(config),
        population_size_(population_size),
        variation_(variation),
        first_generation_(std::move(first_generation)) {}

  absl::StatusOr<ParamAssignment> Sample(
      const SamplingContext& context) override {
    const int64_t generation = context.trial_number / population_size_;
    if (generation > 0) {
      std::optional<std::vector<double>> child =
          Breed(context, generation * population_size_);
      if (child) return cube_.Decode(*child);
    }
    return cube_.Decode(
        first_generation_.Point(static_cast<uint64_t>(context.trial_number)));
  }

 private:
  // A child of two survivors of the COMPLETED trials numbered below
  // `generation_start`, as a point of the cube; nullopt when there are
  // fewer than two such trials.
  std::optional<std::vector<double>> Breed(const SamplingContext& context,
                                           int64_t generation_start) const;

  UnitCube cube_;
  int64_t population_size_;
  VariationOptions variation_;
  SobolSequence first_generation_;
};

std::optional<std::vector<double>> Nsga2Sampler::Breed(
    const SamplingContext& context, int64_t generation_start) const {
  Observations observations = ObserveHistory(context.config, context.trials);
  // Oldest first, as SelectSurvivors breaks ties by position.
  std::vector<const Trial*> candidates;
  std::vector<std::vector<double>> losses;
  std::vector<double> violations;
  for (Observation& observation : observations.completed) {
    if (observation.trial->number >= generation_start) continue;
    candidates.push_back(observation.trial);
    losses.emplace_back(observation.losses.begin(), observation.losses.end());
    violations.push_back(observation.violation);
  }
  if (candidates.size() < 2) return std::nullopt;
  std::vector<Survivor> population = SelectSurvivors(
      losses, violations, static_cast<size_t>(population_size_));
  const size_t first_position = Tournament(population, context.rng);
  const Survivor first = population[first_position];
  // The second parent is another trial.
  population.erase(population.begin() + first_position);
  const Survivor second = population[Tournament(population, context.rng)];
  return MakeChild(cube_, cube_.Encode(candidates[first.index]->params),
                   cube_.Encode(candidates[second.index]->params), variation_,
                   context.rng);
}

absl::Status OutOfRange(const std::string& option, const std::string& range,
                        double value) {
  return absl::InvalidArgumentError(absl::StrCat(
      "sampler.options.", option, ": nsga2 expects ", range, ", got ", value));
}

absl::StatusOr<double> Probability(AlgorithmOptions& options,
                                   const std::string& name,
                                   double default_value) {
  ASSIGN_OR_RETURN(const double value, options.Double(name, default_value));
  if (!(value >= 0 && value <= 1)) {
    return OutOfRange(name, "a probability in [0, 1]", value);
  }
  return value;
}

absl::StatusOr<CrossoverKind> Crossover(AlgorithmOptions& options) {
  ASSIGN_OR_RETURN(const std::string name, options.String("crossover", "sbx"));
  if (name == "sbx") return CrossoverKind::kSbx;
  if (name == "blxalpha") return CrossoverKind::kBlxAlpha;
  if (name == "uniform") return CrossoverKind::kUniform;
  return absl::InvalidArgumentError(
      absl::StrCat("sampler.options.crossover: nsga2 expects \"sbx\", "
                   "\"blxalpha\" or \"uniform\", got \"",
                   name, "\""));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Sampler>> CreateNsga2Sampler(
    const StudyConfig& config, const AlgorithmSpec& spec) {
  RETURN_IF_ERROR(ValidateStudyConfig(config));
  const int dimensions = UnitCube(config).dimensions();
  AlgorithmOptions options("sampler", spec);
  ASSIGN_OR_RETURN(const int64_t population_size,
                   options.Int("population_size", 50));
  if (population_size < 2) {
    return OutOfRange("population_size", "at least 2",
                      static_cast<double>(population_size));
  }
  VariationOptions variation;
  ASSIGN_OR_RETURN(variation.crossover, Crossover(options));
  ASSIGN_OR_RETURN(variation.crossover_prob,
                   Probability(options, "crossover_prob", 0.9));
  ASSIGN_OR_RETURN(variation.swapping_prob,
                   Probability(options, "swapping_prob", 0.5));
  ASSIGN_OR_RETURN(
      variation.mutation_prob,
      Probability(options, "mutation_prob", 1.0 / std::max(dimensions, 1)));
  RETURN_IF_ERROR(options.CheckAllUsed());
  if (dimensions > kMaxSobolDimensions) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sampler \"nsga2\": the search space has ", dimensions,
        " non-fixed parameters, more than the ", kMaxSobolDimensions,
        " its first generation's Sobol' sequence covers"));
  }
  ASSIGN_OR_RETURN(SobolSequence first_generation,
                   SobolSequence::CreateScrambled(dimensions, config.seed));
  return std::make_unique<Nsga2Sampler>(config, population_size, variation,
                                        std::move(first_generation));
}

}  // namespace knob

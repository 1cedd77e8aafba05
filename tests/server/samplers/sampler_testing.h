// Helpers for sampler tests: compact search-space builders and a trial
// history that samples can be fed back into, as the core does.
#ifndef KNOB_TESTS_SERVER_SAMPLERS_SAMPLER_TESTING_H_
#define KNOB_TESTS_SERVER_SAMPLERS_SAMPLER_TESTING_H_

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/random/bit_gen_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "server/model/study.h"
#include "server/model/trial.h"
#include "server/samplers/sampler.h"

namespace knob::testing {

inline FloatDomain Floats(double min, double max,
                          std::optional<double> step = std::nullopt) {
  FloatDomain domain;
  domain.min = min;
  domain.max = max;
  domain.step = step;
  return domain;
}

inline FloatDomain LogFloats(double min, double max) {
  FloatDomain domain = Floats(min, max);
  domain.log_scale = true;
  return domain;
}

inline IntDomain Ints(int64_t min, int64_t max, int64_t step = 1) {
  IntDomain domain;
  domain.min = min;
  domain.max = max;
  domain.step = step;
  return domain;
}

inline IntDomain LogInts(int64_t min, int64_t max) {
  IntDomain domain = Ints(min, max);
  domain.log_scale = true;
  return domain;
}

inline CategoricalDomain Choices(std::vector<ParamValue> choices) {
  return CategoricalDomain{std::move(choices)};
}

inline ParameterSpec Param(std::string name, Domain domain) {
  return ParameterSpec{std::move(name), std::move(domain), std::nullopt};
}

inline ParameterSpec When(ParameterSpec spec, std::string parent,
                          std::vector<ParamValue> values) {
  spec.condition = Condition{std::move(parent), std::move(values)};
  return spec;
}

// A valid study config (one objective) over `parameters`.
inline StudyConfig Space(std::vector<ParameterSpec> parameters,
                         uint64_t seed = 42) {
  StudyConfig config;
  config.parameters = std::move(parameters);
  config.objectives = {{"loss", Direction::kMinimize}};
  config.seed = seed;
  return config;
}

inline AlgorithmSpec SamplerSpec(
    std::string name, std::map<std::string, ParamValue> options = {}) {
  return AlgorithmSpec{std::move(name), std::move(options)};
}

// The trials of one study, in number order, with stable addresses.
class History {
 public:
  const Trial& Add(ParamAssignment params,
                   TrialState state = TrialState::kRunning) {
    return AddNumbered(next_number_, std::move(params), state);
  }

  const Trial& AddNumbered(int64_t number, ParamAssignment params,
                           TrialState state = TrialState::kRunning) {
    Trial& trial = trials_.emplace_back();
    trial.number = number;
    trial.state = state;
    trial.params = std::move(params);
    pointers_.push_back(&trial);
    next_number_ = number + 1;
    return trial;
  }

  // Forgets the newest trials, as when a suggest call never committed.
  void Truncate(size_t size) {
    trials_.resize(size);
    pointers_.resize(size);
    next_number_ = size == 0 ? 0 : trials_.back().number + 1;
  }

  absl::Span<const Trial* const> trials() const { return pointers_; }
  int64_t next_number() const { return next_number_; }
  size_t size() const { return trials_.size(); }

 private:
  std::deque<Trial> trials_;
  std::vector<const Trial*> pointers_;
  int64_t next_number_ = 0;
};

// Samples the trial numbered history.next_number() with randomness derived
// from (study seed, trial number), as the core does.
inline absl::StatusOr<ParamAssignment> SampleNext(Sampler& sampler,
                                                  const StudyConfig& config,
                                                  const History& history) {
  const int64_t number = history.next_number();
  std::mt19937_64 rng(config.seed ^
                      (static_cast<uint64_t>(number) * 0x9e3779b97f4a7c15ULL));
  SamplingContext context{config, history.trials(), number,
                          absl::BitGenRef(rng)};
  return sampler.Sample(context);
}

}  // namespace knob::testing

#endif  // KNOB_TESTS_SERVER_SAMPLERS_SAMPLER_TESTING_H_

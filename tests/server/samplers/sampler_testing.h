// Helpers for sampler tests: a trial history that samples can be fed back
// into, as the core does (space builders are in tests/testing).
#ifndef KNOB_TESTS_SERVER_SAMPLERS_SAMPLER_TESTING_H_
#define KNOB_TESTS_SERVER_SAMPLERS_SAMPLER_TESTING_H_

#include <algorithm>
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
#include "tests/testing/space_builders.h"

namespace knob::testing {

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

  // Ends the trial numbered `number` (which must be in the history) in
  // `state`, with `values` and extra `metrics` when COMPLETED.
  void Finish(int64_t number, TrialState state, std::vector<double> values = {},
              std::map<std::string, double> metrics = {}) {
    for (Trial& trial : trials_) {
      if (trial.number != number) continue;
      trial.state = state;
      trial.values = std::move(values);
      trial.metrics = std::move(metrics);
      return;
    }
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

// A study that maximizes "sum" = x + y over [0, 1]^2 subject to the
// outcome constraint "excess" = x + y - 1 <= 0: the best trials lie on the
// line x + y = 1, and a sampler blind to the constraint heads for (1, 1).
inline StudyConfig ConstrainedSumStudy(uint64_t seed) {
  StudyConfig config =
      Space({Param("x", Floats(0, 1)), Param("y", Floats(0, 1))}, seed);
  config.objectives = {{"sum", Direction::kMaximize}};
  config.extra_metrics = {"excess"};
  config.constraints = {
      OutcomeConstraint{"excess", OutcomeConstraint::Kind::kMax, 0.0}};
  return config;
}

struct ConstrainedSumRun {
  // The mean sum of the last `tail` trials: near 1 when the sampler
  // respects the constraint, towards 2 when it ignores it.
  double late_mean_sum = 0;
  // The largest feasible sum found (at most 1).
  double best_feasible_sum = 0;
};

// Runs `trials` trials of ConstrainedSumStudy one after the other.
inline absl::StatusOr<ConstrainedSumRun> RunConstrainedSum(
    Sampler& sampler, const StudyConfig& config, int trials, int tail) {
  History history;
  ConstrainedSumRun run;
  for (int t = 0; t < trials; ++t) {
    absl::StatusOr<ParamAssignment> params =
        SampleNext(sampler, config, history);
    if (!params.ok()) return params.status();
    const double sum =
        std::get<double>(params->at("x")) + std::get<double>(params->at("y"));
    const int64_t number = history.Add(*std::move(params)).number;
    history.Finish(number, TrialState::kCompleted, {sum},
                   {{"excess", sum - 1}});
    if (t >= trials - tail) run.late_mean_sum += sum / tail;
    if (sum <= 1) run.best_feasible_sum = std::max(run.best_feasible_sum, sum);
  }
  return run;
}

}  // namespace knob::testing

#endif  // KNOB_TESTS_SERVER_SAMPLERS_SAMPLER_TESTING_H_

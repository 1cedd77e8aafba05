// Helpers for sampler tests: a trial history that samples can be fed back
// into, as the core does (space builders are in tests/testing).
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
  // `state`, with `values` when COMPLETED.
  void Finish(int64_t number, TrialState state,
              std::vector<double> values = {}) {
    for (Trial& trial : trials_) {
      if (trial.number != number) continue;
      trial.state = state;
      trial.values = std::move(values);
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

}  // namespace knob::testing

#endif  // KNOB_TESTS_SERVER_SAMPLERS_SAMPLER_TESTING_H_

// Helpers for the CMA-ES sampler tests: running a study to the end.
#ifndef KNOB_TESTS_SERVER_SAMPLERS_CMAES_CMAES_TESTING_H_
#define KNOB_TESTS_SERVER_SAMPLERS_CMAES_CMAES_TESTING_H_

#include <algorithm>
#include <functional>
#include <limits>
#include <utility>

#include "gtest/gtest.h"
#include "server/samplers/sampler.h"
#include "tests/server/samplers/sampler_testing.h"

namespace knob::testing {

using LossFunction = std::function<double(const ParamAssignment&)>;

// Runs `count` trials one after another, each completed with its loss
// before the next is sampled, and returns the best loss.
inline double Optimize(Sampler& sampler, const StudyConfig& config,
                       const LossFunction& loss, int count,
                       History* history_out = nullptr) {
  History local;
  History& history = history_out != nullptr ? *history_out : local;
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i < count; ++i) {
    absl::StatusOr<ParamAssignment> params =
        SampleNext(sampler, config, history);
    EXPECT_TRUE(params.ok()) << params.status();
    if (!params.ok()) break;
    const double value = loss(*params);
    best = std::min(best, value);
    const int64_t number = history.Add(*std::move(params)).number;
    history.Finish(number, TrialState::kCompleted, {value});
  }
  return best;
}

}  // namespace knob::testing

#endif  // KNOB_TESTS_SERVER_SAMPLERS_CMAES_CMAES_TESTING_H_

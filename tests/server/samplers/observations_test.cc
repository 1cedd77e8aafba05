#include "server/samplers/observations.h"

#include <deque>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/space_builders.h"

namespace knob {
namespace {

using ::knob::testing::Floats;
using ::knob::testing::Space;
using ::testing::ElementsAre;

TEST(ObserveHistory, CompletedTrialsCarryTheirConstraintViolation) {
  StudyConfig config = Space({{"x", Floats(0, 1), std::nullopt}});
  config.objectives = {{"accuracy", Direction::kMaximize}};
  config.extra_metrics = {"latency_ms"};
  config.constraints = {{"latency_ms", OutcomeConstraint::Kind::kMax, 50}};
  std::deque<Trial> trials(3);
  std::vector<const Trial*> history;
  const double latencies[] = {20, 50, 72.5};
  for (int i = 0; i < 3; ++i) {
    trials[i].number = i;
    trials[i].state = TrialState::kCompleted;
    trials[i].values = {0.5};
    trials[i].metrics = {{"latency_ms", latencies[i]}};
    history.push_back(&trials[i]);
  }
  Trial& running = trials.emplace_back();
  running.number = 3;
  history.push_back(&running);

  const Observations observations = ObserveHistory(config, history);
  ASSERT_EQ(observations.completed.size(), 3u);
  std::vector<double> violations;
  for (const Observation& observation : observations.completed) {
    violations.push_back(observation.violation);
    EXPECT_THAT(observation.losses, ElementsAre(-0.5));
  }
  EXPECT_THAT(violations, ElementsAre(0, 0, 22.5));
  EXPECT_EQ(observations.pending.size(), 1u);

  config.constraints.clear();
  for (const Observation& observation :
       ObserveHistory(config, history).completed) {
    EXPECT_EQ(observation.violation, 0);
  }
}

}  // namespace
}  // namespace knob

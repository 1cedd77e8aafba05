#include "server/core/best_trials.h"

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace knob {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr auto kMax = OutcomeConstraint::Kind::kMax;

// Trials numbered in the order added; pointers stay valid.
class History {
 public:
  void Complete(std::vector<double> values,
                std::map<std::string, double> metrics) {
    Trial& trial = Add(TrialState::kCompleted);
    trial.values = std::move(values);
    trial.metrics = std::move(metrics);
  }
  Trial& Add(TrialState state) {
    Trial& trial = trials_.emplace_back();
    trial.number = static_cast<int64_t>(trials_.size()) - 1;
    trial.state = state;
    pointers_.push_back(&trial);
    return trial;
  }
  const std::vector<const Trial*>& trials() const { return pointers_; }

 private:
  std::deque<Trial> trials_;
  std::vector<const Trial*> pointers_;
};

std::vector<int64_t> Numbers(const std::vector<const Trial*>& trials) {
  std::vector<int64_t> numbers;
  for (const Trial* trial : trials) numbers.push_back(trial->number);
  return numbers;
}

StudyConfig LatencyBound(std::vector<Objective> objectives) {
  StudyConfig config;
  config.objectives = std::move(objectives);
  config.extra_metrics = {"latency_ms"};
  config.constraints = {{"latency_ms", kMax, 50}};
  return config;
}

TEST(BestTrials, OneObjectiveSkipsInfeasibleTrials) {
  const StudyConfig config = LatencyBound({{"loss", Direction::kMinimize}});
  History history;
  history.Complete({0.1}, {{"latency_ms", 80}});  // best loss, too slow
  history.Complete({0.5}, {{"latency_ms", 50}});  // on the bound: feasible
  history.Complete({0.3}, {{"latency_ms", 10}});
  history.Complete({0.3}, {{"latency_ms", 20}});  // tie: the earlier wins
  history.Add(TrialState::kRunning);
  EXPECT_THAT(Numbers(BestTrials(config, history.trials())), ElementsAre(2));
}

TEST(BestTrials, WithoutAFeasibleTrialTheLeastInfeasibleCompete) {
  const StudyConfig config = LatencyBound({{"score", Direction::kMaximize}});
  History history;
  history.Complete({0.9}, {{"latency_ms", 90}});
  history.Complete({0.2}, {{"latency_ms", 55}});
  history.Complete({0.4}, {{"latency_ms", 55}});  // as close, better score
  history.Complete({0.8}, {{"latency_ms", 70}});
  EXPECT_THAT(Numbers(BestTrials(config, history.trials())), ElementsAre(2));

  // The first feasible trial takes over, however poor its score.
  history.Complete({0.01}, {{"latency_ms", 49}});
  EXPECT_THAT(Numbers(BestTrials(config, history.trials())), ElementsAre(4));
}

TEST(BestTrials, ParetoFrontOfFeasibleTrialsOnly) {
  const StudyConfig config = LatencyBound(
      {{"loss", Direction::kMinimize}, {"size", Direction::kMinimize}});
  History history;
  history.Complete({1, 1}, {{"latency_ms", 60}});  // dominates all, too slow
  history.Complete({2, 5}, {{"latency_ms", 40}});
  history.Complete({5, 2}, {{"latency_ms", 30}});
  history.Complete({3, 6}, {{"latency_ms", 20}});  // dominated by #1
  history.Complete({4, 4}, {{"latency_ms", 50}});
  EXPECT_THAT(Numbers(BestTrials(config, history.trials())),
              ElementsAre(1, 2, 4));
}

TEST(BestTrials, ParetoFrontAmongTheLeastInfeasible) {
  const StudyConfig config = LatencyBound(
      {{"loss", Direction::kMinimize}, {"size", Direction::kMinimize}});
  History history;
  history.Complete({1, 1}, {{"latency_ms", 70}});
  history.Complete({2, 5}, {{"latency_ms", 60}});
  history.Complete({5, 2}, {{"latency_ms", 60}});
  history.Complete({6, 6}, {{"latency_ms", 60}});
  EXPECT_THAT(Numbers(BestTrials(config, history.trials())), ElementsAre(1, 2));
}

TEST(BestTrials, WithoutConstraintsEveryCompletedTrialCompetes) {
  StudyConfig config;
  config.objectives = {{"loss", Direction::kMinimize}};
  History history;
  EXPECT_THAT(BestTrials(config, history.trials()), IsEmpty());
  history.Add(TrialState::kFailed);
  history.Complete({0.7}, {});
  history.Complete({0.2}, {});
  EXPECT_THAT(Numbers(BestTrials(config, history.trials())), ElementsAre(2));
}

}  // namespace
}  // namespace knob

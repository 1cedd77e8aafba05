// Runs every registered pruner through what any pruner must do: answer a
// report identically whatever it answered before (replicas and restarted
// servers agree), prune a value that is not finite, ignore reports of
// metrics it does not watch, and give a reason exactly when it prunes.
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/pruners/pruner_registry.h"
#include "tests/server/pruners/pruner_testing.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::Continues;
using ::knob::testing::LossStudy;
using ::knob::testing::MakePruner;
using ::knob::testing::PrunerHistory;
using ::knob::testing::PrunesWith;
using ::testing::HasSubstr;

struct PrunerCase {
  std::string label;
  std::string name;
  std::map<std::string, ParamValue> options;
};

// For test names and failure messages.
void PrintTo(const PrunerCase& pruner_case, std::ostream* out) {
  *out << pruner_case.label;
}

std::vector<PrunerCase> Cases() {
  return {
      {"none", "none", {}},
      {"median", "median", {{"n_startup_trials", 3}}},
      {"percentile",
       "percentile",
       {{"percentile", 40}, {"n_startup_trials", 3}, {"interval_steps", 2}}},
      {"successive_halving", "successive_halving", {{"n_startup_trials", 3}}},
      {"hyperband",
       "hyperband",
       {{"max_resource", 20}, {"n_startup_trials", 3}}},
      {"threshold", "threshold", {{"upper", 1.5}, {"n_warmup_steps", 1}}},
      {"patience", "patience", {{"patience", 3}}},
      {"patience_of_median",
       "patience",
       {{"patience", 2},
        {"wrapped", "median"},
        {"wrapped.n_startup_trials", 3}}},
  };
}

class PrunerConformanceTest : public ::testing::TestWithParam<PrunerCase> {
 protected:
  std::unique_ptr<Pruner> Make() const {
    absl::StatusOr<std::unique_ptr<Pruner>> pruner =
        MakePruner(LossStudy(), GetParam().name, GetParam().options);
    EXPECT_OK(pruner.status());
    return pruner.ok() ? *std::move(pruner) : nullptr;
  }
};

TEST(PrunerConformance, CoversEveryRegisteredPruner) {
  std::set<std::string> covered;
  for (const PrunerCase& pruner_case : Cases())
    covered.insert(pruner_case.name);
  for (const std::string& name : PrunerRegistry().Names()) {
    EXPECT_TRUE(covered.contains(name)) << name;
  }
}

// A study of 40 trials of 20 steps, four running at a time, with learning
// curves of different quality and noise, "acc" reports between the
// losses, re-reports of a step, failed trials and workers that ignore a
// prune. Every report is judged by the long-lived instance that saw every
// report before it, by a fresh instance, and by a "replica" that was
// asked about one report in three only; all three must agree.
TEST_P(PrunerConformanceTest, SameHistorySameAnswer) {
  std::mt19937_64 rng(2024);
  std::uniform_real_distribution<double> unit(0, 1);
  PrunerHistory history(LossStudy());
  std::unique_ptr<Pruner> warm = Make();
  std::unique_ptr<Pruner> replica = Make();
  ASSERT_NE(warm, nullptr);

  struct Running {
    int64_t number;
    double quality;
    int64_t next_step = 0;
  };
  constexpr int kTrials = 40;
  constexpr int64_t kSteps = 20;
  std::vector<Running> running;
  int started = 0;
  int reports = 0;
  int prunes = 0;
  while (started < kTrials || !running.empty()) {
    while (started < kTrials && running.size() < 4) {
      running.push_back(
          {history.AddTrial(TrialState::kRunning, {}), 0.2 + 0.8 * unit(rng)});
      ++started;
    }
    const size_t pick = rng() % running.size();
    Running& trial = running[pick];
    const int64_t step = trial.next_step > 0 && unit(rng) < 0.05
                             ? trial.next_step - 1
                             : trial.next_step;
    const double loss =
        trial.quality * (1 + 2 * std::exp(-static_cast<double>(step) / 4)) +
        0.02 * (unit(rng) - 0.5);
    if (step % 2 == 0) {
      ASSERT_OK(
          history.Report(*warm, trial.number, step, 1 - loss, "acc").status());
    }
    ASSERT_OK_AND_ASSIGN(PruneDecision cold,
                         history.Ask(*Make(), trial.number, step, loss));
    std::optional<PruneDecision> from_replica;
    if (reports % 3 == 0) {
      ASSERT_OK_AND_ASSIGN(from_replica,
                           history.Ask(*replica, trial.number, step, loss));
    }
    ASSERT_OK_AND_ASSIGN(PruneDecision decision,
                         history.Report(*warm, trial.number, step, loss));
    ++reports;
    EXPECT_EQ(decision.prune, cold.prune) << "report " << reports;
    EXPECT_EQ(decision.reason, cold.reason) << "report " << reports;
    if (from_replica.has_value()) {
      EXPECT_EQ(decision.prune, from_replica->prune) << "report " << reports;
      EXPECT_EQ(decision.reason, from_replica->reason) << "report " << reports;
    }
    EXPECT_EQ(decision.prune, !decision.reason.empty()) << decision.reason;
    if (decision.prune) ++prunes;

    trial.next_step = step + 1;
    TrialState end = TrialState::kRunning;
    if (decision.prune && unit(rng) < 0.9) {
      end = TrialState::kPruned;
    } else if (unit(rng) < 0.02) {
      end = TrialState::kFailed;
    } else if (trial.next_step == kSteps) {
      end = TrialState::kCompleted;
    }
    if (end != TrialState::kRunning) {
      history.SetState(trial.number, end);
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(pick));
    }
  }
  // The answers agreed on something worth agreeing on.
  if (GetParam().name != "none") {
    EXPECT_GT(prunes, 0);
  }
}

TEST_P(PrunerConformanceTest, PrunesAValueThatIsNotFinite) {
  if (GetParam().name == "none") GTEST_SKIP() << "never prunes";
  PrunerHistory history(LossStudy());
  std::unique_ptr<Pruner> pruner = Make();
  const int64_t trial = history.AddTrial(TrialState::kRunning, {});
  EXPECT_THAT(
      history.Ask(*pruner, trial, 0, std::numeric_limits<double>::quiet_NaN()),
      PrunesWith(HasSubstr("loss is nan")));
}

TEST_P(PrunerConformanceTest, IgnoresReportsOfOtherMetrics) {
  PrunerHistory history(LossStudy());
  std::unique_ptr<Pruner> pruner = Make();
  const int64_t trial = history.AddTrial(TrialState::kRunning, {});
  EXPECT_THAT(history.Ask(*pruner, trial, 0,
                          std::numeric_limits<double>::quiet_NaN(), "acc"),
              Continues());
}

INSTANTIATE_TEST_SUITE_P(Registered, PrunerConformanceTest,
                         ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<PrunerCase>& info) {
                           return info.param.label;
                         });

}  // namespace
}  // namespace knob

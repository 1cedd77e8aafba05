#include "server/samplers/cmaes/cmaes_sampler.h"

#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "Eigen/Core"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/model/search_space.h"
#include "server/samplers/cmaes/run_state.h"
#include "server/samplers/unit_cube.h"
#include "tests/server/samplers/cmaes/cmaes_testing.h"
#include "tests/server/samplers/sampler_testing.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::cmaes::DecodeRunState;
using ::knob::cmaes::RunState;
using ::knob::testing::Choices;
using ::knob::testing::Floats;
using ::knob::testing::History;
using ::knob::testing::Ints;
using ::knob::testing::Optimize;
using ::knob::testing::Param;
using ::knob::testing::SampleNext;
using ::knob::testing::SamplerSpec;
using ::knob::testing::Space;
using ::knob::testing::StatusIs;
using ::testing::_;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

StudyConfig TwoFloats() {
  return Space({Param("x", Floats(0, 1)), Param("y", Floats(0, 1))});
}

std::unique_ptr<Sampler> NewSampler(
    const StudyConfig& config, std::map<std::string, ParamValue> options = {}) {
  absl::StatusOr<std::unique_ptr<Sampler>> sampler =
      CreateCmaEsSampler(config, SamplerSpec("cmaes", std::move(options)));
  EXPECT_TRUE(sampler.ok()) << sampler.status();
  return sampler.ok() ? *std::move(sampler) : nullptr;
}

absl::Status CreateWith(std::map<std::string, ParamValue> options) {
  return CreateCmaEsSampler(TwoFloats(),
                            SamplerSpec("cmaes", std::move(options)))
      .status();
}

// Distance of (x, y) to (0.2, 0.7).
double Loss(const ParamAssignment& params) {
  const double dx = std::get<double>(params.at("x")) - 0.2;
  const double dy = std::get<double>(params.at("y")) - 0.7;
  return dx * dx + dy * dy;
}

TEST(CmaEsSampler, AcceptsItsOptions) {
  EXPECT_OK(CreateWith({}));
  EXPECT_OK(CreateWith({{"sigma0", 0.3},
                        {"popsize", int64_t{12}},
                        {"separable", true},
                        {"restart_strategy", std::string("none")},
                        {"n_startup_trials", int64_t{5}}}));
  EXPECT_OK(CreateWith({{"sigma0", int64_t{1}}}));
}

TEST(CmaEsSampler, RejectsBadOptionsByName) {
  const auto names = [](const std::string& option) {
    return StatusIs(absl::StatusCode::kInvalidArgument,
                    HasSubstr("sampler.options." + option));
  };
  EXPECT_THAT(CreateWith({{"sigma0", 0.0}}), names("sigma0"));
  EXPECT_THAT(CreateWith({{"sigma0", 1.5}}), names("sigma0"));
  EXPECT_THAT(CreateWith({{"sigma0", std::string("big")}}), names("sigma0"));
  EXPECT_THAT(CreateWith({{"popsize", int64_t{1}}}), names("popsize"));
  EXPECT_THAT(CreateWith({{"popsize", int64_t{1} << 20}}), names("popsize"));
  EXPECT_THAT(CreateWith({{"popsize", 10.0}}), names("popsize"));
  EXPECT_THAT(CreateWith({{"separable", int64_t{1}}}), names("separable"));
  EXPECT_THAT(CreateWith({{"restart_strategy", std::string("bipop")}}),
              names("restart_strategy"));
  EXPECT_THAT(CreateWith({{"n_startup_trials", int64_t{-1}}}),
              names("n_startup_trials"));
  EXPECT_THAT(CreateWith({{"sigma", 0.2}}), names("sigma"));
}

TEST(CmaEsSampler, RefusesSeveralObjectives) {
  StudyConfig config = TwoFloats();
  config.objectives.push_back({"latency", Direction::kMinimize});
  EXPECT_THAT(CreateCmaEsSampler(config, SamplerSpec("cmaes")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("sampler.name"),
                             HasSubstr("one objective"), HasSubstr("nsga2"))));
}

TEST(CmaEsSampler, TellsAGenerationOncePopsizeCandidatesCompleted) {
  const StudyConfig config = TwoFloats();
  std::unique_ptr<Sampler> sampler =
      NewSampler(config, {{"popsize", int64_t{4}}});
  History history;
  // Seven workers ask before anyone reports.
  for (int i = 0; i < 7; ++i) {
    history.Add(*SampleNext(*sampler, config, history));
  }
  ASSERT_OK_AND_ASSIGN(const RunState before,
                       DecodeRunState(sampler->SaveState()));
  ASSERT_EQ(before.candidates.size(), 7u);
  // Failed and pruned candidates do not count; the others complete in
  // reverse order, one short of a generation.
  history.Finish(0, TrialState::kFailed);
  history.Finish(1, TrialState::kPruned);
  const std::vector<double> losses = {0, 0, 0, 0.4, 0.1, 0.3, 0.2};
  for (int number : {6, 5, 4}) {
    history.Finish(number, TrialState::kCompleted, {losses[number]});
  }
  history.Add(*SampleNext(*sampler, config, history));
  ASSERT_OK_AND_ASSIGN(const RunState waiting,
                       DecodeRunState(sampler->SaveState()));
  EXPECT_EQ(waiting.strategy.generation(), 0);
  EXPECT_EQ(waiting.candidates.size(), 6u);  // 2..7

  history.Finish(3, TrialState::kCompleted, {losses[3]});
  history.Add(*SampleNext(*sampler, config, history));
  ASSERT_OK_AND_ASSIGN(const RunState told,
                       DecodeRunState(sampler->SaveState()));
  EXPECT_EQ(told.strategy.generation(), 1);
  ASSERT_EQ(told.candidates.size(), 1u);
  EXPECT_EQ(told.candidates[0].trial_number, 8);
  // The new mean weighs the best two of trials 3..6: trial 4 (loss 0.1),
  // then trial 6 (0.2), as the weights for popsize 4 say.
  const double w1 = std::log(2.5);
  const double w2 = std::log(1.25);
  const Eigen::VectorXd expected =
      (w1 * before.candidates[4].point + w2 * before.candidates[6].point) /
      (w1 + w2);
  EXPECT_TRUE(told.strategy.mean().isApprox(expected, 1e-12))
      << told.strategy.mean().transpose() << " vs " << expected.transpose();

  // A candidate of the old generation completing late changes nothing.
  history.Finish(2, TrialState::kCompleted, {0.0});
  history.Add(*SampleNext(*sampler, config, history));
  ASSERT_OK_AND_ASSIGN(const RunState later,
                       DecodeRunState(sampler->SaveState()));
  EXPECT_EQ(later.strategy.generation(), 1);
  EXPECT_EQ(later.strategy.mean(), told.strategy.mean());
  EXPECT_EQ(later.candidates.size(), 2u);
}

TEST(CmaEsSampler, ConcurrentCandidatesDoNotRepeatEachOther) {
  const StudyConfig config = Space({Param("n", Ints(0, 19))});
  std::unique_ptr<Sampler> sampler = NewSampler(config);
  History history;
  std::set<int64_t> seen;
  for (int i = 0; i < 8; ++i) {
    ASSERT_OK_AND_ASSIGN(ParamAssignment params,
                         SampleNext(*sampler, config, history));
    seen.insert(std::get<int64_t>(params.at("n")));
    history.Add(std::move(params));
  }
  EXPECT_EQ(seen.size(), 8u);
}

TEST(CmaEsSampler, SavedStateGivesIdenticalProposals) {
  const StudyConfig config =
      Space({Param("x", Floats(0, 1)), Param("n", Ints(1, 50)),
             Param("c", Choices({int64_t{1}, int64_t{2}}))});
  std::unique_ptr<Sampler> original = NewSampler(config);
  History history;
  const auto loss = [](const ParamAssignment& p) {
    return std::get<double>(p.at("x")) +
           static_cast<double>(std::get<int64_t>(p.at("n")));
  };
  Optimize(*original, config, loss, 37, &history);
  // A few still running.
  for (int i = 0; i < 3; ++i) {
    history.Add(*SampleNext(*original, config, history));
  }

  std::unique_ptr<Sampler> restored = NewSampler(config);
  ASSERT_OK(restored->LoadState(original->SaveState()));
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK_AND_ASSIGN(ParamAssignment a,
                         SampleNext(*original, config, history));
    ASSERT_OK_AND_ASSIGN(ParamAssignment b,
                         SampleNext(*restored, config, history));
    ASSERT_EQ(a, b) << "trial " << history.next_number();
    const double value = loss(a);
    const int64_t number = history.Add(std::move(a)).number;
    if (i % 3 != 0) history.Finish(number, TrialState::kCompleted, {value});
  }
  EXPECT_EQ(restored->SaveState(), original->SaveState());
}

TEST(CmaEsSampler, ResampledTrialNumberAfterALostCommitGetsTheSameProposal) {
  const StudyConfig config = TwoFloats();
  std::unique_ptr<Sampler> sampler = NewSampler(config);
  History history;
  Optimize(*sampler, config, Loss, 20, &history);
  const std::string state = sampler->SaveState();
  ASSERT_OK_AND_ASSIGN(ParamAssignment first,
                       SampleNext(*sampler, config, history));
  // The suggest call never committed: same history, same number again.
  ASSERT_OK_AND_ASSIGN(ParamAssignment again,
                       SampleNext(*sampler, config, history));
  EXPECT_EQ(first, again);
  std::unique_ptr<Sampler> replica = NewSampler(config);
  ASSERT_OK(replica->LoadState(state));
  EXPECT_THAT(SampleNext(*replica, config, history),
              ::knob::testing::IsOkAndHolds(first));
}

TEST(CmaEsSampler, RejectsUnreadableStateAndStartsOver) {
  const StudyConfig config = TwoFloats();
  std::unique_ptr<Sampler> sampler = NewSampler(config);
  History history;
  Optimize(*sampler, config, Loss, 30, &history);
  std::string state = sampler->SaveState();
  state[10] = 9;  // the format version
  EXPECT_THAT(
      sampler->LoadState(state),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("version 9")));
  EXPECT_EQ(sampler->SaveState(), "");
  EXPECT_THAT(sampler->LoadState("garbage"),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
  EXPECT_OK(SampleNext(*sampler, config, history));
}

TEST(CmaEsSampler, RejectsStateOfAnotherSpace) {
  const StudyConfig two = TwoFloats();
  std::unique_ptr<Sampler> sampler = NewSampler(two);
  History history;
  Optimize(*sampler, two, Loss, 5, &history);
  const StudyConfig three =
      Space({Param("x", Floats(0, 1)), Param("y", Floats(0, 1)),
             Param("z", Floats(0, 1))});
  EXPECT_THAT(NewSampler(three)->LoadState(sampler->SaveState()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("made for 2 numeric coordinates")));
  EXPECT_THAT(
      NewSampler(two, {{"separable", true}})->LoadState(sampler->SaveState()),
      StatusIs(absl::StatusCode::kInvalidArgument, _));
}

TEST(CmaEsSampler, WithoutStateResumesFromTheBestCompletedTrial) {
  const StudyConfig config = TwoFloats();
  std::unique_ptr<Sampler> first = NewSampler(config);
  History history;
  Optimize(*first, config, Loss, 40, &history);
  const Trial* best = nullptr;
  for (const Trial* trial : history.trials()) {
    if (best == nullptr || trial->values[0] < best->values[0]) best = trial;
  }
  // A server that lost the state: empty bytes, a long history.
  std::unique_ptr<Sampler> restarted = NewSampler(config);
  ASSERT_OK(restarted->LoadState(""));
  ASSERT_OK_AND_ASSIGN(ParamAssignment params,
                       SampleNext(*restarted, config, history));
  EXPECT_OK(NormalizeAssignment(config, params));
  ASSERT_OK_AND_ASSIGN(const RunState run,
                       DecodeRunState(restarted->SaveState()));
  EXPECT_EQ(run.strategy.generation(), 0);
  EXPECT_EQ(run.strategy.mean(),
            Eigen::Vector2d(std::get<double>(best->params.at("x")),
                            std::get<double>(best->params.at("y"))));
}

TEST(CmaEsSampler, SeeksTheOptimumInsideTheOutcomeConstraints) {
  const StudyConfig config = testing::ConstrainedSumStudy(5);
  std::unique_ptr<Sampler> sampler = NewSampler(config);
  ASSERT_OK_AND_ASSIGN(const testing::ConstrainedSumRun run,
                       testing::RunConstrainedSum(*sampler, config, 90, 18));
  // Blind to the constraint, the strategy moves to (1, 1), sums near 2.
  EXPECT_LT(run.late_mean_sum, 1.1);
  EXPECT_GT(run.best_feasible_sum, 0.95);
}

TEST(RankInfeasibleLast, PutsInfeasibleMembersBehindByViolation) {
  std::vector<double> losses = {3, 0, 5, -1, 4};
  RankInfeasibleLast({0, 2, 0, 0.5, 0}, absl::MakeSpan(losses));
  // Feasible losses stay; the worst feasible is 5, the infeasible member
  // closer to feasible ranks first among the rest.
  EXPECT_THAT(losses, ::testing::ElementsAre(3, 7, 5, 6, 4));
}

TEST(RankInfeasibleLast, AllInfeasibleRankByViolationThenLoss) {
  std::vector<double> losses = {1, 2, 0};
  RankInfeasibleLast({1, 0.5, 1}, absl::MakeSpan(losses));
  EXPECT_LT(losses[1], losses[2]);
  EXPECT_LT(losses[2], losses[0]);
}

TEST(CmaEsSampler, StartupTrialsAreRandomAndSeedTheRun) {
  const StudyConfig config = TwoFloats();
  std::unique_ptr<Sampler> sampler =
      NewSampler(config, {{"n_startup_trials", int64_t{6}}});
  History history;
  Optimize(*sampler, config, Loss, 6, &history);
  EXPECT_EQ(sampler->SaveState(), "");
  const Trial* best = nullptr;
  for (const Trial* trial : history.trials()) {
    if (best == nullptr || trial->values[0] < best->values[0]) best = trial;
  }
  ASSERT_OK(SampleNext(*sampler, config, history));
  ASSERT_OK_AND_ASSIGN(const RunState run,
                       DecodeRunState(sampler->SaveState()));
  EXPECT_EQ(run.strategy.mean(),
            Eigen::Vector2d(std::get<double>(best->params.at("x")),
                            std::get<double>(best->params.at("y"))));
}

TEST(CmaEsSampler, IpopDoublesThePopulationWhenLossesGoFlat) {
  const StudyConfig config = TwoFloats();
  std::unique_ptr<Sampler> sampler = NewSampler(config);
  History history;
  const auto flat = [](const ParamAssignment&) { return 1.0; };
  // popsize 6 for 2 coordinates; flat for 10 + 30 * 2 / 6 = 20 generations.
  Optimize(*sampler, config, flat, 120, &history);
  ASSERT_OK_AND_ASSIGN(RunState run, DecodeRunState(sampler->SaveState()));
  EXPECT_EQ(run.strategy.popsize(), 6);
  EXPECT_EQ(run.strategy.generation(), 19);
  Optimize(*sampler, config, flat, 1, &history);
  ASSERT_OK_AND_ASSIGN(run, DecodeRunState(sampler->SaveState()));
  EXPECT_EQ(run.strategy.popsize(), 12);
  EXPECT_EQ(run.strategy.generation(), 0);
  EXPECT_DOUBLE_EQ(run.strategy.sigma(), 1.0 / 6);
}

TEST(CmaEsSampler, NoRestartStrategyKeepsThePopulation) {
  const StudyConfig config = TwoFloats();
  std::unique_ptr<Sampler> sampler =
      NewSampler(config, {{"restart_strategy", std::string("none")}});
  History history;
  Optimize(
      *sampler, config, [](const ParamAssignment&) { return 1.0; }, 300,
      &history);
  ASSERT_OK_AND_ASSIGN(const RunState run,
                       DecodeRunState(sampler->SaveState()));
  EXPECT_EQ(run.strategy.popsize(), 6);
  EXPECT_EQ(run.strategy.generation(), 49);
}

TEST(CmaEsSampler, CategoricalParametersAreDrawnUniformly) {
  const StudyConfig config = Space(
      {Param("x", Floats(0, 1)),
       Param("kind",
             Choices({std::string("a"), std::string("b"), std::string("c")}))});
  std::unique_ptr<Sampler> sampler = NewSampler(config);
  std::map<std::string, int> counts;
  History history;
  Optimize(
      *sampler, config,
      [&](const ParamAssignment& p) {
        const std::string& kind = std::get<std::string>(p.at("kind"));
        ++counts[kind];
        return std::get<double>(p.at("x")) + (kind == "a" ? 0 : 10);
      },
      300, &history);
  for (const auto& [kind, count] : counts) {
    EXPECT_GT(count, 70) << kind;
    EXPECT_LT(count, 130) << kind;
  }
}

TEST(CmaEsSampler, SpaceWithoutNumericParametersIsSampledAtRandom) {
  const StudyConfig config =
      Space({Param("kind", Choices({std::string("a"), std::string("b")})),
             Param("flag", Choices({true, false}))});
  std::unique_ptr<Sampler> sampler = NewSampler(config);
  EXPECT_THAT(sampler->StudyMetadata(),
              UnorderedElementsAre(
                  Pair("knob.sampler.cmaes", HasSubstr("drawn at random"))));
  History history;
  std::set<ParamAssignment> seen;
  for (int i = 0; i < 40; ++i) {
    ASSERT_OK_AND_ASSIGN(ParamAssignment params,
                         SampleNext(*sampler, config, history));
    EXPECT_OK(NormalizeAssignment(config, params));
    seen.insert(params);
    history.Add(std::move(params));
  }
  EXPECT_EQ(seen.size(), 4u);
  EXPECT_EQ(sampler->SaveState(), "");
  std::unique_ptr<Sampler> numeric = NewSampler(TwoFloats());
  Optimize(*numeric, TwoFloats(), Loss, 1);
  EXPECT_THAT(sampler->LoadState(numeric->SaveState()),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
}

TEST(CmaEsSampler, MetadataDescribesTheRun) {
  const StudyConfig config =
      Space({Param("x", Floats(0, 1)), Param("n", Ints(1, 9)),
             Param("kind", Choices({std::string("a"), std::string("b")}))});
  EXPECT_THAT(NewSampler(config, {{"separable", true}})->StudyMetadata(),
              UnorderedElementsAre(Pair(
                  "knob.sampler.cmaes",
                  "2 numeric parameters, diagonal covariance, population 6, "
                  "IPOP restarts; drawn at random: kind")));
}

}  // namespace
}  // namespace knob

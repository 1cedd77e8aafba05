#include "server/samplers/multi_objective/nsga2_sampler.h"

#include <cmath>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/samplers/multi_objective/pareto.h"
#include "server/samplers/qmc/sobol_sampler.h"
#include "server/samplers/random_sampler.h"
#include "tests/server/samplers/sampler_testing.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::Choices;
using ::knob::testing::Floats;
using ::knob::testing::History;
using ::knob::testing::Ints;
using ::knob::testing::Param;
using ::knob::testing::SampleNext;
using ::knob::testing::SamplerSpec;
using ::knob::testing::Space;
using ::knob::testing::StatusIs;
using ::testing::HasSubstr;

std::unique_ptr<Sampler> NewSampler(
    const StudyConfig& config, std::map<std::string, ParamValue> options = {}) {
  absl::StatusOr<std::unique_ptr<Sampler>> sampler =
      CreateNsga2Sampler(config, SamplerSpec("nsga2", std::move(options)));
  EXPECT_TRUE(sampler.ok()) << sampler.status();
  return sampler.ok() ? *std::move(sampler) : nullptr;
}

// Options under which a child's values are each some parent's value.
std::map<std::string, ParamValue> InheritingOptions(int64_t population_size) {
  return {{"population_size", population_size},
          {"crossover", std::string("uniform")},
          {"mutation_prob", 0.0}};
}

StudyConfig TwoInts() {
  return Space(
      {Param("a", Ints(0, 1'000'000)), Param("b", Ints(0, 1'000'000))});
}

// Samples the next trial and adds it to the history as running.
ParamAssignment AddNext(Sampler& sampler, const StudyConfig& config,
                        History& history) {
  absl::StatusOr<ParamAssignment> params = SampleNext(sampler, config, history);
  EXPECT_TRUE(params.ok()) << params.status();
  return history.Add(params.ok() ? *params : ParamAssignment{}).params;
}

// A history written by hand in which trial i has a = i and b = 1000 + i,
// so that each value of a child names the trial it came from.
class LabelledHistory {
 public:
  void Add(TrialState state, std::vector<double> values = {},
           std::map<std::string, double> metrics = {}) {
    Trial& trial = trials_.emplace_back();
    trial.number = static_cast<int64_t>(trials_.size()) - 1;
    trial.state = state;
    trial.params = {{"a", trial.number}, {"b", 1000 + trial.number}};
    trial.values = std::move(values);
    trial.metrics = std::move(metrics);
  }

  void Complete(int64_t number, std::vector<double> values) {
    trials_[number].state = TrialState::kCompleted;
    trials_[number].values = std::move(values);
  }

  // The trials that the next trial's children take values from, over
  // many draws of its randomness.
  std::set<int64_t> Parents(Sampler& sampler, const StudyConfig& config) {
    std::vector<const Trial*> pointers;
    for (const Trial& trial : trials_) pointers.push_back(&trial);
    const int64_t number = static_cast<int64_t>(trials_.size());
    std::set<int64_t> parents;
    for (uint64_t draw = 0; draw < 50; ++draw) {
      std::mt19937_64 bits(draw);
      absl::StatusOr<ParamAssignment> child =
          sampler.Sample({config, pointers, number, absl::BitGenRef(bits)});
      EXPECT_TRUE(child.ok()) << child.status();
      if (!child.ok()) break;
      parents.insert(std::get<int64_t>(child->at("a")));
      parents.insert(std::get<int64_t>(child->at("b")) - 1000);
    }
    return parents;
  }

 private:
  std::deque<Trial> trials_;
};

TEST(Nsga2Sampler, FirstGenerationIsTheSobolSequence) {
  const StudyConfig config = Space(
      {Param("x", Floats(0, 1)), Param("kind", Choices({1.0, 2.0, 3.0}))});
  std::unique_ptr<Sampler> nsga2 =
      NewSampler(config, {{"population_size", int64_t{8}}});
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sampler> sobol,
                       CreateSobolSampler(config, SamplerSpec("sobol")));
  ASSERT_NE(nsga2, nullptr);
  History history;
  // Nothing completes, so the next generation continues the sequence too.
  for (int i = 0; i < 12; ++i) {
    ASSERT_OK_AND_ASSIGN(ParamAssignment expected,
                         SampleNext(*sobol, config, history));
    EXPECT_EQ(AddNext(*nsga2, config, history), expected) << "trial " << i;
  }
}

TEST(Nsga2Sampler, ParentsAreCompletedTrialsOfEarlierGenerations) {
  const StudyConfig config = TwoInts();
  std::unique_ptr<Sampler> sampler = NewSampler(config, InheritingOptions(4));
  ASSERT_NE(sampler, nullptr);
  LabelledHistory history;
  // Generation 0: trial 1 still running, trial 3 failed.
  history.Add(TrialState::kCompleted, {3.0});
  history.Add(TrialState::kRunning);
  history.Add(TrialState::kCompleted, {2.0});
  history.Add(TrialState::kFailed);
  // Generation 1 so far: the best result yet, which does not count for its
  // own generation.
  history.Add(TrialState::kCompleted, {0.0});
  history.Add(TrialState::kRunning);
  EXPECT_EQ(history.Parents(*sampler, config), (std::set<int64_t>{0, 2}));
  // A late result of an earlier generation counts as soon as it arrives.
  // (The worst of three never wins a tournament.)
  history.Complete(1, {1.0});
  EXPECT_EQ(history.Parents(*sampler, config), (std::set<int64_t>{1, 2}));
  // Generation 2 draws on generations 0 and 1.
  history.Add(TrialState::kRunning);
  history.Add(TrialState::kPruned);
  EXPECT_EQ(history.Parents(*sampler, config), (std::set<int64_t>{1, 2, 4}));
}

TEST(Nsga2Sampler, OnlyTheSurvivorsBreed) {
  const StudyConfig config = TwoInts();
  std::unique_ptr<Sampler> sampler = NewSampler(config, InheritingOptions(2));
  ASSERT_NE(sampler, nullptr);
  LabelledHistory history;
  for (double loss : {5.0, 4.0, 1.0, 2.0}) {
    history.Add(TrialState::kCompleted, {loss});
  }
  EXPECT_EQ(history.Parents(*sampler, config), (std::set<int64_t>{2, 3}));
}

TEST(Nsga2Sampler, TheNonDominatedFrontSurvives) {
  StudyConfig config = TwoInts();
  config.objectives = {{"f1", Direction::kMinimize},
                       {"f2", Direction::kMaximize}};
  std::unique_ptr<Sampler> sampler = NewSampler(config, InheritingOptions(4));
  ASSERT_NE(sampler, nullptr);
  LabelledHistory history;
  // As losses: (1, 6), (3, 5), (2, 4), (7, 7), (4, 2), (5, 5), (6, 1),
  // (5, 3); the front is trials 0, 2, 4 and 6.
  for (const auto& values : std::vector<std::vector<double>>{{1, -6},
                                                             {3, -5},
                                                             {2, -4},
                                                             {7, -7},
                                                             {4, -2},
                                                             {5, -5},
                                                             {6, -1},
                                                             {5, -3}}) {
    history.Add(TrialState::kCompleted, values);
  }
  EXPECT_EQ(history.Parents(*sampler, config), (std::set<int64_t>{0, 2, 4, 6}));
}

TEST(Nsga2Sampler, WithFewerThanTwoParentsTheSobolSequenceContinues) {
  const StudyConfig config = TwoInts();
  std::unique_ptr<Sampler> nsga2 =
      NewSampler(config, {{"population_size", int64_t{4}}});
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sampler> sobol,
                       CreateSobolSampler(config, SamplerSpec("sobol")));
  ASSERT_NE(nsga2, nullptr);
  History history;
  for (int i = 0; i < 4; ++i) AddNext(*nsga2, config, history);
  history.Finish(0, TrialState::kFailed);
  history.Finish(1, TrialState::kPruned);
  history.Finish(2, TrialState::kCompleted, {1.0});
  ASSERT_OK_AND_ASSIGN(ParamAssignment expected,
                       SampleNext(*sobol, config, history));
  EXPECT_EQ(AddNext(*nsga2, config, history), expected);
}

TEST(Nsga2Sampler, FeasibleTrialsAreBredFrom) {
  StudyConfig config = TwoInts();
  config.extra_metrics = {"cost"};
  config.constraints = {{"cost", OutcomeConstraint::Kind::kMax, 1.0}};
  std::unique_ptr<Sampler> sampler = NewSampler(config, InheritingOptions(2));
  ASSERT_NE(sampler, nullptr);
  LabelledHistory history;
  // The trials with the best losses miss the bound.
  history.Add(TrialState::kCompleted, {0.0}, {{"cost", 5.0}});
  history.Add(TrialState::kCompleted, {1.0}, {{"cost", 2.0}});
  history.Add(TrialState::kCompleted, {2.0}, {{"cost", 1.0}});
  history.Add(TrialState::kCompleted, {3.0}, {{"cost", 0.5}});
  EXPECT_EQ(history.Parents(*sampler, config), (std::set<int64_t>{2, 3}));
}

// ZDT1 (Zitzler, Deb & Thiele 2000) over [0, 1]^5: a convex Pareto front
// at g = 1, which random sampling rarely comes near.
std::vector<double> Zdt1(const ParamAssignment& params) {
  const double f1 = std::get<double>(params.at("x0"));
  double sum = 0;
  for (int i = 1; i < 5; ++i) {
    sum += std::get<double>(params.at("x" + std::to_string(i)));
  }
  const double g = 1 + 9 * sum / 4;
  return {f1, g * (1 - std::sqrt(f1 / g))};
}

StudyConfig Zdt1Space(uint64_t seed) {
  std::vector<ParameterSpec> parameters;
  for (int i = 0; i < 5; ++i) {
    parameters.push_back(Param("x" + std::to_string(i), Floats(0, 1)));
  }
  StudyConfig config = Space(std::move(parameters), seed);
  config.objectives = {{"f1", Direction::kMinimize},
                       {"f2", Direction::kMinimize}};
  return config;
}

// The hypervolume of `trials` COMPLETED trials sampled one after another,
// w.r.t. a reference that random sampling reaches only near f1 = 1.
double Zdt1Hypervolume(Sampler& sampler, const StudyConfig& config,
                       int trials) {
  History history;
  std::vector<std::vector<double>> points;
  for (int i = 0; i < trials; ++i) {
    const ParamAssignment params = AddNext(sampler, config, history);
    points.push_back(Zdt1(params));
    history.Finish(i, TrialState::kCompleted, points.back());
  }
  return Hypervolume(points, std::vector<double>{1.1, 3});
}

// 300 trials are 15 generations of 20: enough for a clear lead on every
// seed (the hypervolume is 1.5 to 2 times random's).
TEST(Nsga2Sampler, ApproachesTheParetoFrontFasterThanRandom) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const StudyConfig config = Zdt1Space(seed);
    std::unique_ptr<Sampler> nsga2 =
        NewSampler(config, {{"population_size", int64_t{20}}});
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sampler> random,
                         CreateRandomSampler(config, SamplerSpec("random")));
    ASSERT_NE(nsga2, nullptr);
    EXPECT_GT(Zdt1Hypervolume(*nsga2, config, 300),
              1.4 * Zdt1Hypervolume(*random, config, 300))
        << "seed " << seed;
  }
}

TEST(Nsga2Sampler, MaximizedObjectivesAreNegatedLosses) {
  StudyConfig minimized = Zdt1Space(4);
  StudyConfig maximized = minimized;
  for (Objective& objective : maximized.objectives) {
    objective.direction = Direction::kMaximize;
  }
  std::unique_ptr<Sampler> a =
      NewSampler(minimized, {{"population_size", int64_t{10}}});
  std::unique_ptr<Sampler> b =
      NewSampler(maximized, {{"population_size", int64_t{10}}});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  History history_a;
  History history_b;
  for (int i = 0; i < 40; ++i) {
    const ParamAssignment params = AddNext(*a, minimized, history_a);
    ASSERT_EQ(AddNext(*b, maximized, history_b), params) << "trial " << i;
    std::vector<double> values = Zdt1(params);
    history_a.Finish(i, TrialState::kCompleted, values);
    for (double& value : values) value = -value;
    history_b.Finish(i, TrialState::kCompleted, values);
  }
}

TEST(Nsga2Sampler, RejectsBadOptions) {
  const StudyConfig config = TwoInts();
  auto create = [&](std::map<std::string, ParamValue> options) {
    return CreateNsga2Sampler(config, SamplerSpec("nsga2", std::move(options)));
  };
  EXPECT_THAT(create({{"population_size", int64_t{1}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sampler.options.population_size")));
  EXPECT_THAT(create({{"crossover", std::string("onepoint")}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sampler.options.crossover")));
  EXPECT_THAT(create({{"mutation_prob", 1.5}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sampler.options.mutation_prob")));
  EXPECT_THAT(create({{"crossover_prob", -0.1}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sampler.options.crossover_prob")));
  EXPECT_THAT(create({{"swapping_prob", std::string("half")}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sampler.options.swapping_prob")));
  EXPECT_THAT(create({{"population", int64_t{10}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sampler.options.population")));
}

}  // namespace
}  // namespace knob

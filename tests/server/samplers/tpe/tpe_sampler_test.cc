#include "server/samplers/tpe/tpe_sampler.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/model/search_space.h"
#include "server/samplers/multi_objective/pareto.h"
#include "server/samplers/random_sampler.h"
#include "server/samplers/unit_cube.h"
#include "tests/server/samplers/sampler_testing.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::Choices;
using ::knob::testing::Floats;
using ::knob::testing::History;
using ::knob::testing::Ints;
using ::knob::testing::LogFloats;
using ::knob::testing::Param;
using ::knob::testing::SampleNext;
using ::knob::testing::SamplerSpec;
using ::knob::testing::Space;
using ::knob::testing::StatusIs;
using ::knob::testing::When;
using ::testing::HasSubstr;

using Options = std::map<std::string, ParamValue>;
using Objectives = std::function<std::vector<double>(const ParamAssignment&)>;

double Number(const ParamAssignment& params, const std::string& name) {
  return ParamValueAsDouble(params.at(name));
}

std::unique_ptr<Sampler> NewSampler(const StudyConfig& config,
                                    const std::string& name,
                                    Options options = {}) {
  absl::StatusOr<std::unique_ptr<Sampler>> sampler =
      name == "tpe"
          ? CreateTpeSampler(config, SamplerSpec("tpe", std::move(options)))
          : CreateRandomSampler(config, SamplerSpec("random"));
  EXPECT_TRUE(sampler.ok()) << sampler.status();
  return *std::move(sampler);
}

// Runs `trials` sequential trials, each completed with `objectives` before
// the next is sampled; returns them in order.
std::vector<const Trial*> RunStudy(const StudyConfig& config, Sampler& sampler,
                                   History& history, int trials,
                                   const Objectives& objectives) {
  std::vector<const Trial*> run;
  for (int i = 0; i < trials; ++i) {
    absl::StatusOr<ParamAssignment> params =
        SampleNext(sampler, config, history);
    EXPECT_TRUE(params.ok()) << params.status();
    if (!params.ok()) break;
    EXPECT_OK(NormalizeAssignment(config, *params));
    const std::vector<double> values = objectives(*params);
    const Trial& trial = history.Add(*std::move(params));
    history.Finish(trial.number, TrialState::kCompleted, values);
    run.push_back(&trial);
  }
  return run;
}

// The best single-objective value after `trials`, averaged over `seeds`
// studies that differ only in their seed.
double MeanBest(StudyConfig config, const std::string& sampler_name,
                const Options& options, int trials, int seeds,
                const std::function<double(const ParamAssignment&)>& loss) {
  double total = 0;
  for (int seed = 1; seed <= seeds; ++seed) {
    config.seed = static_cast<uint64_t>(seed);
    std::unique_ptr<Sampler> sampler =
        NewSampler(config, sampler_name, options);
    History history;
    double best = INFINITY;
    for (const Trial* trial : RunStudy(config, *sampler, history, trials,
                                       [&](const ParamAssignment& p) {
                                         return std::vector<double>{loss(p)};
                                       })) {
      best = std::min(best, trial->values[0]);
    }
    total += best;
  }
  return total / seeds;
}

TEST(TpeSampler, RejectsBadOptionsNamingThem) {
  const StudyConfig config = Space({Param("x", Floats(0, 1))});
  EXPECT_THAT(CreateTpeSampler(config, SamplerSpec("tpe", {{"gamma", 2.0}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sampler.options.gamma")));
  EXPECT_THAT(
      CreateTpeSampler(config, SamplerSpec("tpe", {{"seed", int64_t{1}}})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("sampler.options.seed")));
}

TEST(TpeSampler, RejectsAnInvalidSpace) {
  EXPECT_THAT(
      CreateTpeSampler(Space({Param("x", Floats(1, 0))}), SamplerSpec("tpe")),
      StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

TEST(TpeSampler, StartsWithUniformlyRandomTrials) {
  const StudyConfig config =
      Space({Param("x", Floats(0, 1)), Param("n", Ints(1, 9)),
             Param("c", Choices({std::string("a"), std::string("b")}))});
  std::unique_ptr<Sampler> tpe =
      NewSampler(config, "tpe", {{"n_startup_trials", int64_t{5}}});
  std::unique_ptr<Sampler> random = NewSampler(config, "random");
  History history;
  // Until 5 trials have completed the proposals are the random sampler's;
  // running trials do not count.
  history.Add(*SampleNext(*random, config, history));
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(ParamAssignment params,
                         SampleNext(*tpe, config, history));
    EXPECT_EQ(params, *SampleNext(*random, config, history));
    const int64_t number = history.Add(std::move(params)).number;
    history.Finish(number, TrialState::kCompleted, {1.0 * i});
  }
  ASSERT_OK_AND_ASSIGN(ParamAssignment modelled,
                       SampleNext(*tpe, config, history));
  EXPECT_NE(modelled, *SampleNext(*random, config, history));
}

// A 4-dimensional sphere offset from the centre, plus a penalty for two of
// three choices.
StudyConfig SphereWithChoice() {
  return Space({Param("x0", Floats(-5, 5)), Param("x1", Floats(-5, 5)),
                Param("x2", Floats(-5, 5)), Param("x3", Floats(-5, 5)),
                Param("c", Choices({std::string("a"), std::string("b"),
                                    std::string("c")}))});
}

double SphereWithChoiceLoss(const ParamAssignment& p) {
  double loss = 0;
  for (const char* name : {"x0", "x1", "x2", "x3"}) {
    const double x = Number(p, name) - 1;
    loss += x * x;
  }
  const std::string& choice = std::get<std::string>(p.at("c"));
  return loss + (choice == "b" ? 0 : choice == "a" ? 1 : 2);
}

TEST(TpeSampler, BeatsRandomSearchByAWideMargin) {
  const double tpe =
      MeanBest(SphereWithChoice(), "tpe", {}, 60, 8, SphereWithChoiceLoss);
  const double random =
      MeanBest(SphereWithChoice(), "random", {}, 60, 8, SphereWithChoiceLoss);
  EXPECT_LT(tpe, 0.3 * random) << "tpe " << tpe << ", random " << random;
}

TEST(TpeSampler, EveryModellingModeBeatsRandomSearch) {
  const double random =
      MeanBest(SphereWithChoice(), "random", {}, 60, 8, SphereWithChoiceLoss);
  for (const Options& options :
       {Options{{"multivariate", false}}, Options{{"group", false}},
        Options{{"constant_liar", false}, {"weights", std::string("uniform")}},
        Options{{"consider_endpoints", true}, {"prior_weight", 2.0}}}) {
    const double tpe = MeanBest(SphereWithChoice(), "tpe", options, 60, 8,
                                SphereWithChoiceLoss);
    EXPECT_LT(tpe, 0.5 * random) << "tpe " << tpe << ", random " << random;
  }
}

// The mean distance from each member of `batch` to its nearest other
// member, in the unit cube.
double NearestNeighbourDistance(const StudyConfig& config,
                                const std::vector<ParamAssignment>& batch) {
  const UnitCube cube(config);
  std::vector<std::vector<std::optional<double>>> points;
  for (const ParamAssignment& params : batch) {
    points.push_back(cube.Encode(params));
  }
  double total = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    double nearest = INFINITY;
    for (size_t j = 0; j < points.size(); ++j) {
      if (j == i) continue;
      double squares = 0;
      for (size_t k = 0; k < points[i].size(); ++k) {
        squares += std::pow(*points[i][k] - *points[j][k], 2);
      }
      nearest = std::min(nearest, std::sqrt(squares));
    }
    total += nearest;
  }
  return total / static_cast<double>(points.size());
}

// How far apart the 8 proposals of one suggest call land after 30
// completed trials, each proposal joining the history as running before
// the next is sampled; averaged over a few seeds.
double BatchSpread(bool constant_liar) {
  double total = 0;
  constexpr int kSeeds = 8;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    StudyConfig config =
        Space({Param("x", Floats(-5, 5)), Param("y", Floats(-5, 5))}, seed);
    std::unique_ptr<Sampler> sampler =
        NewSampler(config, "tpe", {{"constant_liar", constant_liar}});
    History history;
    RunStudy(config, *sampler, history, 30, [](const ParamAssignment& p) {
      return std::vector<double>{std::pow(Number(p, "x") - 2, 2) +
                                 std::pow(Number(p, "y") + 1, 2)};
    });
    std::vector<ParamAssignment> batch;
    for (int i = 0; i < 8; ++i) {
      ParamAssignment params = *SampleNext(*sampler, config, history);
      batch.push_back(params);
      history.Add(std::move(params));
    }
    total += NearestNeighbourDistance(config, batch);
  }
  return total / kSeeds;
}

TEST(TpeSampler, ConstantLiarSpreadsTheTrialsOfOneBatch) {
  const double with_liar = BatchSpread(true);
  const double without = BatchSpread(false);
  EXPECT_GT(with_liar, 1.5 * without)
      << "with liar " << with_liar << ", without " << without;
}

// Two optimizers with their own parameters, three levels deep; the best
// setting is on the sgd branch with momentum near 0.9 and a learning rate
// near 0.03.
StudyConfig ConditionalSpace() {
  const ParamValue sgd = std::string("sgd");
  const ParamValue adam = std::string("adam");
  return Space(
      {Param("optimizer", Choices({sgd, adam})),
       When(Param("momentum", Floats(0, 1)), "optimizer", {sgd}),
       When(Param("sgd_lr", LogFloats(1e-4, 1)), "optimizer", {sgd}),
       When(Param("beta", Floats(0.5, 1)), "optimizer", {adam}),
       When(Param("adam_lr", LogFloats(1e-5, 1e-1)), "optimizer", {adam}),
       When(Param("schedule",
                  Choices({std::string("constant"), std::string("step")})),
            "optimizer", {sgd}),
       When(Param("decay", Floats(0.1, 1)), "schedule", {std::string("step")}),
       Param("x", Floats(-3, 3)), Param("y", Floats(-3, 3))});
}

double ConditionalLoss(const ParamAssignment& p) {
  const double x = Number(p, "x") - 0.5;
  const double y = Number(p, "y") + 1;
  if (std::get<std::string>(p.at("optimizer")) == "sgd") {
    const double m = Number(p, "momentum") - 0.9;
    const double lr = std::log10(Number(p, "sgd_lr")) + 1.5;
    return x * x + y * y + 4 * m * m + lr * lr;
  }
  const double b = Number(p, "beta") - 0.9;
  const double lr = std::log10(Number(p, "adam_lr")) + 3;
  return x * x + y * y + 8 * b * b + lr * lr + 0.3;
}

TEST(TpeSampler, ConditionalSpaceRespectsConditionsAndImproves) {
  const StudyConfig config = ConditionalSpace();
  std::unique_ptr<Sampler> sampler = NewSampler(config, "tpe");
  History history;
  for (const Trial* trial :
       RunStudy(config, *sampler, history, 60, [](const ParamAssignment& p) {
         return std::vector<double>{ConditionalLoss(p)};
       })) {
    // NormalizeAssignment (checked in Run) rejects inactive or missing
    // parameters; the branches are exclusive.
    EXPECT_NE(trial->params.contains("momentum"),
              trial->params.contains("beta"));
  }
  const double random = MeanBest(config, "random", {}, 80, 10, ConditionalLoss);
  for (const Options& options : {Options{}, Options{{"group", false}},
                                 Options{{"multivariate", false}}}) {
    const double tpe =
        MeanBest(config, "tpe", options, 80, 10, ConditionalLoss);
    EXPECT_LT(tpe, 0.5 * random) << "tpe " << tpe << ", random " << random;
  }
}

TEST(TpeSampler, PrunedFailedAndRunningTrialsDoNotBreakIt) {
  const StudyConfig config = SphereWithChoice();
  std::unique_ptr<Sampler> sampler = NewSampler(config, "tpe");
  History history;
  for (int i = 0; i < 60; ++i) {
    ASSERT_OK_AND_ASSIGN(ParamAssignment params,
                         SampleNext(*sampler, config, history));
    EXPECT_OK(NormalizeAssignment(config, params));
    const double loss = SphereWithChoiceLoss(params);
    const int64_t number = history.Add(std::move(params)).number;
    switch (i % 4) {
      case 0:
        history.Finish(number, TrialState::kPruned);
        break;
      case 1:
        history.Finish(number, TrialState::kFailed);
        break;
      case 2:
        break;
      default:
        history.Finish(number, TrialState::kCompleted, {loss});
    }
  }
}

// ZDT1 over three variables: a convex Pareto front at x1 = x2 = 0.
std::vector<double> Zdt1(const ParamAssignment& p) {
  const double f1 = Number(p, "x0");
  const double g = 1 + 9 * (Number(p, "x1") + Number(p, "x2")) / 2;
  return {f1, g * (1 - std::sqrt(f1 / g))};
}

double MeanHypervolume(const std::string& sampler_name) {
  double total = 0;
  constexpr int kSeeds = 6;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    StudyConfig config =
        Space({Param("x0", Floats(0, 1)), Param("x1", Floats(0, 1)),
               Param("x2", Floats(0, 1))},
              seed);
    config.objectives = {{"f1", Direction::kMinimize},
                         {"f2", Direction::kMinimize}};
    std::unique_ptr<Sampler> sampler = NewSampler(config, sampler_name);
    History history;
    std::vector<std::vector<double>> points;
    for (const Trial* trial : RunStudy(config, *sampler, history, 80, Zdt1)) {
      points.push_back(trial->values);
    }
    total += Hypervolume(points, std::vector<double>{1.1, 11});
  }
  return total / kSeeds;
}

TEST(TpeSampler, SeeksTheOptimumInsideTheOutcomeConstraints) {
  const StudyConfig config = testing::ConstrainedSumStudy(3);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sampler> sampler,
                       CreateTpeSampler(config, SamplerSpec("tpe")));
  ASSERT_OK_AND_ASSIGN(const testing::ConstrainedSumRun run,
                       testing::RunConstrainedSum(*sampler, config, 60, 20));
  // Blind to the constraint, TPE drifts towards (1, 1), sums near 2.
  EXPECT_LT(run.late_mean_sum, 1.15);
  EXPECT_GT(run.best_feasible_sum, 0.95);
}

TEST(TpeSampler, MultiObjectiveImprovesHypervolumeOverRandomSearch) {
  const double tpe = MeanHypervolume("tpe");
  const double random = MeanHypervolume("random");
  // The ideal front covers about 11.1 of the 12.1 of the reference box.
  EXPECT_GT(tpe, random + 0.25) << "tpe " << tpe << ", random " << random;
}

}  // namespace
}  // namespace knob

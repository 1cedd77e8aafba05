// How well the CMA-ES sampler optimizes: fixed seeds, averaged where the
// comparison is against random search, so the outcome is deterministic.
#include <cmath>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "server/samplers/cmaes/cmaes_sampler.h"
#include "server/samplers/cmaes/run_state.h"
#include "server/samplers/random_sampler.h"
#include "tests/server/samplers/cmaes/cmaes_testing.h"
#include "tests/server/samplers/sampler_testing.h"

namespace knob {
namespace {

using ::knob::testing::Floats;
using ::knob::testing::History;
using ::knob::testing::Ints;
using ::knob::testing::LogFloats;
using ::knob::testing::LossFunction;
using ::knob::testing::Optimize;
using ::knob::testing::Param;
using ::knob::testing::SampleNext;
using ::knob::testing::SamplerSpec;
using ::knob::testing::Space;

// `dimension` floats x0, x1, ... in [-1, 1].
StudyConfig Box(int dimension, uint64_t seed) {
  std::vector<ParameterSpec> parameters;
  for (int i = 0; i < dimension; ++i) {
    parameters.push_back(Param("x" + std::to_string(i), Floats(-1, 1)));
  }
  return Space(std::move(parameters), seed);
}

// sum_i scale^(i / (n - 1)) (x_i - optimum_i)^2 over the Box parameters,
// with the optimum off-centre at 0.3 - 0.1 i (clamped to the box).
LossFunction Ellipsoid(int dimension, double scale) {
  return [dimension, scale](const ParamAssignment& params) {
    double sum = 0;
    for (int i = 0; i < dimension; ++i) {
      const double x = std::get<double>(params.at("x" + std::to_string(i)));
      const double optimum = std::max(-0.9, 0.3 - 0.1 * i);
      const double weight =
          dimension == 1 ? 1 : std::pow(scale, i / (dimension - 1.0));
      sum += weight * (x - optimum) * (x - optimum);
    }
    return sum;
  };
}

// The mean best loss of `sampler_name` over `seeds` studies.
double MeanBestLoss(const std::string& sampler_name,
                    std::map<std::string, ParamValue> options, int dimension,
                    const LossFunction& loss, int trials, int seeds) {
  double total = 0;
  for (int seed = 1; seed <= seeds; ++seed) {
    const StudyConfig config = Box(dimension, static_cast<uint64_t>(seed));
    const AlgorithmSpec spec = SamplerSpec(sampler_name, options);
    absl::StatusOr<std::unique_ptr<Sampler>> sampler =
        sampler_name == "cmaes" ? CreateCmaEsSampler(config, spec)
                                : CreateRandomSampler(config, spec);
    EXPECT_TRUE(sampler.ok()) << sampler.status();
    if (!sampler.ok()) return NAN;
    total += Optimize(**sampler, config, loss, trials);
  }
  return total / seeds;
}

TEST(CmaEsSearch, BeatsRandomSearchOnAnEightDimensionalSphere) {
  const LossFunction sphere = Ellipsoid(8, 1);
  const double cmaes = MeanBestLoss("cmaes", {}, 8, sphere, 150, 5);
  const double random = MeanBestLoss("random", {}, 8, sphere, 150, 5);
  EXPECT_LT(cmaes, random / 10) << "cmaes " << cmaes << ", random " << random;
}

TEST(CmaEsSearch, BeatsRandomSearchOnAnIllConditionedEllipsoid) {
  const LossFunction ellipsoid = Ellipsoid(6, 1e3);
  const double cmaes = MeanBestLoss("cmaes", {}, 6, ellipsoid, 150, 5);
  const double random = MeanBestLoss("random", {}, 6, ellipsoid, 150, 5);
  EXPECT_LT(cmaes, random / 5) << "cmaes " << cmaes << ", random " << random;
}

TEST(CmaEsSearch, SeparableModeOptimizesFiftyDimensions) {
  const LossFunction sphere = Ellipsoid(50, 10);
  const double cmaes =
      MeanBestLoss("cmaes", {{"separable", true}}, 50, sphere, 1500, 1);
  const double random = MeanBestLoss("random", {}, 50, sphere, 1500, 1);
  EXPECT_LT(cmaes, random / 100) << "cmaes " << cmaes << ", random " << random;
}

TEST(CmaEsSearch, FindsTheOptimumOfAnIntegerProblem) {
  std::vector<ParameterSpec> parameters;
  for (int i = 0; i < 4; ++i) {
    parameters.push_back(Param("n" + std::to_string(i), Ints(0, 40)));
  }
  const StudyConfig config = Space(std::move(parameters));
  std::unique_ptr<Sampler> sampler =
      *CreateCmaEsSampler(config, SamplerSpec("cmaes"));
  const double best = Optimize(
      *sampler, config,
      [](const ParamAssignment& params) {
        double sum = 0;
        for (int i = 0; i < 4; ++i) {
          const double n = static_cast<double>(
              std::get<int64_t>(params.at("n" + std::to_string(i))));
          sum += (n - 7 - 3 * i) * (n - 7 - 3 * i);
        }
        return sum;
      },
      300);
  EXPECT_EQ(best, 0);
}

TEST(CmaEsSearch, ConvergedIntegerRunKeepsTryingNeighbours) {
  const StudyConfig config =
      Space({Param("a", Ints(0, 40)), Param("b", Ints(0, 40))}, 1);
  std::unique_ptr<Sampler> sampler = *CreateCmaEsSampler(
      config,
      SamplerSpec("cmaes", {{"restart_strategy", std::string("none")}}));
  const auto loss = [](const ParamAssignment& params) {
    const double a = static_cast<double>(std::get<int64_t>(params.at("a")));
    const double b = static_cast<double>(std::get<int64_t>(params.at("b")));
    return (a - 7) * (a - 7) + (b - 10) * (b - 10);
  };
  History history;
  EXPECT_EQ(Optimize(*sampler, config, loss, 340, &history), 0);
  // Long converged on (7, 10), the run still spends part of every
  // generation on other grid points instead of proposing one point forever.
  std::set<ParamAssignment> distinct;
  int elsewhere = 0;
  for (int i = 0; i < 60; ++i) {
    absl::StatusOr<ParamAssignment> params =
        SampleNext(*sampler, config, history);
    ASSERT_TRUE(params.ok()) << params.status();
    const double value = loss(*params);
    if (value > 0) ++elsewhere;
    distinct.insert(*params);
    const int64_t number = history.Add(*std::move(params)).number;
    history.Finish(number, TrialState::kCompleted, {value});
  }
  EXPECT_GE(elsewhere, 15);
  EXPECT_GE(distinct.size(), 3u);
}

TEST(CmaEsSearch, LogScaleIsLinearInTheCube) {
  const StudyConfig config = Space({Param("lr", LogFloats(1e-6, 1))});
  std::unique_ptr<Sampler> sampler =
      *CreateCmaEsSampler(config, SamplerSpec("cmaes"));
  // The optimum lies at 1e-5, a tenth of the way along the log range.
  const double best = Optimize(
      *sampler, config,
      [](const ParamAssignment& params) {
        return std::abs(std::log10(std::get<double>(params.at("lr"))) + 5);
      },
      80);
  EXPECT_LT(best, 1e-3);
}

TEST(CmaEsSearch, RestartsKeepSearchingAfterConvergence) {
  // A one-dimensional problem converges quickly; IPOP then restarts with
  // growing populations instead of proposing one point forever.
  const StudyConfig config = Box(1, 1);
  std::unique_ptr<Sampler> sampler =
      *CreateCmaEsSampler(config, SamplerSpec("cmaes"));
  History history;
  Optimize(*sampler, config, Ellipsoid(1, 1), 1500, &history);
  absl::StatusOr<cmaes::RunState> run =
      cmaes::DecodeRunState(sampler->SaveState());
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_GE(run->strategy.popsize(), 16);
}

}  // namespace
}  // namespace knob

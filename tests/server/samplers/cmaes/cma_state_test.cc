#include "server/samplers/cmaes/cma_state.h"

#include <cmath>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "Eigen/Core"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/samplers/cmaes/byte_codec.h"
#include "tests/testing/status_matchers.h"

namespace knob::cmaes {
namespace {

using ::knob::testing::StatusIs;
using ::testing::HasSubstr;

using Loss = std::function<double(const Eigen::VectorXd&)>;

double Sphere(const Eigen::VectorXd& x) { return x.squaredNorm(); }

// Scales from 1 to 1e6 along the coordinates.
double Ellipsoid(const Eigen::VectorXd& x) {
  double sum = 0;
  const double n = static_cast<double>(x.size());
  for (int i = 0; i < x.size(); ++i) {
    sum += std::pow(1e6, i / (n - 1)) * x[i] * x[i];
  }
  return sum;
}

// Runs `generations` full generations of `state` on `loss`.
void RunGenerations(CmaState& state, const Loss& loss, int generations,
                    std::mt19937_64& rng) {
  for (int g = 0; g < generations; ++g) {
    std::vector<Eigen::VectorXd> candidates;
    std::vector<double> losses;
    for (int i = 0; i < state.popsize(); ++i) {
      candidates.push_back(state.Sample(rng));
      losses.push_back(loss(candidates.back()));
    }
    state.Tell(candidates, losses);
  }
}

std::string Bytes(const CmaState& state) {
  ByteWriter out;
  state.WriteTo(out);
  return std::move(out).Finish();
}

TEST(CmaState, DefaultPopsizeGrowsWithTheLogOfTheDimension) {
  EXPECT_EQ(DefaultPopsize(1), 4);
  EXPECT_EQ(DefaultPopsize(2), 6);    // 4 + floor(3 * 0.69)
  EXPECT_EQ(DefaultPopsize(10), 10);  // 4 + floor(3 * 2.30)
  EXPECT_EQ(DefaultPopsize(100), 17);
}

TEST(CmaState, MeanMovesToTheWeightedMeanOfTheBetterHalf) {
  CmaState state(Eigen::Vector2d(0, 0), 1.0, 4, false);
  const std::vector<Eigen::VectorXd> candidates = {
      Eigen::Vector2d(1, 0), Eigen::Vector2d(0, 1), Eigen::Vector2d(-1, 0),
      Eigen::Vector2d(0, -1)};
  // The best is (0, 1), then (-1, 0); the worse half gets no weight.
  state.Tell(candidates, {3.0, 1.0, 2.0, 4.0});
  // popsize 4: mu = 2, weights proportional to ln(2.5) - ln(1) and
  // ln(2.5) - ln(2).
  const double w1 = std::log(2.5);
  const double w2 = std::log(1.25);
  const double first = w1 / (w1 + w2);
  const double second = w2 / (w1 + w2);
  EXPECT_NEAR(state.mean()[0], -second, 1e-12);
  EXPECT_NEAR(state.mean()[1], first, 1e-12);
  EXPECT_EQ(state.generation(), 1);
}

TEST(CmaState, CovarianceStretchesAlongTheSelectedSteps) {
  CmaState state(Eigen::Vector2d(0, 0), 1.0, 4, false);
  // Both selected candidates lie on the first axis.
  state.Tell({Eigen::Vector2d(2, 0), Eigen::Vector2d(0, 0.1),
              Eigen::Vector2d(1.5, 0), Eigen::Vector2d(0, -0.1)},
             {1.0, 3.0, 2.0, 4.0});
  const Eigen::MatrixXd c = state.covariance();
  EXPECT_GT(c(0, 0), c(1, 1));
  EXPECT_NEAR(c(0, 1), c(1, 0), 1e-15);
}

TEST(CmaState, StepSizeShrinksOnASphere) {
  std::mt19937_64 rng(7);
  Eigen::VectorXd start = Eigen::VectorXd::Constant(5, 3.0);
  CmaState state(start, 1.0, DefaultPopsize(5), false);
  RunGenerations(state, Sphere, 150, rng);
  EXPECT_LT(state.sigma(), 1e-3);
  EXPECT_LT(Sphere(state.mean()), 1e-6 * Sphere(start));
}

TEST(CmaState, StepSizeGrowsOnASlope) {
  std::mt19937_64 rng(7);
  CmaState state(Eigen::VectorXd::Zero(5), 1e-3, DefaultPopsize(5), false);
  RunGenerations(
      state, [](const Eigen::VectorXd& x) { return x[0]; }, 30, rng);
  EXPECT_GT(state.sigma(), 1e-1);
}

TEST(CmaState, LearnsTheScalesOfAnEllipsoid) {
  std::mt19937_64 rng(11);
  CmaState state(Eigen::VectorXd::Constant(4, 1.0), 0.5, DefaultPopsize(4),
                 false);
  RunGenerations(state, Ellipsoid, 400, rng);
  const Eigen::MatrixXd c = state.covariance();
  // Along the steepest coordinate the search narrows a thousandfold more
  // (variances: a millionfold).
  EXPECT_GT(c(0, 0) / c(3, 3), 1e4);
  EXPECT_LT(Ellipsoid(state.mean()), 1e-8);
}

TEST(CmaState, SeparableModeConvergesIn50Dimensions) {
  std::mt19937_64 rng(3);
  Eigen::VectorXd start = Eigen::VectorXd::Constant(50, 1.0);
  CmaState state(start, 0.5, DefaultPopsize(50), true);
  RunGenerations(state, Ellipsoid, 1500, rng);
  EXPECT_TRUE(state.separable());
  EXPECT_LT(Ellipsoid(state.mean()), 1e-6 * Ellipsoid(start));
  // Only the diagonal is ever filled.
  const Eigen::MatrixXd c = state.covariance();
  EXPECT_EQ((c - Eigen::MatrixXd(c.diagonal().asDiagonal())).norm(), 0);
}

TEST(CmaState, FlatLossesTerminateAfterTheLossHistory) {
  std::mt19937_64 rng(5);
  CmaState state(Eigen::VectorXd::Zero(3), 0.3, 6, false);
  const Loss flat = [](const Eigen::VectorXd&) { return 1.0; };
  // The history spans 10 + ceil(30 * 3 / 6) = 25 generations.
  RunGenerations(state, flat, 24, rng);
  EXPECT_EQ(state.CheckTermination(), std::nullopt);
  RunGenerations(state, flat, 1, rng);
  EXPECT_EQ(state.CheckTermination(), Termination::kFlatLosses);
}

TEST(CmaState, ConvergedRunTerminates) {
  std::mt19937_64 rng(9);
  CmaState state(Eigen::VectorXd::Constant(3, 0.3), 0.2, DefaultPopsize(3),
                 false);
  int generations = 0;
  while (!state.CheckTermination().has_value() && generations < 5000) {
    RunGenerations(state, Sphere, 1, rng);
    ++generations;
  }
  ASSERT_LT(generations, 5000);
  EXPECT_GT(generations, 50);
  EXPECT_NE(state.CheckTermination(), Termination::kIllConditioned);
  EXPECT_NE(state.CheckTermination(), Termination::kDiverging);
}

TEST(CmaState, MarginKeepsTheNeighbouringCellsInReach) {
  CmaState state(Eigen::Vector2d(0.55, 0.5), 1e-4, 4, false);
  // The first coordinate rounds on a grid of cells 0.1 wide; the mean sits
  // 0.05 from both edges, hundreds of standard deviations away.
  const std::vector<std::optional<GridCell>> cells = {GridCell{0.5, 0.6},
                                                      std::nullopt};
  state.ApplyMargin(cells);
  EXPECT_GT(state.margin_scales()[0], 1);
  EXPECT_EQ(state.margin_scales()[1], 1);
  std::mt19937_64 rng(1);
  int left = 0;
  constexpr int kDraws = 20000;
  for (int i = 0; i < kDraws; ++i) {
    const double x = state.Sample(rng)[0];
    if (x < 0.5 || x > 0.6) ++left;
  }
  // At least 1 / (n popsize) = 1/8 of the samples leave the cell, through
  // either edge (1/4 when both edges are equally near).
  EXPECT_GT(left, kDraws / 8 * 0.9);
  EXPECT_LT(left, kDraws / 4 * 1.1);
}

TEST(CmaState, MarginIsIdleWhileTheSpreadIsWide) {
  CmaState state(Eigen::Vector2d(0.55, 0.5), 0.3, 4, false);
  state.ApplyMargin({GridCell{0.5, 0.6}, GridCell{-INFINITY, 0.51}});
  EXPECT_EQ(state.margin_scales(), Eigen::Vector2d(1, 1));
}

TEST(CmaState, UpdateUndoesTheMarginOfItsCandidates) {
  CmaState widened(Eigen::Vector2d(0.55, 0.5), 1e-4, 4, false);
  widened.ApplyMargin({GridCell{0.5, 0.6}, std::nullopt});
  CmaState plain(Eigen::Vector2d(0.55, 0.5), 1e-4, 4, false);
  // The same draws, widened or not: the update sees the same steps.
  std::mt19937_64 rng_widened(4);
  std::mt19937_64 rng_plain(4);
  std::vector<Eigen::VectorXd> widened_points;
  std::vector<Eigen::VectorXd> plain_points;
  for (int i = 0; i < 4; ++i) {
    widened_points.push_back(widened.Sample(rng_widened));
    plain_points.push_back(plain.Sample(rng_plain));
  }
  const std::vector<double> losses = {4, 2, 3, 1};
  widened.Tell(widened_points, losses);
  plain.Tell(plain_points, losses);
  EXPECT_TRUE(widened.covariance().isApprox(plain.covariance(), 1e-9));
  EXPECT_NEAR(widened.sigma(), plain.sigma(), 1e-15);
}

TEST(CmaState, RoundTripGivesTheSameSamplesAndUpdates) {
  for (bool separable : {false, true}) {
    std::mt19937_64 rng(21);
    CmaState state(Eigen::VectorXd::Constant(4, 0.4), 0.2, 8, separable);
    RunGenerations(state, Ellipsoid, 12, rng);
    state.ApplyMargin(
        {GridCell{0.3, 0.5}, std::nullopt, std::nullopt, std::nullopt});
    const std::string bytes = Bytes(state);
    ByteReader in(bytes);
    ASSERT_OK_AND_ASSIGN(CmaState copy, CmaState::ReadFrom(in));
    EXPECT_TRUE(in.Done());
    EXPECT_EQ(Bytes(copy), bytes);
    std::mt19937_64 rng_a(99);
    std::mt19937_64 rng_b(99);
    RunGenerations(state, Ellipsoid, 3, rng_a);
    RunGenerations(copy, Ellipsoid, 3, rng_b);
    EXPECT_EQ(Bytes(copy), Bytes(state)) << "separable: " << separable;
    EXPECT_EQ(state.Sample(rng_a), copy.Sample(rng_b));
  }
}

TEST(CmaState, ReadRejectsEveryTruncation) {
  std::mt19937_64 rng(2);
  CmaState state(Eigen::VectorXd::Constant(3, 0.5), 0.2, 6, false);
  RunGenerations(state, Sphere, 2, rng);
  const std::string bytes = Bytes(state);
  for (size_t size = 0; size < bytes.size(); ++size) {
    ByteReader in(absl::string_view(bytes).substr(0, size));
    EXPECT_THAT(
        CmaState::ReadFrom(in),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("CMA-ES state")))
        << size;
  }
}

TEST(CmaState, ReadRejectsImpossibleStates) {
  std::string bytes = Bytes(CmaState(Eigen::Vector2d(0.5, 0.5), 0.2, 4, false));
  // Layout: dimension, popsize, separable (uint32 each), generation
  // (int64), sigma (double), ...
  std::string zero_popsize = bytes;
  zero_popsize.replace(4, 4, std::string(4, '\0'));
  std::string negative_sigma = bytes;
  negative_sigma[27] = static_cast<char>(0xbf);  // sign bit of sigma
  for (const std::string& bad : {zero_popsize, negative_sigma}) {
    ByteReader in(bad);
    EXPECT_THAT(CmaState::ReadFrom(in),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("(")));
  }
}

}  // namespace
}  // namespace knob::cmaes

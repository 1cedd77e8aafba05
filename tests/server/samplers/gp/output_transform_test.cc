#include "server/samplers/gp/output_transform.h"

#include <limits>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace knob::gp {
namespace {

double Variance(const Eigen::VectorXd& values) {
  return (values.array() - values.mean()).square().mean();
}

TEST(StandardizeLosses, GivesMeanZeroAndUnitVariance) {
  Eigen::VectorXd losses(5);
  losses << 3, 1, 4, 1, 5;
  const Eigen::VectorXd standardized = StandardizeLosses(losses);
  EXPECT_NEAR(standardized.mean(), 0, 1e-12);
  EXPECT_NEAR(Variance(standardized), 1, 1e-12);
  // No tail here: an affine map, so the order and spacing survive.
  EXPECT_NEAR(
      (standardized[0] - standardized[1]) / (standardized[2] - standardized[1]),
      2.0 / 3.0, 1e-12);
}

TEST(StandardizeLosses, ConstantLossesBecomeZeros) {
  EXPECT_EQ(StandardizeLosses(Eigen::VectorXd::Constant(4, 7.5)),
            Eigen::VectorXd::Zero(4));
  EXPECT_EQ(StandardizeLosses(Eigen::VectorXd::Constant(1, -2)),
            Eigen::VectorXd::Zero(1));
}

TEST(StandardizeLosses, CompressesAHeavyUpperTailButKeepsTheOrder) {
  Eigen::VectorXd losses(8);
  losses << 0.1, 0.3, 0.2, 0.5, 0.4, 1e6, 0.35, 1e3;
  const Eigen::VectorXd standardized = StandardizeLosses(losses);
  for (int a = 0; a < 8; ++a) {
    for (int b = 0; b < 8; ++b) {
      if (losses[a] < losses[b]) {
        EXPECT_LT(standardized[a], standardized[b]);
      }
    }
  }
  // Linear standardisation would squeeze the good trials into a sliver
  // (1e-6 of the range); after compression they still span a visible part
  // of it.
  const double range = standardized.maxCoeff() - standardized.minCoeff();
  EXPECT_GT((standardized[3] - standardized[0]) / range, 0.02);
  // Values beyond the tail start stay infinitely far apart from nothing:
  // finite everywhere.
  EXPECT_TRUE(standardized.allFinite());
}

TEST(StandardizeLosses, SurvivesLossesWhoseDifferencesOverflow) {
  Eigen::VectorXd losses(4);
  losses << -1e308, 1e308, 0, 1;
  const Eigen::VectorXd standardized = StandardizeLosses(losses);
  EXPECT_TRUE(standardized.allFinite());
  // 0 and 1 may become indistinguishable next to +-1e308, but the order
  // holds.
  EXPECT_LT(standardized[0], standardized[2]);
  EXPECT_LE(standardized[2], standardized[3]);
  EXPECT_LT(standardized[3], standardized[1]);
}

TEST(ConstrainedValues, WithoutViolationsStandardizes) {
  Eigen::VectorXd losses(4);
  losses << 3, 1, 4, 1;
  EXPECT_EQ(ConstrainedValues(losses, Eigen::VectorXd::Zero(4)),
            StandardizeLosses(losses));
}

TEST(ConstrainedValues, RanksInfeasibleTrialsBehindFeasibleOnesByViolation) {
  Eigen::VectorXd losses(6);
  losses << 5.0, -100.0, 2.0, -50.0, 1.0, -1.0;
  Eigen::VectorXd violations(6);
  violations << 0.0, 3.0, 0.0, 0.5, std::numeric_limits<double>::infinity(),
      0.0;
  const Eigen::VectorXd values = ConstrainedValues(losses, violations);
  ASSERT_TRUE(values.allFinite());
  // Feasible by loss: trial 5 (-1), 2 (2), 0 (5); then infeasible by
  // violation whatever their losses: 3 (0.5), 1 (3), 4 (inf).
  const std::vector<int> order = {5, 2, 0, 3, 1, 4};
  for (size_t k = 0; k + 1 < order.size(); ++k) {
    EXPECT_LT(values[order[k]], values[order[k + 1]]) << "position " << k;
  }
  EXPECT_NEAR(values.mean(), 0, 1e-12);
}

TEST(ConstrainedValues, RanksByViolationWhenNothingIsFeasible) {
  const Eigen::Vector3d losses(0.0, 1.0, 2.0);
  const Eigen::Vector3d violations(10.0, 1.0, 5.0);
  const Eigen::VectorXd values = ConstrainedValues(losses, violations);
  EXPECT_LT(values[1], values[2]);
  EXPECT_LT(values[2], values[0]);
}

TEST(ScalarizeLosses, OneObjectivePassesThroughWithoutRandomness) {
  std::mt19937_64 rng(1);
  std::mt19937_64 untouched(1);
  const Eigen::VectorXd scalar = ScalarizeLosses({{2.0}, {-1.0}, {5.0}}, rng);
  EXPECT_EQ(scalar, Eigen::Vector3d(2.0, -1.0, 5.0));
  EXPECT_EQ(rng(), untouched());
}

TEST(ScalarizeLosses, ParegoRanksDominatedTrialsBehindTheirDominators) {
  const std::vector<std::vector<double>> losses = {
      {0.0, 10.0}, {1.0, 5.0}, {2.0, 6.0}, {4.0, 0.0}, {4.0, 10.0}};
  for (unsigned seed = 0; seed < 20; ++seed) {
    std::mt19937_64 rng(seed);
    const Eigen::VectorXd scalar = ScalarizeLosses(losses, rng);
    // {2, 6} is dominated by {1, 5}; {4, 10} by everything.
    EXPECT_LT(scalar[1], scalar[2]) << "seed " << seed;
    for (int t = 0; t < 4; ++t) EXPECT_LT(scalar[t], scalar[4]);
    // Every objective is rescaled to [0, 1]: the scalar is at most 1.05.
    EXPECT_GE(scalar.minCoeff(), 0);
    EXPECT_LE(scalar.maxCoeff(), 1.05 + 1e-12);
  }
}

TEST(ScalarizeLosses, WeightsVaryWithTheDraw) {
  // Two extreme trials: which one the scalarisation prefers depends on
  // the weights, and both win for some draws.
  const std::vector<std::vector<double>> losses = {{0.0, 1.0}, {1.0, 0.0}};
  int first_wins = 0;
  for (unsigned seed = 0; seed < 40; ++seed) {
    std::mt19937_64 rng(seed);
    const Eigen::VectorXd scalar = ScalarizeLosses(losses, rng);
    if (scalar[0] < scalar[1]) ++first_wins;
  }
  EXPECT_GT(first_wins, 5);
  EXPECT_LT(first_wins, 35);
}

}  // namespace
}  // namespace knob::gp

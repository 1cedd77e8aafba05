#include "server/samplers/tpe/parzen_estimator.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/samplers/tpe/truncated_normal.h"

namespace knob {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

TEST(LogNormalMass, MatchesTheStandardNormalDistribution) {
  EXPECT_NEAR(LogNormalMass(-kInfinity, 0), std::log(0.5), 1e-15);
  EXPECT_NEAR(LogNormalMass(0, kInfinity), std::log(0.5), 1e-15);
  EXPECT_NEAR(LogNormalMass(-1.96, 1.96), -0.051288863130464324, 1e-12);
  EXPECT_NEAR(LogNormalMass(-kInfinity, 1.96), -0.02531564916428212, 1e-12);
}

TEST(LogNormalMass, KeepsItsAccuracyFarInTheTails) {
  // log P(Z >= 10) and log P(Z >= 30): 1 - Phi(x) would round to 0.
  EXPECT_NEAR(LogNormalMass(10, kInfinity), -53.23128515051248, 1e-9);
  EXPECT_NEAR(LogNormalMass(30, kInfinity), -454.32124395634327, 1e-7);
  EXPECT_NEAR(LogNormalMass(-kInfinity, -30), -454.32124395634327, 1e-7);
}

TEST(LogNormalMass, NarrowIntervalsMatchTheDifferenceOfTails) {
  // Reference: the mass of [a, b] as the difference of two upper tails,
  // which is accurate for these intervals since neither tail is near 1.
  auto reference = [](double a, double b) {
    return std::log(
        0.5 * (std::erfc(a / std::sqrt(2.0)) - std::erfc(b / std::sqrt(2.0))));
  };
  for (double width : {1e-6, 1e-3, 0.01, 0.05, 0.1, 0.25}) {
    for (double start : {0.1, 1.0, 3.0, 3.8, 6.0, 9.0}) {
      SCOPED_TRACE(testing::Message() << "[" << start << ", +" << width << "]");
      const double expected = reference(start, start + width);
      EXPECT_NEAR(LogNormalMass(start, start + width), expected, 1e-5);
      // The normal is symmetric: the mirrored interval has the same mass.
      EXPECT_NEAR(LogNormalMass(-start - width, -start), expected, 1e-5);
    }
  }
  // Around the mean, where the tails are near 1/2 and their difference loses
  // digits, against the density times the width.
  EXPECT_NEAR(LogNormalMass(-1e-4, 1e-4), std::log(2e-4) - 0.91893853320467274,
              1e-8);
}

TEST(LogNormalMassAround, TakesTheLogOfTheWidthFromItsCaller) {
  // Narrow, and wide (two tails): both use the given log width only where
  // it equals log(width).
  for (const auto& [middle, width] :
       {std::pair{0.3, 0.2}, std::pair{-2.0, 0.4}, std::pair{5.0, 3.0}}) {
    EXPECT_NEAR(LogNormalMassAround(middle, width, std::log(width)),
                LogNormalMass(middle - width / 2, middle + width / 2), 1e-5);
  }
}

TEST(UnitIntervalMasses, MatchNormalMassToSinglePrecision) {
  std::vector<double> means;
  std::vector<double> inverse_sigmas;
  for (double mean : {0.0, 1e-3, 0.2, 0.5, 0.93, 1.0}) {
    for (double sigma : {1e-3, 0.01, 0.17, 0.5, 1.0}) {
      means.push_back(mean);
      inverse_sigmas.push_back(1 / sigma);
    }
  }
  std::vector<double> masses(means.size());
  UnitIntervalMasses(means, inverse_sigmas, absl::MakeSpan(masses));
  for (size_t i = 0; i < means.size(); ++i) {
    const double sigma = 1 / inverse_sigmas[i];
    const double expected =
        NormalMass(-means[i] / sigma, (1 - means[i]) / sigma);
    EXPECT_NEAR(masses[i] / expected, 1, 1e-6)
        << "mean " << means[i] << " sigma " << sigma;
  }
}

TEST(LogNormalMass, EmptyIntervalsHaveNoMass) {
  EXPECT_EQ(LogNormalMass(1, 1), -kInfinity);
  EXPECT_EQ(LogNormalMass(2, 1), -kInfinity);
}

TEST(SampleTruncatedNormal, StaysInsideAndHasTheTruncatedMean) {
  std::mt19937_64 rng(7);
  constexpr int kDraws = 20000;
  double sum = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double x = SampleTruncatedNormal(0, 1, 0, 1, rng);
    ASSERT_GE(x, 0);
    ASSERT_LE(x, 1);
    sum += x;
  }
  // (phi(0) - phi(1)) / (Phi(1) - Phi(0)); the standard error is ~0.002.
  EXPECT_NEAR(sum / kDraws, 0.45986222928642656, 0.01);
}

TEST(KernelAxis, EvenCellsTileTheUnitInterval) {
  const KernelAxis axis = KernelAxis::EvenCells(4);
  EXPECT_EQ(axis.kind(), KernelAxis::Kind::kDiscrete);
  EXPECT_EQ(axis.count(), 4);
  EXPECT_DOUBLE_EQ(axis.CellStart(0), 0);
  EXPECT_DOUBLE_EQ(axis.CellStart(1), 0.25);
  EXPECT_DOUBLE_EQ(axis.CellStart(4), 1);
  EXPECT_DOUBLE_EQ(axis.CellCentre(2), 0.625);
  EXPECT_EQ(axis.CellAt(0), 0);
  EXPECT_EQ(axis.CellAt(0.3), 1);
  EXPECT_EQ(axis.CellAt(1), 3);
}

TEST(KernelAxis, LogIntegerCellsAreEvenInLogSpace) {
  // 1..100: the cell of v spans [log(v - 0.5), log(v + 0.5)].
  const KernelAxis axis = KernelAxis::LogIntegerCells(1, 100);
  EXPECT_EQ(axis.count(), 100);
  const double span = std::log(100.5) - std::log(0.5);
  EXPECT_NEAR(axis.CellStart(1), (std::log(1.5) - std::log(0.5)) / span, 1e-15);
  EXPECT_DOUBLE_EQ(axis.CellStart(100), 1);
  for (int64_t k = 0; k < 100; ++k) {
    EXPECT_LT(axis.CellStart(k), axis.CellCentre(k));
    EXPECT_LT(axis.CellCentre(k), axis.CellStart(k + 1));
    EXPECT_EQ(axis.CellAt(axis.CellCentre(k)), k);
  }
}

double LogDensity(const ParzenEstimator& estimator,
                  const std::vector<double>& point) {
  double result = 0;
  estimator.LogDensities(point, absl::MakeSpan(&result, 1));
  return result;
}

TEST(ParzenEstimator, WithoutObservationsIsTheTruncatedPrior) {
  const ParzenEstimator prior({KernelAxis::Continuous()}, {}, {}, {});
  EXPECT_EQ(prior.components(), 1);
  // N(0.5, 1) truncated to [0, 1], at its centre. Truncation masses are
  // computed in single precision, to 1e-6 relative (truncated_normal.h).
  EXPECT_NEAR(LogDensity(prior, {0.5}), 0.04097780049094946, 1e-6);
}

TEST(ParzenEstimator, LogDensityOfAKnownMixture) {
  // One observation at 0.2: its kernel reaches to its farther end of the
  // axis (sigma 0.8, truncated to [0, 1]) and weighs as much as the prior.
  const ParzenEstimator estimator({KernelAxis::Continuous()}, {0.2}, {1},
                                  {.prior_weight = 1});
  EXPECT_EQ(estimator.components(), 2);
  EXPECT_NEAR(LogDensity(estimator, {0.2}), 0.06260529132812019, 1e-6);
  EXPECT_NEAR(LogDensity(estimator, {0.5}), 0.047891135742879364, 1e-6);
  EXPECT_NEAR(LogDensity(estimator, {0.9}), -0.14241463071879104, 1e-6);
}

TEST(ParzenEstimator, ContinuousDensityIntegratesToOne) {
  const std::vector<double> observations = {0.1, 0.12, 0.5, 0.93, 0.95, 1.0};
  const std::vector<double> weights = {1, 2, 1, 0.5, 1, 1};
  const ParzenEstimator estimator({KernelAxis::Continuous()}, observations,
                                  weights, {.prior_weight = 0.5});
  constexpr int kSteps = 20000;
  std::vector<double> points(kSteps);
  for (int i = 0; i < kSteps; ++i) points[i] = (i + 0.5) / kSteps;
  std::vector<double> log_densities(kSteps);
  estimator.LogDensities(points, absl::MakeSpan(log_densities));
  double integral = 0;
  for (double log_density : log_densities) {
    integral += std::exp(log_density) / kSteps;
  }
  EXPECT_NEAR(integral, 1, 1e-6);
}

// The probabilities of every value of a one-axis estimator with cells or
// choices.
std::vector<double> Probabilities(const ParzenEstimator& estimator) {
  const int64_t count = estimator.axes()[0].count();
  std::vector<double> points(count);
  for (int64_t k = 0; k < count; ++k) points[k] = static_cast<double>(k);
  std::vector<double> log_probabilities(count);
  estimator.LogDensities(points, absl::MakeSpan(log_probabilities));
  std::vector<double> probabilities;
  for (double p : log_probabilities) probabilities.push_back(std::exp(p));
  return probabilities;
}

double Sum(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum;
}

TEST(ParzenEstimator, DiscreteProbabilitiesSumToOne) {
  for (const KernelAxis& axis :
       {KernelAxis::EvenCells(1), KernelAxis::EvenCells(7),
        KernelAxis::EvenCells(1000), KernelAxis::LogIntegerCells(1, 300)}) {
    const double last = static_cast<double>(axis.count() - 1);
    const ParzenEstimator estimator(
        {axis},
        {0, std::min(3.0, last), std::min(3.0, last), std::min(5.0, last)},
        {1, 1, 1, 1}, {});
    EXPECT_NEAR(Sum(Probabilities(estimator)), 1, 1e-6)
        << "cells: " << axis.count();
  }
}

TEST(ParzenEstimator, DiscreteMassGathersAroundObservedCells) {
  const ParzenEstimator estimator({KernelAxis::EvenCells(10)}, {6, 6, 6, 7, 6},
                                  {1, 1, 1, 1, 1}, {});
  const std::vector<double> probabilities = Probabilities(estimator);
  EXPECT_EQ(std::max_element(probabilities.begin(), probabilities.end()) -
                probabilities.begin(),
            6);
  EXPECT_GT(probabilities[7], probabilities[8]);
  EXPECT_GT(probabilities[5], probabilities[0]);
  EXPECT_GT(probabilities[0], 0);
}

TEST(ParzenEstimator, CategoricalProbabilitiesOfAKnownMixture) {
  // Four observations and the prior, a fifth each. Each observation's
  // kernel gives every choice a share of 1/5 of the prior weight and its
  // own choice 1 more: 1.2 / 1.8 to it and 0.2 / 1.8 to each other one;
  // the prior gives each choice 1/4.
  const ParzenEstimator estimator({KernelAxis::Categorical(4)}, {2, 2, 2, 0},
                                  {1, 1, 1, 1}, {});
  const double hit = 1.2 / 1.8;
  const double miss = 0.2 / 1.8;
  const std::vector<double> probabilities = Probabilities(estimator);
  // LogDensities sums the mixture in single precision.
  constexpr double kTolerance = 1e-7;
  EXPECT_NEAR(probabilities[0], (hit + 3 * miss + 0.25) / 5, kTolerance);
  EXPECT_NEAR(probabilities[1], (4 * miss + 0.25) / 5, kTolerance);
  EXPECT_NEAR(probabilities[2], (3 * hit + miss + 0.25) / 5, kTolerance);
  EXPECT_NEAR(probabilities[3], (4 * miss + 0.25) / 5, kTolerance);
  EXPECT_NEAR(Sum(probabilities), 1, kTolerance);
}

TEST(ParzenEstimator, JointDensityOverMixedAxesIsNormalised) {
  // A continuous axis times a 3-cell axis times 2 choices: the density
  // integrated over the first and summed over the others is 1.
  const std::vector<KernelAxis> axes = {KernelAxis::Continuous(),
                                        KernelAxis::EvenCells(3),
                                        KernelAxis::Categorical(2)};
  const ParzenEstimator estimator(axes, {0.3, 1, 0, 0.8, 2, 1, 0.35, 1, 0},
                                  {1, 1, 1}, {});
  constexpr int kSteps = 4000;
  std::vector<double> points;
  for (int i = 0; i < kSteps; ++i) {
    for (int cell = 0; cell < 3; ++cell) {
      for (int choice = 0; choice < 2; ++choice) {
        points.insert(points.end(),
                      {(i + 0.5) / kSteps, static_cast<double>(cell),
                       static_cast<double>(choice)});
      }
    }
  }
  std::vector<double> log_densities(points.size() / 3);
  estimator.LogDensities(points, absl::MakeSpan(log_densities));
  double total = 0;
  for (double log_density : log_densities) {
    total += std::exp(log_density) / kSteps;
  }
  EXPECT_NEAR(total, 1, 1e-6);
}

TEST(ParzenEstimator, SamplesLieOnTheAxesAndFollowTheDensity) {
  const std::vector<KernelAxis> axes = {KernelAxis::Continuous(),
                                        KernelAxis::EvenCells(5),
                                        KernelAxis::Categorical(3)};
  const ParzenEstimator estimator(axes, {0.9, 4, 2, 0.95, 3, 2}, {1, 1}, {});
  const ParzenEstimator cells({KernelAxis::EvenCells(5)}, {4, 3}, {1, 1}, {});
  const std::vector<double> expected = Probabilities(cells);
  std::mt19937_64 rng(11);
  constexpr int kDraws = 20000;
  std::vector<int> counts(5);
  for (int i = 0; i < kDraws; ++i) {
    std::vector<double> point(3);
    estimator.Sample(rng, absl::MakeSpan(point));
    ASSERT_GE(point[0], 0);
    ASSERT_LE(point[0], 1);
    ASSERT_GE(point[1], 0);
    ASSERT_LE(point[1], 4);
    ASSERT_EQ(point[1], std::floor(point[1]));
    ASSERT_GE(point[2], 0);
    ASSERT_LE(point[2], 2);
    ASSERT_EQ(point[2], std::floor(point[2]));
    ++counts[static_cast<int>(point[1])];
  }
  // The cell axis alone has the same marginal as `cells`.
  for (int k = 0; k < 5; ++k) {
    EXPECT_NEAR(static_cast<double>(counts[k]) / kDraws, expected[k], 0.015)
        << "cell " << k;
  }
}

}  // namespace
}  // namespace knob

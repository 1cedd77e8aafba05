#include "server/samplers/gp/hyperparameter_fit.h"

#include <cmath>
#include <random>
#include <vector>

#include "Eigen/LU"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/samplers/gp/marginal_likelihood.h"

namespace knob::gp {
namespace {

Eigen::MatrixXd RandomPoints(int n, int d, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0, 1);
  Eigen::MatrixXd points(n, d);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) points(i, j) = uniform(rng);
  }
  return points;
}

// log N(values; 0, K + noise I) computed the slow, obvious way.
double DirectLogLikelihood(const Eigen::MatrixXd& points,
                           const Eigen::VectorXd& values,
                           const Matern52Kernel& kernel, double noise) {
  Eigen::MatrixXd covariance = kernel.Covariance(points, points);
  covariance.diagonal().array() += noise;
  const double n = static_cast<double>(points.rows());
  return -0.5 * values.dot(covariance.inverse() * values) -
         0.5 * std::log(covariance.determinant()) -
         0.5 * n * std::log(2 * M_PI);
}

TEST(MarginalLikelihood, MatchesTheGaussianDensity) {
  const Eigen::MatrixXd points = RandomPoints(6, 2, 1);
  Eigen::VectorXd values(6);
  values << 0.5, -1.0, 0.2, 1.4, -0.3, 0.0;
  const MarginalLikelihood likelihood(points, values, {false, false}, 1e-6,
                                      /*fit_noise=*/true);
  Eigen::VectorXd theta(4);
  theta << std::log(0.4), std::log(0.8), std::log(1.5), std::log(0.01);
  const GpHyperparameters hyperparameters = likelihood.Hyperparameters(theta);
  EXPECT_NEAR(hyperparameters.noise_variance, 0.01 + 1e-6, 1e-15);
  EXPECT_NEAR(likelihood.LogLikelihood(theta, nullptr),
              DirectLogLikelihood(points, values, likelihood.Kernel(theta),
                                  hyperparameters.noise_variance),
              1e-9);
}

TEST(MarginalLikelihood, GradientMatchesFiniteDifferences) {
  Eigen::MatrixXd points = RandomPoints(12, 3, 2);
  // The middle coordinate is categorical with three choices.
  for (int i = 0; i < points.rows(); ++i) {
    points(i, 1) = (std::floor(points(i, 1) * 3) + 0.5) / 3;
  }
  Eigen::VectorXd values(12);
  for (int i = 0; i < 12; ++i) {
    values[i] = std::sin(5 * points(i, 0)) + points(i, 1) - points(i, 2);
  }
  for (bool fit_noise : {true, false}) {
    const MarginalLikelihood likelihood(points, values, {false, true, false},
                                        1e-6, fit_noise);
    Eigen::VectorXd theta(likelihood.parameter_count());
    theta.head(4) << std::log(0.3), std::log(0.9), std::log(2.0), std::log(0.7);
    if (fit_noise) theta[4] = std::log(0.05);
    Eigen::VectorXd gradient;
    likelihood.LogLikelihood(theta, &gradient);
    ASSERT_EQ(gradient.size(), theta.size());
    const double h = 1e-6;
    for (int k = 0; k < theta.size(); ++k) {
      Eigen::VectorXd up = theta;
      Eigen::VectorXd down = theta;
      up[k] += h;
      down[k] -= h;
      const double numeric = (likelihood.LogLikelihood(up, nullptr) -
                              likelihood.LogLikelihood(down, nullptr)) /
                             (2 * h);
      EXPECT_NEAR(gradient[k], numeric, 1e-5 * std::max(1.0, std::abs(numeric)))
          << "parameter " << k << (fit_noise ? " with noise" : "");
    }
  }
}

TEST(LogPrior, GradientMatchesFiniteDifferences) {
  Eigen::VectorXd theta(5);
  theta << -1.0, 0.5, 2.0, 0.3, -7.0;
  Eigen::VectorXd gradient;
  LogPrior(theta, 3, /*fit_noise=*/true, &gradient);
  const double h = 1e-6;
  Eigen::VectorXd unused;
  for (int k = 0; k < 5; ++k) {
    Eigen::VectorXd up = theta;
    Eigen::VectorXd down = theta;
    up[k] += h;
    down[k] -= h;
    EXPECT_NEAR(
        gradient[k],
        (LogPrior(up, 3, true, &unused) - LogPrior(down, 3, true, &unused)) /
            (2 * h),
        1e-6);
  }
}

TEST(FitHyperparameters, IrrelevantCoordinatesGetLongLengthScales) {
  const Eigen::MatrixXd points = RandomPoints(40, 2, 3);
  Eigen::VectorXd values(40);
  for (int i = 0; i < 40; ++i) values[i] = std::sin(6 * points(i, 0));
  values = (values.array() - values.mean()) /
           std::sqrt((values.array() - values.mean()).square().mean());
  const GpHyperparameters fitted =
      FitHyperparameters(points, values, {false, false}, {});
  EXPECT_LT(fitted.length_scales[0], 1.0);
  EXPECT_GT(fitted.length_scales[1], 5 * fitted.length_scales[0]);
  // A smooth noise-free function: the noise stays near the floor.
  EXPECT_LT(fitted.noise_variance, 1e-3);
}

TEST(FitHyperparameters, NoisyDataGetANoiseEstimate) {
  const Eigen::MatrixXd points = RandomPoints(60, 1, 4);
  std::mt19937_64 rng(5);
  std::normal_distribution<double> noise(0, 0.5);
  Eigen::VectorXd values(60);
  for (int i = 0; i < 60; ++i) {
    values[i] = std::sin(6 * points(i, 0)) + noise(rng);
  }
  values = (values.array() - values.mean()) /
           std::sqrt((values.array() - values.mean()).square().mean());
  const GpHyperparameters fitted =
      FitHyperparameters(points, values, {false}, {});
  // About a third of the standardised variance is noise.
  EXPECT_GT(fitted.noise_variance, 0.1);
  EXPECT_LT(fitted.noise_variance, 0.6);

  HyperparameterFitOptions deterministic;
  deterministic.deterministic_objective = true;
  EXPECT_EQ(
      FitHyperparameters(points, values, {false}, deterministic).noise_variance,
      kNoiseFloor);
}

TEST(FitSubset, KeepsEverythingUpToTheBudget) {
  const Eigen::VectorXd values =
      Eigen::VectorXd::LinSpaced(kMaxFitPoints, 0, 1);
  EXPECT_EQ(FitSubset(values).size(), static_cast<size_t>(kMaxFitPoints));
}

TEST(FitSubset, BeyondTheBudgetKeepsTheBestHalfAndASpreadOfTheRest) {
  const int n = 4 * kMaxFitPoints;
  // Values decrease with the row: the best are the last rows.
  const Eigen::VectorXd values = Eigen::VectorXd::LinSpaced(n, 1, 0);
  const std::vector<int> subset = FitSubset(values);
  ASSERT_EQ(subset.size(), static_cast<size_t>(kMaxFitPoints));
  EXPECT_TRUE(std::is_sorted(subset.begin(), subset.end()));
  int best = 0;
  for (int row : subset) {
    if (row >= n - kMaxFitPoints / 2) ++best;
  }
  EXPECT_EQ(best, kMaxFitPoints / 2);
  EXPECT_EQ(subset.front(), 0);
}

}  // namespace
}  // namespace knob::gp

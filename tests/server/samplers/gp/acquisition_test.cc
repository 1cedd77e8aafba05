#include "server/samplers/gp/acquisition.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace knob::gp {
namespace {

// h(z) = phi(z) + z Phi(z) in long double, accurate where it does not
// underflow or cancel beyond long double's extra digits.
double DirectLogH(double z) {
  const long double x = z;
  const long double pdf = std::exp(-x * x / 2) / std::sqrt(2 * M_PIl);
  const long double cdf = 0.5L * std::erfc(-x / std::sqrt(2.0L));
  return static_cast<double>(std::log(pdf + x * cdf));
}

TEST(LogH, MatchesTheDirectFormulaWhereItIsRepresentable) {
  for (double z : {-8.0, -5.0, -2.5, -1.0, -0.3, 0.0, 0.7, 2.0, 6.0}) {
    EXPECT_NEAR(LogH(z), DirectLogH(z), 1e-9 * std::max(1.0, std::abs(LogH(z))))
        << "z = " << z;
  }
  // h(0) = phi(0).
  EXPECT_NEAR(LogH(0), -0.5 * std::log(2 * M_PI), 1e-15);
  // Far above, EI is the mean improvement: h(z) ~ z.
  EXPECT_NEAR(LogH(40), std::log(40.0), 1e-12);
}

TEST(LogH, IsContinuousWhereItsFormulaChanges) {
  for (double z : {-1.0, -20.0}) {
    EXPECT_NEAR(LogH(z - 1e-9), LogH(z + 1e-9), 1e-7) << "z = " << z;
  }
}

TEST(LogH, StaysFiniteAndIncreasingFarInTheTail) {
  double previous = -std::numeric_limits<double>::infinity();
  for (double z :
       {-1e10, -1e6, -1e3, -100.0, -40.0, -30.0, -25.0, -20.0, -15.0}) {
    const double value = LogH(z);
    ASSERT_TRUE(std::isfinite(value)) << "z = " << z;
    EXPECT_GT(value, previous) << "z = " << z;
    previous = value;
  }
  // The leading asymptotic term: log phi(z) - 2 log|z|.
  const double z = -1e3;
  EXPECT_NEAR(LogH(z), -z * z / 2 - 0.5 * std::log(2 * M_PI) - 2 * std::log(-z),
              1e-5);
  // EI itself underflows at z = -40; its log does not.
  EXPECT_EQ(std::exp(LogH(-40)), 0.0);
}

TEST(LogH, DerivativeMatchesFiniteDifferences) {
  for (double z : {-60.0, -25.0, -20.5, -12.0, -3.0, -1.0, 0.0, 1.5, 5.0}) {
    const double h = 1e-5 * std::max(1.0, std::abs(z));
    const double numeric = (LogH(z + h) - LogH(z - h)) / (2 * h);
    EXPECT_NEAR(LogHDerivative(z), numeric,
                1e-5 * std::max(1.0, std::abs(numeric)))
        << "z = " << z;
  }
}

GaussianProcess TwoDimensionalModel() {
  Eigen::MatrixXd points(5, 2);
  points << 0.1, 0.2, 0.4, 0.9, 0.8, 0.3, 0.5, 0.5, 0.2, 0.7;
  Eigen::VectorXd values(5);
  values << 0.3, -1.2, 0.8, 0.1, -0.4;
  return *GaussianProcess::Condition(
      Matern52Kernel({false, false}, Eigen::Vector2d(0.2, 0.3), 1.0), 1e-6,
      points, values);
}

TEST(LogExpectedImprovement, EqualsLogOfTheClosedFormEi) {
  const GaussianProcess model = TwoDimensionalModel();
  const LogExpectedImprovement acquisition(model, -1.2);
  const Eigen::Vector2d x(0.6, 0.6);
  const Prediction prediction = model.Predict(x);
  const double sigma = std::sqrt(prediction.variance);
  const double z = (-1.2 - prediction.mean) / sigma;
  const double pdf = std::exp(-z * z / 2) / std::sqrt(2 * M_PI);
  const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
  EXPECT_NEAR(acquisition.Value(x), std::log(sigma * (pdf + z * cdf)), 1e-9);
}

TEST(LogExpectedImprovement, GradientMatchesFiniteDifferences) {
  const GaussianProcess model = TwoDimensionalModel();
  // A target so low that EI is far in its tail.
  for (double best : {-1.2, -30.0}) {
    const LogExpectedImprovement acquisition(model, best);
    const Eigen::Vector2d x(0.33, 0.61);
    Eigen::VectorXd gradient;
    const double value = acquisition.ValueWithGradient(x, &gradient);
    EXPECT_NEAR(value, acquisition.Value(x), 1e-12);
    const double h = 1e-6;
    for (int i = 0; i < 2; ++i) {
      Eigen::Vector2d up = x;
      Eigen::Vector2d down = x;
      up[i] += h;
      down[i] -= h;
      const double numeric =
          (acquisition.Value(up) - acquisition.Value(down)) / (2 * h);
      EXPECT_NEAR(gradient[i], numeric, 1e-4 * std::max(1.0, std::abs(numeric)))
          << "best " << best << " dim " << i;
    }
  }
}

TEST(LogExpectedImprovement, BatchValuesMatchSingleOnes) {
  const GaussianProcess model = TwoDimensionalModel();
  const LogExpectedImprovement acquisition(model, -1.2);
  Eigen::MatrixXd points(3, 2);
  points << 0.4, 0.9, 0.0, 0.0, 0.7, 0.1;
  const Eigen::VectorXd values = acquisition.Values(points);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(values[i], acquisition.Value(points.row(i).transpose()), 1e-12);
    EXPECT_TRUE(std::isfinite(values[i]));
  }
}

}  // namespace
}  // namespace knob::gp

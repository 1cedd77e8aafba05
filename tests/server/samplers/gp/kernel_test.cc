#include "server/samplers/gp/kernel.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace knob::gp {
namespace {

TEST(Matern52, MatchesTheClosedFormAtHandPickedDistances) {
  EXPECT_DOUBLE_EQ(Matern52(0), 1);
  // r = 1: (1 + sqrt 5 + 5/3) exp(-sqrt 5).
  EXPECT_NEAR(Matern52(1), 0.523994, 1e-6);
  // r = 2: (1 + 2 sqrt 5 + 20/3) exp(-2 sqrt 5).
  EXPECT_NEAR(Matern52(4), 0.138660, 1e-6);
  EXPECT_LT(Matern52(400), 1e-15);
}

TEST(Matern52, DerivativeMatchesFiniteDifferences) {
  for (double r2 : {1e-4, 0.1, 1.0, 3.0}) {
    const double h = 1e-6 * r2;
    const double numeric = (Matern52(r2 + h) - Matern52(r2 - h)) / (2 * h);
    EXPECT_NEAR(Matern52Derivative(r2), numeric, 1e-6) << "r2 = " << r2;
  }
  EXPECT_DOUBLE_EQ(Matern52Derivative(0), -5.0 / 6.0);
}

TEST(Matern52Kernel, ScalesEachCoordinateByItsLengthScale) {
  const Matern52Kernel kernel({false, false}, Eigen::Vector2d(0.5, 2.0), 3.0);
  const Eigen::Vector2d origin(0, 0);
  // A step of one length scale in either coordinate is r = 1.
  EXPECT_NEAR(kernel(origin, Eigen::Vector2d(0.5, 0)), 3 * Matern52(1), 1e-12);
  EXPECT_NEAR(kernel(origin, Eigen::Vector2d(0, 2)), 3 * Matern52(1), 1e-12);
  EXPECT_DOUBLE_EQ(kernel(origin, origin), 3.0);
}

TEST(Matern52Kernel, CategoricalCoordinatesCountOnlyEquality) {
  const Matern52Kernel kernel({true}, Eigen::VectorXd::Constant(1, 0.5), 1.0);
  const Eigen::VectorXd a = Eigen::VectorXd::Constant(1, 1.0 / 6);
  const Eigen::VectorXd b = Eigen::VectorXd::Constant(1, 3.0 / 6);
  const Eigen::VectorXd c = Eigen::VectorXd::Constant(1, 5.0 / 6);
  // Any two different choices are one Hamming unit apart: r^2 = 1 / l^2.
  EXPECT_DOUBLE_EQ(kernel(a, b), Matern52(4));
  EXPECT_DOUBLE_EQ(kernel(a, c), Matern52(4));
  EXPECT_DOUBLE_EQ(kernel(a, a), 1.0);
}

TEST(Matern52Kernel, CovarianceMatrixMatchesPairwiseValues) {
  const Matern52Kernel kernel({false, true}, Eigen::Vector2d(0.3, 1.0), 2.0);
  Eigen::MatrixXd a(3, 2);
  a << 0.1, 0.25, 0.5, 0.75, 0.9, 0.25;
  Eigen::MatrixXd b(2, 2);
  b << 0.2, 0.75, 0.6, 0.25;
  const Eigen::MatrixXd covariance = kernel.Covariance(a, b);
  ASSERT_EQ(covariance.rows(), 3);
  ASSERT_EQ(covariance.cols(), 2);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 2; ++j) {
      EXPECT_DOUBLE_EQ(covariance(i, j),
                       kernel(a.row(i).transpose(), b.row(j).transpose()));
    }
  }
}

TEST(Matern52Kernel, GradientMatchesFiniteDifferences) {
  const Matern52Kernel kernel({false, true, false},
                              Eigen::Vector3d(0.3, 1.0, 0.7), 1.5);
  Eigen::MatrixXd points(4, 3);
  points << 0.1, 0.25, 0.9, 0.5, 0.75, 0.4, 0.9, 0.25, 0.1, 0.45, 0.25, 0.6;
  const Eigen::Vector3d x(0.42, 0.25, 0.55);
  Eigen::VectorXd covariance;
  Eigen::MatrixXd gradient;
  kernel.CovarianceWithGradient(points, x, &covariance, &gradient);
  for (int j = 0; j < points.rows(); ++j) {
    EXPECT_DOUBLE_EQ(covariance[j], kernel(points.row(j).transpose(), x));
  }
  const double h = 1e-6;
  for (int i : {0, 2}) {
    Eigen::Vector3d up = x;
    Eigen::Vector3d down = x;
    up[i] += h;
    down[i] -= h;
    for (int j = 0; j < points.rows(); ++j) {
      const double numeric = (kernel(points.row(j).transpose(), up) -
                              kernel(points.row(j).transpose(), down)) /
                             (2 * h);
      EXPECT_NEAR(gradient(j, i), numeric, 1e-7) << "row " << j << " dim " << i;
    }
  }
  EXPECT_TRUE(gradient.col(1).isZero());
}

}  // namespace
}  // namespace knob::gp

#include "server/samplers/gp/gaussian_process.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/samplers/gp/cholesky.h"
#include "tests/testing/status_matchers.h"

namespace knob::gp {
namespace {

// Five observations of sin in 1-D, without noise.
struct SineData {
  Eigen::MatrixXd points;
  Eigen::VectorXd values;
  SineData() : points(5, 1), values(5) {
    points << 0.05, 0.3, 0.5, 0.7, 0.95;
    for (int i = 0; i < 5; ++i) values[i] = std::sin(6 * points(i, 0));
  }
};

GaussianProcess SineModel(double noise = 1e-10) {
  const SineData data;
  return *GaussianProcess::Condition(
      Matern52Kernel({false}, Eigen::VectorXd::Constant(1, 0.3), 1.0), noise,
      data.points, data.values);
}

TEST(GaussianProcess, NoiseFreePosteriorInterpolatesTheData) {
  const SineData data;
  const GaussianProcess model = SineModel();
  for (int i = 0; i < 5; ++i) {
    const Prediction prediction = model.Predict(data.points.row(i));
    EXPECT_NEAR(prediction.mean, data.values[i], 1e-6);
    EXPECT_NEAR(prediction.variance, 0, 1e-8);
  }
  // Between the observations the model is unsure, but not as unsure as
  // far away, where it reverts to the prior.
  const Prediction between = model.Predict(Eigen::VectorXd::Constant(1, 0.4));
  EXPECT_GT(between.variance, 1e-4);
  EXPECT_LT(between.variance, 0.5);
  const Prediction far = model.Predict(Eigen::VectorXd::Constant(1, 20));
  EXPECT_NEAR(far.mean, 0, 1e-9);
  EXPECT_NEAR(far.variance, 1, 1e-9);
}

TEST(GaussianProcess, NoisyPosteriorSmoothsTheData) {
  const SineData data;
  const GaussianProcess model = SineModel(/*noise=*/0.5);
  const Prediction prediction = model.Predict(data.points.row(1));
  EXPECT_GT(std::abs(prediction.mean - data.values[1]), 0.05);
  EXPECT_GT(prediction.variance, 0.05);
}

TEST(GaussianProcess, GradientMatchesFiniteDifferences) {
  Eigen::MatrixXd points(6, 2);
  points << 0.1, 0.2, 0.4, 0.9, 0.8, 0.3, 0.5, 0.5, 0.2, 0.7, 0.9, 0.9;
  Eigen::VectorXd values(6);
  values << 0.3, -1.2, 0.8, 0.1, -0.4, 1.5;
  const GaussianProcess model = *GaussianProcess::Condition(
      Matern52Kernel({false, false}, Eigen::Vector2d(0.3, 0.5), 1.3), 1e-4,
      points, values);
  const Eigen::Vector2d x(0.37, 0.61);
  const PredictionWithGradient prediction = model.PredictWithGradient(x);
  const Prediction plain = model.Predict(x);
  EXPECT_NEAR(prediction.mean, plain.mean, 1e-12);
  EXPECT_NEAR(prediction.variance, plain.variance, 1e-12);
  const double h = 1e-6;
  for (int i = 0; i < 2; ++i) {
    Eigen::Vector2d up = x;
    Eigen::Vector2d down = x;
    up[i] += h;
    down[i] -= h;
    EXPECT_NEAR(prediction.mean_gradient[i],
                (model.Predict(up).mean - model.Predict(down).mean) / (2 * h),
                1e-6);
    EXPECT_NEAR(
        prediction.variance_gradient[i],
        (model.Predict(up).variance - model.Predict(down).variance) / (2 * h),
        1e-6);
  }
}

TEST(GaussianProcess, BatchPredictionsMatchSingleOnes) {
  const GaussianProcess model = SineModel();
  Eigen::MatrixXd points(3, 1);
  points << 0.12, 0.6, 1.4;
  Eigen::VectorXd means;
  Eigen::VectorXd variances;
  model.PredictBatch(points, &means, &variances);
  for (int i = 0; i < 3; ++i) {
    const Prediction single = model.Predict(points.row(i));
    EXPECT_NEAR(means[i], single.mean, 1e-12);
    EXPECT_NEAR(variances[i], single.variance, 1e-12);
  }
}

TEST(GaussianProcess, NoPointsGetNoPredictions) {
  Eigen::VectorXd means = Eigen::VectorXd::Ones(2);
  Eigen::VectorXd variances = Eigen::VectorXd::Ones(2);
  SineModel().PredictBatch(Eigen::MatrixXd(0, 1), &means, &variances);
  EXPECT_EQ(means.size(), 0);
  EXPECT_EQ(variances.size(), 0);
}

TEST(GaussianProcess, ObservationsAtThePredictedMeanOnlyRemoveUncertainty) {
  const GaussianProcess model = SineModel();
  Eigen::MatrixXd pending(2, 1);
  pending << 0.4, 0.82;
  Eigen::VectorXd means;
  Eigen::VectorXd variances;
  model.PredictBatch(pending, &means, &variances);
  ASSERT_OK_AND_ASSIGN(const GaussianProcess believer,
                       model.WithObservations(pending, means));
  EXPECT_EQ(believer.points().rows(), 7);
  for (double x : {0.4, 0.6, 0.82, 0.1}) {
    const Eigen::VectorXd point = Eigen::VectorXd::Constant(1, x);
    EXPECT_NEAR(believer.Predict(point).mean, model.Predict(point).mean, 1e-6)
        << "x = " << x;
    EXPECT_LE(believer.Predict(point).variance,
              model.Predict(point).variance + 1e-12);
  }
  EXPECT_NEAR(believer.Predict(pending.row(0)).variance, 0, 1e-8);
  EXPECT_NEAR(believer.Predict(pending.row(1)).variance, 0, 1e-8);
}

TEST(GaussianProcess, AddedObservationsMatchConditioningFromScratch) {
  const GaussianProcess model = SineModel(/*noise=*/1e-3);
  Eigen::MatrixXd points(2, 1);
  points << 0.4, 0.82;
  const Eigen::Vector2d values(2.0, -1.0);
  ASSERT_OK_AND_ASSIGN(const GaussianProcess extended,
                       model.WithObservations(points, values));
  const GaussianProcess direct =
      *GaussianProcess::Condition(model.kernel(), model.noise_variance(),
                                  extended.points(), extended.values());
  for (double x : {0.0, 0.4, 0.66, 1.0}) {
    const Eigen::VectorXd probe = Eigen::VectorXd::Constant(1, x);
    EXPECT_NEAR(extended.Predict(probe).mean, direct.Predict(probe).mean, 1e-9);
    EXPECT_NEAR(extended.Predict(probe).variance,
                direct.Predict(probe).variance, 1e-9);
  }
  // The made-up value at 0.4 pulls the mean up there.
  EXPECT_GT(extended.Predict(points.row(0)).mean, 1.5);
}

TEST(GaussianProcess, DuplicatePointsWithoutNoiseStillFactorise) {
  Eigen::MatrixXd points(3, 1);
  points << 0.5, 0.5, 0.5;
  const Eigen::Vector3d values(1.0, 1.0, 1.0);
  ASSERT_OK_AND_ASSIGN(
      const GaussianProcess model,
      GaussianProcess::Condition(
          Matern52Kernel({false}, Eigen::VectorXd::Constant(1, 0.2), 1.0), 0,
          points, values));
  const Prediction prediction = model.Predict(points.row(0));
  EXPECT_NEAR(prediction.mean, 1.0, 1e-3);
  EXPECT_TRUE(std::isfinite(prediction.variance));
}

TEST(GaussianProcess, NonFiniteDataIsAnError) {
  Eigen::MatrixXd points(2, 1);
  points << 0.1, 0.9;
  const Eigen::Vector2d values(1.0, std::nan(""));
  EXPECT_THAT(
      GaussianProcess::Condition(
          Matern52Kernel({false}, Eigen::VectorXd::Constant(1, 0.2), 1.0), 1e-6,
          points, values),
      ::knob::testing::StatusIs(absl::StatusCode::kInternal, ::testing::_));
}

TEST(JitteredCholesky, FactorsASingularMatrixWithATinyJitter) {
  const Eigen::Matrix2d singular = Eigen::Matrix2d::Ones();
  const std::optional<Eigen::MatrixXd> lower = JitteredCholesky(singular);
  ASSERT_TRUE(lower.has_value());
  const Eigen::MatrixXd product = *lower * lower->transpose();
  EXPECT_NEAR((product - singular).cwiseAbs().maxCoeff(), 0, 1e-4);
  EXPECT_DOUBLE_EQ((*lower)(0, 1), 0);
}

TEST(JitteredCholesky, GivesUpOnAnIndefiniteMatrix) {
  Eigen::Matrix2d indefinite;
  indefinite << 1, 2, 2, 1;
  EXPECT_FALSE(JitteredCholesky(indefinite).has_value());
}

}  // namespace
}  // namespace knob::gp

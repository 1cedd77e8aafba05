#include "server/samplers/gp/acquisition_optimizer.h"

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/samplers/gp/gp_space.h"
#include "tests/testing/space_builders.h"

namespace knob::gp {
namespace {

using ::knob::testing::Choices;
using ::knob::testing::Floats;
using ::knob::testing::Ints;
using ::knob::testing::LogFloats;
using ::knob::testing::Param;
using ::knob::testing::Space;
using ::knob::testing::When;

// -sum_i (x_i - peak_i)^2 over the numeric coordinates, minus 1 for each
// categorical coordinate not at its peak: a single known maximum of 0.
class NegatedDistance final : public AcquisitionFunction {
 public:
  NegatedDistance(Eigen::VectorXd peak, std::vector<bool> categorical)
      : peak_(std::move(peak)), categorical_(std::move(categorical)) {}

  double Value(const Eigen::VectorXd& x) const override {
    double value = 0;
    for (int i = 0; i < x.size(); ++i) {
      value -= categorical_[i] ? (x[i] == peak_[i] ? 0.0 : 1.0)
                               : (x[i] - peak_[i]) * (x[i] - peak_[i]);
    }
    return value;
  }

  double ValueWithGradient(const Eigen::VectorXd& x,
                           Eigen::VectorXd* gradient) const override {
    gradient->resize(x.size());
    for (int i = 0; i < x.size(); ++i) {
      (*gradient)[i] = categorical_[i] ? 0.0 : -2 * (x[i] - peak_[i]);
    }
    return Value(x);
  }

  Eigen::VectorXd Values(const Eigen::MatrixXd& points) const override {
    Eigen::VectorXd values(points.rows());
    for (int k = 0; k < points.rows(); ++k) {
      values[k] = Value(points.row(k).transpose());
    }
    return values;
  }

 private:
  Eigen::VectorXd peak_;
  std::vector<bool> categorical_;
};

AcquisitionMaximum Maximize(const GpSpace& space,
                            const AcquisitionFunction& acquisition,
                            unsigned seed,
                            const AcquisitionSearchPoints& points = {}) {
  std::mt19937_64 rng(seed);
  return MaximizeAcquisition(acquisition, space,
                             Eigen::VectorXd::Constant(space.dimensions(), 0.3),
                             points, AcquisitionOptimizerOptions{}, rng);
}

TEST(MaximizeAcquisition, FindsTheMaximumOfAContinuousFunction) {
  const GpSpace space(Space({Param("x", Floats(0, 1)), Param("y", Floats(0, 1)),
                             Param("z", LogFloats(1e-3, 1))}));
  const NegatedDistance acquisition(Eigen::Vector3d(0.3, 0.7, 0.55),
                                    space.categorical());
  for (unsigned seed : {1u, 2u, 3u}) {
    const AcquisitionMaximum maximum = Maximize(space, acquisition, seed);
    EXPECT_NEAR(maximum.point[0], 0.3, 1e-4);
    EXPECT_NEAR(maximum.point[1], 0.7, 1e-4);
    EXPECT_NEAR(maximum.point[2], 0.55, 1e-4);
    EXPECT_NEAR(maximum.value, 0, 1e-8);
  }
}

TEST(MaximizeAcquisition, FindsTheMaximumOnGridsAndChoices) {
  const GpSpace space(
      Space({Param("n", Ints(0, 100)),
             Param("kind", Choices({std::string("a"), std::string("b"),
                                    std::string("c"), std::string("d")})),
             Param("x", Floats(0, 1)), Param("step", Floats(0, 1, 0.25))}));
  // Peaks at n = 37, kind = "c", x = 0.42 and step = 0.75, each at its
  // coordinate's encoding.
  const Eigen::Vector4d peak(space.GridPoint(0, 37), space.GridPoint(1, 2),
                             0.42, space.GridPoint(3, 3));
  const NegatedDistance acquisition(peak, space.categorical());
  const AcquisitionMaximum maximum = Maximize(space, acquisition, 7);
  const ParamAssignment params = space.Decode(maximum.point);
  EXPECT_EQ(params.at("n"), ParamValue(int64_t{37}));
  EXPECT_EQ(params.at("kind"), ParamValue(std::string("c")));
  EXPECT_NEAR(std::get<double>(params.at("x")), 0.42, 1e-4);
  EXPECT_EQ(params.at("step"), ParamValue(0.75));
}

TEST(MaximizeAcquisition, SearchesFromTheIncumbents) {
  // A peak so narrow in a 6-D space that random points only find it by
  // starting next to it.
  std::vector<ParameterSpec> parameters;
  for (int i = 0; i < 6; ++i) {
    parameters.push_back(Param("x" + std::to_string(i), Floats(0, 1)));
  }
  const GpSpace space(Space(parameters));
  const Eigen::VectorXd peak = Eigen::VectorXd::Constant(6, 0.81);
  class Spike final : public AcquisitionFunction {
   public:
    explicit Spike(Eigen::VectorXd peak) : peak_(std::move(peak)) {}
    double Value(const Eigen::VectorXd& x) const override {
      return std::exp(-(x - peak_).squaredNorm() / 1e-3);
    }
    double ValueWithGradient(const Eigen::VectorXd& x,
                             Eigen::VectorXd* gradient) const override {
      const double value = Value(x);
      *gradient = -2 / 1e-3 * value * (x - peak_);
      return value;
    }
    Eigen::VectorXd Values(const Eigen::MatrixXd& points) const override {
      Eigen::VectorXd values(points.rows());
      for (int k = 0; k < points.rows(); ++k) {
        values[k] = Value(points.row(k).transpose());
      }
      return values;
    }

   private:
    Eigen::VectorXd peak_;
  } spike(peak);
  AcquisitionSearchPoints points;
  points.incumbents = {Eigen::VectorXd::Constant(6, 0.8)};
  const AcquisitionMaximum maximum = Maximize(space, spike, 11, points);
  EXPECT_LT((maximum.point - peak).norm(), 1e-3);
}

TEST(MaximizeAcquisition, NeverReturnsAnExcludedPoint) {
  const GpSpace space(
      Space({Param("n", Ints(0, 10)),
             Param("kind", Choices({std::string("a"), std::string("b")}))}));
  const Eigen::Vector2d peak(space.GridPoint(0, 4), space.GridPoint(1, 1));
  const NegatedDistance acquisition(peak, space.categorical());
  AcquisitionSearchPoints points;
  points.excluded = {peak};
  const AcquisitionMaximum maximum = Maximize(space, acquisition, 13, points);
  // The runner-up: one grid step from the peak.
  EXPECT_NE(maximum.point, Eigen::VectorXd(peak));
  EXPECT_NEAR(maximum.value,
              -std::pow(space.GridPoint(0, 1) - space.GridPoint(0, 0), 2),
              1e-12);

  // With every point excluded, the value says so.
  for (int64_t n = 0; n <= 10; ++n) {
    for (int64_t kind = 0; kind < 2; ++kind) {
      points.excluded.push_back(
          Eigen::Vector2d(space.GridPoint(0, n), space.GridPoint(1, kind)));
    }
  }
  EXPECT_EQ(Maximize(space, acquisition, 13, points).value,
            -std::numeric_limits<double>::infinity());
}

TEST(MaximizeAcquisition, LeavesInactiveCoordinatesAtTheirConstant) {
  const GpSpace space(Space(
      {Param("optimizer", Choices({std::string("sgd"), std::string("adam")})),
       When(Param("momentum", Floats(0, 1)), "optimizer", {std::string("sgd")}),
       When(Param("beta", Floats(0, 1)), "optimizer", {std::string("adam")})}));
  // Adam is worth more, and its beta peaks at 0.2; momentum would peak at
  // 0.9 but is inactive with Adam.
  const Eigen::Vector3d peak(space.GridPoint(0, 1), 0.9, 0.2);
  const NegatedDistance acquisition(peak, space.categorical());
  const AcquisitionMaximum maximum = Maximize(space, acquisition, 5);
  const ParamAssignment params = space.Decode(maximum.point);
  EXPECT_EQ(params.at("optimizer"), ParamValue(std::string("adam")));
  EXPECT_FALSE(params.contains("momentum"));
  EXPECT_EQ(maximum.point[1], kInactiveNumeric);
  EXPECT_NEAR(maximum.point[2], 0.2, 1e-4);
}

}  // namespace
}  // namespace knob::gp

#include "server/importance/parameter_features.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/space_builders.h"
#include "tests/testing/status_matchers.h"

namespace knob::importance {
namespace {

using ::knob::testing::Choices;
using ::knob::testing::Floats;
using ::knob::testing::Ints;
using ::knob::testing::IsOkAndHolds;
using ::knob::testing::LogFloats;
using ::knob::testing::LogInts;
using ::knob::testing::StatusIs;

FeatureSpace FeatureOf(const Domain& domain) {
  const std::optional<FeatureSpace> feature = ParameterFeature(domain);
  EXPECT_TRUE(feature.has_value());
  return feature.value_or(FeatureSpace{});
}

TEST(ParameterFeatures, FloatsKeepTheirRange) {
  const FeatureSpace feature = FeatureOf(Floats(-2, 3));
  EXPECT_EQ(feature.low, -2);
  EXPECT_EQ(feature.high, 3);
  EXPECT_FALSE(feature.categorical());
  EXPECT_THAT(FeatureValue(Floats(-2, 3), feature, 1.5), IsOkAndHolds(1.5));
}

TEST(ParameterFeatures, LogScaleParametersAreMeasuredInLogSpace) {
  const FeatureSpace floats = FeatureOf(LogFloats(1e-4, 1));
  EXPECT_DOUBLE_EQ(floats.low, std::log(1e-4));
  EXPECT_DOUBLE_EQ(floats.high, 0);
  EXPECT_THAT(FeatureValue(LogFloats(1e-4, 1), floats, 0.01),
              IsOkAndHolds(::testing::DoubleEq(std::log(0.01))));
  const FeatureSpace ints = FeatureOf(LogInts(1, 100));
  EXPECT_DOUBLE_EQ(ints.low, std::log(0.5));
  EXPECT_DOUBLE_EQ(ints.high, std::log(100.5));
  EXPECT_THAT(FeatureValue(LogInts(1, 100), ints, int64_t{10}),
              IsOkAndHolds(::testing::DoubleEq(std::log(10))));
}

TEST(ParameterFeatures, EveryGridPointCoversOneStep) {
  const FeatureSpace ints = FeatureOf(Ints(0, 9, 3));
  EXPECT_EQ(ints.low, -1.5);
  EXPECT_EQ(ints.high, 10.5);
  const FeatureSpace stepped = FeatureOf(Floats(0, 1, 0.25));
  EXPECT_EQ(stepped.low, -0.125);
  EXPECT_EQ(stepped.high, 1.125);
  // The last point of [0, 1] with step 0.3 is 0.9, not 1.
  const FeatureSpace uneven = FeatureOf(Floats(0, 1, 0.3));
  EXPECT_DOUBLE_EQ(uneven.high, 1.05);
}

TEST(ParameterFeatures, CategoricalsAreTheIndexOfTheChoice) {
  const Domain domain =
      Choices({std::string("sgd"), std::string("adam"), int64_t{3}});
  const FeatureSpace feature = FeatureOf(domain);
  EXPECT_EQ(feature.category_count, 3);
  EXPECT_THAT(FeatureValue(domain, feature, std::string("adam")),
              IsOkAndHolds(1.0));
  EXPECT_THAT(FeatureValue(domain, feature, int64_t{3}), IsOkAndHolds(2.0));
  EXPECT_THAT(FeatureValue(domain, feature, std::string("rmsprop")),
              StatusIs(absl::StatusCode::kInternal,
                       ::testing::HasSubstr("\"rmsprop\"")));
}

TEST(ParameterFeatures, DomainsOfOneValueAreNoFeature) {
  EXPECT_EQ(ParameterFeature(FixedDomain{int64_t{4}}), std::nullopt);
  EXPECT_EQ(ParameterFeature(Ints(3, 3)), std::nullopt);
  EXPECT_EQ(ParameterFeature(Floats(0, 0.5, 1)), std::nullopt);
  EXPECT_EQ(ParameterFeature(Choices({true})), std::nullopt);
}

}  // namespace
}  // namespace knob::importance

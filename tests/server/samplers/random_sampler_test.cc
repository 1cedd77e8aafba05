#include "server/samplers/random_sampler.h"

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/samplers/sampler_testing.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::Choices;
using ::knob::testing::Floats;
using ::knob::testing::History;
using ::knob::testing::Ints;
using ::knob::testing::LogFloats;
using ::knob::testing::LogInts;
using ::knob::testing::Param;
using ::knob::testing::SampleNext;
using ::knob::testing::SamplerSpec;
using ::knob::testing::Space;
using ::knob::testing::StatusIs;
using ::knob::testing::When;
using ::testing::HasSubstr;

constexpr int kSamples = 4000;

// kSamples values of the single parameter "p", each for a new trial
// number on an empty history.
std::vector<ParamValue> Draw(const Domain& domain) {
  const StudyConfig config = Space({Param("p", domain)});
  std::unique_ptr<Sampler> sampler =
      *CreateRandomSampler(config, SamplerSpec("random"));
  History history;
  std::vector<ParamValue> values;
  for (int i = 0; i < kSamples; ++i) {
    ParamAssignment params = *SampleNext(*sampler, config, history);
    values.push_back(params.at("p"));
    history.Add(std::move(params));
  }
  return values;
}

TEST(RandomSampler, LogUniformPutsHalfTheSamplesBelowTheGeometricMean) {
  int below = 0;
  for (const ParamValue& value : Draw(LogFloats(1e-4, 1))) {
    const double x = std::get<double>(value);
    ASSERT_GE(x, 1e-4);
    ASSERT_LE(x, 1);
    if (x < 1e-2) ++below;
  }
  EXPECT_NEAR(below, kSamples / 2, kSamples / 20);
}

TEST(RandomSampler, UniformFloatSpreadsOverTheRange) {
  int below_quarter = 0;
  for (const ParamValue& value : Draw(Floats(-2, 2))) {
    if (std::get<double>(value) < -1) ++below_quarter;
  }
  EXPECT_NEAR(below_quarter, kSamples / 4, kSamples / 20);
}

TEST(RandomSampler, EveryChoiceAppears) {
  std::map<std::string, int> counts;
  for (const ParamValue& value :
       Draw(Choices({std::string("a"), std::string("b"), std::string("c"),
                     int64_t{4}, false}))) {
    ++counts[ParamValueLabel(value)];
  }
  ASSERT_EQ(counts.size(), 5u);
  for (const auto& [label, count] : counts) {
    EXPECT_NEAR(count, kSamples / 5, kSamples / 20) << label;
  }
}

TEST(RandomSampler, IntsCoverTheRangeIncludingBothEnds) {
  std::map<int64_t, int> counts;
  for (const ParamValue& value : Draw(Ints(1, 10))) {
    ++counts[std::get<int64_t>(value)];
  }
  ASSERT_EQ(counts.size(), 10u);
  EXPECT_EQ(counts.begin()->first, 1);
  EXPECT_EQ(counts.rbegin()->first, 10);
  for (const auto& [value, count] : counts) {
    EXPECT_NEAR(count, kSamples / 10, kSamples / 25) << value;
  }
}

TEST(RandomSampler, IntsStayOnTheStepGrid) {
  std::map<int64_t, int> counts;
  for (const ParamValue& value : Draw(Ints(1, 11, 3))) {
    ++counts[std::get<int64_t>(value)];
  }
  std::vector<int64_t> seen;
  for (const auto& [value, count] : counts) seen.push_back(value);
  EXPECT_THAT(seen, ::testing::ElementsAre(1, 4, 7, 10));
}

TEST(RandomSampler, LogIntsCoverBothEndsAndFavourSmallValues) {
  std::map<int64_t, int> counts;
  int below = 0;
  for (const ParamValue& value : Draw(LogInts(1, 1000))) {
    const int64_t n = std::get<int64_t>(value);
    ASSERT_GE(n, 1);
    ASSERT_LE(n, 1000);
    ++counts[n];
    if (n <= 31) ++below;
  }
  EXPECT_GT(counts[1], 0);
  EXPECT_NEAR(below, kSamples / 2, kSamples / 10);
  std::map<int64_t, int> end_counts;
  for (const ParamValue& value : Draw(LogInts(1, 2))) {
    ++end_counts[std::get<int64_t>(value)];
  }
  EXPECT_GT(end_counts[1], kSamples / 4);
  EXPECT_GT(end_counts[2], kSamples / 4);
}

TEST(RandomSampler, SteppedFloatsHitGridPointsAndNeverExceedMax) {
  std::map<double, int> counts;
  for (const ParamValue& value : Draw(Floats(0, 0.3, 0.1))) {
    ++counts[std::get<double>(value)];
  }
  std::vector<double> seen;
  for (const auto& [value, count] : counts) seen.push_back(value);
  EXPECT_THAT(seen, ::testing::ElementsAre(0.0, 0.1, 0.2, 0.3));
}

TEST(RandomSampler, InactiveParametersAreAbsent) {
  const StudyConfig config = Space(
      {When(Param("momentum", Floats(0, 1)), "optimizer", {std::string("sgd")}),
       Param("optimizer", Choices({std::string("sgd"), std::string("adam")}))});
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sampler> sampler,
                       CreateRandomSampler(config, SamplerSpec("random")));
  History history;
  int with_momentum = 0;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_OK_AND_ASSIGN(ParamAssignment params,
                         SampleNext(*sampler, config, history));
    const bool sgd = params.at("optimizer") == ParamValue(std::string("sgd"));
    EXPECT_EQ(params.contains("momentum"), sgd);
    with_momentum += sgd;
    history.Add(std::move(params));
  }
  EXPECT_NEAR(with_momentum, 500, 100);
}

TEST(RandomSampler, DifferentTrialNumbersGiveDifferentParams) {
  const StudyConfig config = Space({Param("x", Floats(0, 1))});
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sampler> sampler,
                       CreateRandomSampler(config, SamplerSpec("random")));
  History empty;
  History one;
  one.AddNumbered(5, {{"x", 0.5}});
  ASSERT_OK_AND_ASSIGN(ParamAssignment a, SampleNext(*sampler, config, empty));
  ASSERT_OK_AND_ASSIGN(ParamAssignment b, SampleNext(*sampler, config, one));
  EXPECT_NE(a, b);
}

TEST(RandomSampler, RejectsOptions) {
  const StudyConfig config = Space({Param("x", Floats(0, 1))});
  EXPECT_THAT(
      CreateRandomSampler(config, SamplerSpec("random", {{"foo", int64_t{1}}})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("sampler.options.foo: unknown option for sampler "
                         "\"random\"")));
}

}  // namespace
}  // namespace knob

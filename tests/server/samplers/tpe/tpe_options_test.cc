#include "server/samplers/tpe/tpe_options.h"

#include <map>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/samplers/sampler_testing.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::SamplerSpec;
using ::knob::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(TpeOptions, DefaultsWhenNothingIsGiven) {
  ASSERT_OK_AND_ASSIGN(TpeOptions options, ParseTpeOptions(SamplerSpec("tpe")));
  EXPECT_EQ(options.n_startup_trials, 10);
  EXPECT_EQ(options.n_ei_candidates, 24);
  EXPECT_TRUE(options.multivariate);
  EXPECT_TRUE(options.group);
  EXPECT_TRUE(options.constant_liar);
  EXPECT_EQ(options.prior_weight, 1);
  EXPECT_FALSE(options.consider_endpoints);
  EXPECT_EQ(options.weights, TpeWeights::kDecayOld);
}

TEST(TpeOptions, ReadsEveryOption) {
  ASSERT_OK_AND_ASSIGN(TpeOptions options,
                       ParseTpeOptions(SamplerSpec(
                           "tpe", {{"n_startup_trials", int64_t{3}},
                                   {"n_ei_candidates", int64_t{64}},
                                   {"multivariate", false},
                                   {"group", false},
                                   {"constant_liar", false},
                                   {"gamma", 0.25},
                                   {"max_good_trials", int64_t{40}},
                                   {"prior_weight", int64_t{2}},
                                   {"consider_endpoints", true},
                                   {"weights", std::string("uniform")}})));
  EXPECT_EQ(options.n_startup_trials, 3);
  EXPECT_EQ(options.n_ei_candidates, 64);
  EXPECT_FALSE(options.multivariate);
  EXPECT_FALSE(options.group);
  EXPECT_FALSE(options.constant_liar);
  EXPECT_EQ(options.gamma, 0.25);
  EXPECT_EQ(options.max_good_trials, 40);
  EXPECT_EQ(options.prior_weight, 2);
  EXPECT_TRUE(options.consider_endpoints);
  EXPECT_EQ(options.weights, TpeWeights::kUniform);
}

struct BadOption {
  std::string name;
  ParamValue value;
};

class TpeOptionsRejects : public ::testing::TestWithParam<BadOption> {};

TEST_P(TpeOptionsRejects, NamingTheOption) {
  const BadOption& bad = GetParam();
  EXPECT_THAT(
      ParseTpeOptions(SamplerSpec("tpe", {{bad.name, bad.value}})).status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("sampler.options." + bad.name)));
}

INSTANTIATE_TEST_SUITE_P(
    BadValues, TpeOptionsRejects,
    ::testing::Values(
        BadOption{"n_startup_trials", int64_t{-1}},
        BadOption{"n_startup_trials", 2.5},
        BadOption{"n_ei_candidates", int64_t{0}},
        BadOption{"n_ei_candidates", int64_t{1000000}},
        BadOption{"multivariate", std::string("yes")},
        BadOption{"group", int64_t{1}}, BadOption{"constant_liar", 0.0},
        BadOption{"gamma", 0.0}, BadOption{"gamma", 1.5},
        BadOption{"gamma", std::string("sqrt")},
        BadOption{"max_good_trials", int64_t{0}},
        BadOption{"prior_weight", 0.0}, BadOption{"prior_weight", -1.0},
        BadOption{"consider_endpoints", std::string("true")},
        BadOption{"weights", std::string("newest")}, BadOption{"weights", true},
        BadOption{"seed", int64_t{3}}, BadOption{"n_startup", int64_t{3}}),
    [](const ::testing::TestParamInfo<BadOption>& info) {
      return info.param.name + "_" + std::to_string(info.index);
    });

TEST(TpeOptions, MessageSaysWhatIsExpected) {
  EXPECT_THAT(ParseTpeOptions(SamplerSpec("tpe", {{"gamma", 1.5}})).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("(0, 1]"), HasSubstr("1.5"))));
  EXPECT_THAT(
      ParseTpeOptions(SamplerSpec("tpe", {{"seed", int64_t{3}}})).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown")));
}

}  // namespace
}  // namespace knob

#include "server/samplers/qmc/sobol_sampler.h"

#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/model/search_space.h"
#include "tests/server/samplers/sampler_testing.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::Choices;
using ::knob::testing::Floats;
using ::knob::testing::History;
using ::knob::testing::Ints;
using ::knob::testing::LogFloats;
using ::knob::testing::Param;
using ::knob::testing::SampleNext;
using ::knob::testing::SamplerSpec;
using ::knob::testing::Space;
using ::knob::testing::StatusIs;
using ::knob::testing::When;
using ::testing::HasSubstr;

std::unique_ptr<Sampler> NewSampler(
    const StudyConfig& config, std::map<std::string, ParamValue> options = {}) {
  absl::StatusOr<std::unique_ptr<Sampler>> sampler =
      CreateSobolSampler(config, SamplerSpec("sobol", std::move(options)));
  EXPECT_TRUE(sampler.ok()) << sampler.status();
  return sampler.ok() ? *std::move(sampler) : nullptr;
}

// Samples trials 0..count-1, each joining the history as a running trial.
std::vector<ParamAssignment> SampleTrials(Sampler& sampler,
                                          const StudyConfig& config,
                                          int count) {
  History history;
  std::vector<ParamAssignment> samples;
  for (int i = 0; i < count; ++i) {
    absl::StatusOr<ParamAssignment> params =
        SampleNext(sampler, config, history);
    EXPECT_TRUE(params.ok()) << params.status();
    if (!params.ok()) break;
    samples.push_back(*params);
    history.Add(*std::move(params));
  }
  return samples;
}

TEST(SobolSampler, FirstPowerOfTwoTrialsTakeEveryIntOnce) {
  const StudyConfig config =
      Space({Param("a", Ints(0, 15)), Param("b", Ints(-8, 7))});
  std::unique_ptr<Sampler> sampler = NewSampler(config);
  ASSERT_NE(sampler, nullptr);
  std::set<int64_t> a;
  std::set<int64_t> b;
  for (const ParamAssignment& params : SampleTrials(*sampler, config, 16)) {
    a.insert(std::get<int64_t>(params.at("a")));
    b.insert(std::get<int64_t>(params.at("b")));
  }
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(b.size(), 16u);
}

TEST(SobolSampler, FirstPowerOfTwoTrialsShareChoicesEqually) {
  const StudyConfig config =
      Space({Param("kind", Choices({std::string("a"), std::string("b"),
                                    std::string("c"), std::string("d")})),
             Param("x", LogFloats(1e-4, 1))});
  std::unique_ptr<Sampler> sampler = NewSampler(config);
  ASSERT_NE(sampler, nullptr);
  std::map<std::string, int> count;
  std::set<int> decades;
  for (const ParamAssignment& params : SampleTrials(*sampler, config, 32)) {
    ++count[std::get<std::string>(params.at("kind"))];
    const double x = std::get<double>(params.at("x"));
    ASSERT_GE(x, 1e-4);
    ASSERT_LE(x, 1);
    decades.insert(static_cast<int>(std::floor(-std::log10(x))));
  }
  EXPECT_EQ(count, (std::map<std::string, int>{
                       {"a", 8}, {"b", 8}, {"c", 8}, {"d", 8}}));
  // Log scale: every decade of 1e-4..1 gets its share.
  EXPECT_EQ(decades, (std::set<int>{0, 1, 2, 3}));
}

TEST(SobolSampler, HonoursConditions) {
  const ParamValue sgd = std::string("sgd");
  const ParamValue adam = std::string("adam");
  const StudyConfig config = Space(
      {When(Param("momentum", Floats(0, 1)), "optimizer", {sgd}),
       Param("optimizer", Choices({sgd, adam})), Param("layers", Ints(1, 4))});
  std::unique_ptr<Sampler> sampler = NewSampler(config);
  ASSERT_NE(sampler, nullptr);
  int with_momentum = 0;
  for (const ParamAssignment& params : SampleTrials(*sampler, config, 64)) {
    const bool is_sgd = params.at("optimizer") == sgd;
    EXPECT_EQ(params.contains("momentum"), is_sgd);
    with_momentum += is_sgd;
    EXPECT_OK(NormalizeAssignment(config, params));
  }
  EXPECT_EQ(with_momentum, 32);
}

TEST(SobolSampler, TrialNumberAloneChoosesThePoint) {
  const StudyConfig config =
      Space({Param("x", Floats(0, 1)), Param("y", Floats(-1, 1))});
  std::unique_ptr<Sampler> sampler = NewSampler(config);
  ASSERT_NE(sampler, nullptr);
  const std::vector<ParamAssignment> run = SampleTrials(*sampler, config, 10);
  // Trial 7 sampled straight after a history of finished trials.
  History history;
  history.AddNumbered(6, {}, TrialState::kCompleted);
  history.Finish(6, TrialState::kCompleted, {1.0});
  ASSERT_OK_AND_ASSIGN(ParamAssignment seventh,
                       SampleNext(*sampler, config, history));
  EXPECT_EQ(seventh, run[7]);
}

TEST(SobolSampler, StudySeedChoosesTheScramble) {
  StudyConfig config = Space({Param("x", Floats(0, 1))}, 1);
  std::unique_ptr<Sampler> first = NewSampler(config);
  config.seed = 2;
  std::unique_ptr<Sampler> second = NewSampler(config);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(SampleTrials(*first, config, 8), SampleTrials(*second, config, 8));
}

TEST(SobolSampler, PlainSequenceStartsAtTheLowerBounds) {
  const StudyConfig config =
      Space({Param("x", Floats(2, 4)), Param("n", Ints(0, 9))});
  std::unique_ptr<Sampler> sampler = NewSampler(config, {{"scramble", false}});
  ASSERT_NE(sampler, nullptr);
  const std::vector<ParamAssignment> run = SampleTrials(*sampler, config, 2);
  EXPECT_EQ(run[0], (ParamAssignment{{"x", 2.0}, {"n", int64_t{0}}}));
  EXPECT_EQ(run[1], (ParamAssignment{{"x", 3.0}, {"n", int64_t{5}}}));
}

TEST(SobolSampler, FixedParametersTakeTheirValue) {
  const StudyConfig config =
      Space({Param("version", FixedDomain{std::string("v2")})});
  std::unique_ptr<Sampler> sampler = NewSampler(config);
  ASSERT_NE(sampler, nullptr);
  EXPECT_EQ(SampleTrials(*sampler, config, 1).at(0),
            (ParamAssignment{{"version", std::string("v2")}}));
}

TEST(SobolSampler, RejectsUnknownAndMistypedOptions) {
  const StudyConfig config = Space({Param("x", Floats(0, 1))});
  EXPECT_THAT(CreateSobolSampler(config, SamplerSpec("sobol", {{"skip", 1.0}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sampler.options.skip")));
  EXPECT_THAT(
      CreateSobolSampler(config, SamplerSpec("sobol", {{"scramble", 1.0}})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("sampler.options.scramble")));
}

}  // namespace
}  // namespace knob

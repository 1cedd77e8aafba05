#include "server/samplers/auto_sampler.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/samplers/sampler_registry.h"
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
using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

StudyConfig WithBudget(StudyConfig config, int64_t max_trials) {
  config.stopping.max_trials = max_trials;
  return config;
}

StudyConfig Numeric() {
  return Space({Param("lr", LogFloats(1e-5, 1)), Param("layers", Ints(1, 8)),
                Param("dropout", Floats(0, 0.5))});
}

TEST(AutoSampler, NumericSpacesGetTheGaussianProcessThenTpe) {
  const AutoChoice choice = ChooseSampler(WithBudget(Numeric(), 100));
  EXPECT_EQ(choice.sampler, "gp");
  EXPECT_EQ(choice.later_sampler, "tpe");
  EXPECT_EQ(choice.switch_at, kGpTrialLimit);
  EXPECT_THAT(choice.reason, HasSubstr("max_trials=100"));
  EXPECT_EQ(ChooseSampler(Numeric()).sampler, "gp");
}

TEST(AutoSampler, LongNumericRunsGetCmaEs) {
  const AutoChoice choice = ChooseSampler(WithBudget(Numeric(), 5000));
  EXPECT_EQ(choice.sampler, "cmaes");
  EXPECT_EQ(choice.later_sampler, "");
}

TEST(AutoSampler, MostlyCategoricalSpacesGetTpe) {
  const StudyConfig categorical =
      Space({Param("a", Choices({1.0, 2.0})),
             Param("b", Choices({true, false})), Param("x", Floats(0, 1))});
  EXPECT_EQ(ChooseSampler(categorical).sampler, "tpe");
  EXPECT_THAT(ChooseSampler(categorical).reason,
              HasSubstr("mostly categorical parameters (2 categorical, 1 "
                        "numeric)"));
}

TEST(AutoSampler, ConditionalNumericSpacesGetTheGaussianProcess) {
  const ParamValue sgd = std::string("sgd");
  const StudyConfig conditional =
      Space({Param("optimizer", Choices({sgd, std::string("adam")})),
             When(Param("momentum", Floats(0, 1)), "optimizer", {sgd}),
             Param("lr", LogFloats(1e-4, 1))});
  const AutoChoice choice = ChooseSampler(conditional);
  EXPECT_EQ(choice.sampler, "gp");
  EXPECT_EQ(choice.later_sampler, "tpe");
  EXPECT_THAT(choice.reason, HasSubstr("some conditional"));
  // Long runs stay off CMA-ES, which cannot tell inactive coordinates,
  // also when every parameter is numeric.
  const StudyConfig numeric_conditional =
      Space({Param("layers", Ints(1, 3)),
             When(Param("width", Floats(0, 1)), "layers", {int64_t{3}})});
  EXPECT_EQ(ChooseSampler(WithBudget(numeric_conditional, 20000)).sampler,
            "gp");
  EXPECT_EQ(ChooseSampler(WithBudget(Numeric(), 20000)).sampler, "cmaes");
}

TEST(AutoSampler, SeveralObjectivesGetMultiObjectiveSamplers) {
  StudyConfig config = Numeric();
  config.objectives.push_back({"latency", Direction::kMinimize});
  EXPECT_EQ(ChooseSampler(WithBudget(config, 200)).sampler, "tpe");
  EXPECT_EQ(ChooseSampler(WithBudget(config, 20000)).sampler, "nsga2");
}

TEST(AutoSampler, NothingToModelGetsRandom) {
  EXPECT_EQ(
      ChooseSampler(Space({Param("v", FixedDomain{std::string("x")})})).sampler,
      "random");
}

TEST(AutoSampler, SaysWhatItChoseInTheStudyMetadata) {
  SamplerRegistry registry;
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<Sampler> sampler,
      registry.Create(WithBudget(Numeric(), 100), SamplerSpec("auto")));
  EXPECT_THAT(
      sampler->StudyMetadata(),
      UnorderedElementsAre(
          Pair("knob.sampler.auto", "gp, then tpe from trial 300"),
          Pair("knob.sampler.auto_reason", HasSubstr("Gaussian-process"))));
}

TEST(AutoSampler, DelegatesToTheLaterSamplerFromItsTrialOn) {
  SamplerRegistry registry;
  const StudyConfig config = Numeric();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sampler> automatic,
                       registry.Create(config, SamplerSpec("auto")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Sampler> tpe,
                       registry.Create(config, SamplerSpec("tpe")));
  History history;
  for (int64_t number = 0; number < kGpTrialLimit; ++number) {
    history.Add({{"lr", 0.01}, {"layers", int64_t{2}}, {"dropout", 0.1}},
                TrialState::kCompleted);
    history.Finish(number, TrialState::kCompleted,
                   {0.5 + 0.001 * static_cast<double>(number % 17)});
  }
  ASSERT_OK_AND_ASSIGN(ParamAssignment from_auto,
                       SampleNext(*automatic, config, history));
  ASSERT_OK_AND_ASSIGN(ParamAssignment from_tpe,
                       SampleNext(*tpe, config, history));
  EXPECT_EQ(from_auto, from_tpe);
}

TEST(AutoSampler, TakesNoOptions) {
  SamplerRegistry registry;
  EXPECT_THAT(registry.Create(Numeric(), SamplerSpec("auto", {{"x", 1.0}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sampler.options.x")));
}

}  // namespace
}  // namespace knob

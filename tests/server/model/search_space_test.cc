#include "server/model/search_space.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/space_builders.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::Floats;
using ::knob::testing::Ints;
using ::knob::testing::LogFloats;
using ::knob::testing::LogInts;
using ::knob::testing::Param;
using ::knob::testing::When;

using ::knob::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Names(const std::vector<const ParameterSpec*>& specs) {
  std::vector<std::string> names;
  for (const ParameterSpec* spec : specs) names.push_back(spec->name);
  return names;
}

const Domain kUnit = Floats(0, 1);
const Domain kOptimizers =
    CategoricalDomain{{std::string("sgd"), std::string("adam")}};

// optimizer decides whether momentum exists; momentum's value decides
// nesterov. Parents are declared after their children on purpose.
StudyConfig ConditionalConfig() {
  StudyConfig config;
  config.parameters = {
      When(Param("nesterov", CategoricalDomain{{true, false}}), "momentum",
           {0.9}),
      Param("lr", LogFloats(1e-4, 1)),
      When(Param("momentum", Floats(0.5, 1, 0.1)), "optimizer",
           {std::string("sgd")}),
      Param("optimizer", kOptimizers),
      Param("seed", FixedDomain{int64_t{7}}),
  };
  return config;
}

TEST(SearchSpace, SamplingOrderPutsParentsFirstAndKeepsDeclarationOrder) {
  StudyConfig config = ConditionalConfig();
  EXPECT_THAT(Names(SamplingOrder(config)),
              ElementsAre("lr", "optimizer", "momentum", "nesterov", "seed"));

  config.parameters = {Param("c", kUnit), Param("a", kUnit), Param("b", kUnit)};
  EXPECT_THAT(Names(SamplingOrder(config)), ElementsAre("c", "a", "b"));
}

TEST(SearchSpace, IsActive) {
  const StudyConfig config = ConditionalConfig();
  const ParameterSpec& nesterov = config.parameters[0];
  const ParameterSpec& momentum = config.parameters[2];
  EXPECT_TRUE(IsActive(config.parameters[1], {}));
  EXPECT_TRUE(IsActive(momentum, {{"optimizer", std::string("sgd")}}));
  EXPECT_FALSE(IsActive(momentum, {{"optimizer", std::string("adam")}}));
  EXPECT_FALSE(IsActive(momentum, {}));
  EXPECT_TRUE(IsActive(nesterov, {{"momentum", 0.9}}));
  EXPECT_FALSE(IsActive(nesterov, {{"momentum", 0.8}}));

  ParameterSpec on_int = When(Param("x", kUnit), "n", {int64_t{2}});
  EXPECT_TRUE(IsActive(on_int, {{"n", 2.0}}));
  EXPECT_FALSE(IsActive(on_int, {{"n", std::string("2")}}));
}

TEST(SearchSpace, SameValue) {
  EXPECT_TRUE(SameValue(int64_t{2}, 2.0));
  EXPECT_TRUE(SameValue(2.0, int64_t{2}));
  EXPECT_FALSE(SameValue(int64_t{2}, 2.5));
  EXPECT_FALSE(SameValue(int64_t{2}, std::string("2")));
  EXPECT_FALSE(SameValue(true, int64_t{1}));
  EXPECT_TRUE(SameValue(std::string("a"), std::string("a")));
  EXPECT_FALSE(SameValue(std::string("a"), std::string("A")));
  // 2^53 + 1 has no exact double; rounding must not make them equal.
  EXPECT_FALSE(SameValue(int64_t{9007199254740993}, 9007199254740992.0));
}

TEST(SearchSpace, DomainContainsFloat) {
  const Domain log = LogFloats(1e-3, 1);
  EXPECT_TRUE(DomainContains(log, 0.5));
  EXPECT_TRUE(DomainContains(log, 1e-3));
  EXPECT_TRUE(DomainContains(log, int64_t{1}));
  EXPECT_FALSE(DomainContains(log, 1e-4));
  EXPECT_FALSE(DomainContains(log, std::string("0.5")));
  EXPECT_FALSE(DomainContains(kUnit, NAN));
}

TEST(SearchSpace, DomainContainsSteppedFloatDespiteRoundingError) {
  const Domain tenths = Floats(0, 1, 0.1);
  EXPECT_TRUE(DomainContains(tenths, 0.1 * 3));
  EXPECT_TRUE(DomainContains(tenths, 0.3));
  EXPECT_TRUE(DomainContains(tenths, 0.7));
  EXPECT_TRUE(DomainContains(tenths, 1.0));
  EXPECT_TRUE(DomainContains(tenths, int64_t{0}));
  EXPECT_FALSE(DomainContains(tenths, 0.35));
  EXPECT_FALSE(DomainContains(tenths, 0.3001));
  EXPECT_FALSE(DomainContains(tenths, 1.1));

  const Domain offset = Floats(0.05, 0.3, 0.1);
  EXPECT_TRUE(DomainContains(offset, 0.25));
  EXPECT_FALSE(DomainContains(offset, 0.3));
}

TEST(SearchSpace, DomainContainsIntOnStepGridFromMin) {
  const Domain odd = Ints(1, 9, 2);
  EXPECT_TRUE(DomainContains(odd, int64_t{1}));
  EXPECT_TRUE(DomainContains(odd, int64_t{9}));
  EXPECT_FALSE(DomainContains(odd, int64_t{4}));
  EXPECT_FALSE(DomainContains(odd, int64_t{11}));
  EXPECT_FALSE(DomainContains(odd, 3.0));
  EXPECT_TRUE(DomainContains(LogInts(1, 1024), int64_t{1000}));
  EXPECT_FALSE(DomainContains(LogInts(1, 1024), int64_t{0}));
  const Domain wide = Ints(INT64_MIN, INT64_MAX);
  EXPECT_TRUE(DomainContains(wide, int64_t{INT64_MAX}));
}

TEST(SearchSpace, DomainContainsCategoricalAndFixed) {
  const Domain mixed = CategoricalDomain{{int64_t{2}, 0.5, true}};
  EXPECT_TRUE(DomainContains(mixed, 2.0));
  EXPECT_TRUE(DomainContains(mixed, true));
  EXPECT_FALSE(DomainContains(mixed, false));
  EXPECT_FALSE(DomainContains(mixed, std::string("true")));
  EXPECT_TRUE(DomainContains(FixedDomain{int64_t{7}}, 7.0));
  EXPECT_FALSE(DomainContains(FixedDomain{int64_t{7}}, int64_t{8}));
}

TEST(SearchSpace, DomainCardinality) {
  EXPECT_EQ(DomainCardinality(kUnit), std::nullopt);
  EXPECT_EQ(DomainCardinality(Floats(0, 1, 0.1)), 11);
  EXPECT_EQ(DomainCardinality(Floats(0, 1, 0.3)), 4);
  EXPECT_EQ(DomainCardinality(Ints(1, 10, 3)), 4);
  EXPECT_EQ(DomainCardinality(Ints(INT64_MIN, INT64_MAX)), INT64_MAX);
  EXPECT_EQ(DomainCardinality(kOptimizers), 2);
  EXPECT_EQ(DomainCardinality(FixedDomain{true}), 1);
}

TEST(SearchSpace, DomainPointsAreCanonicalAndInvertible) {
  const Domain tenths = Floats(0, 0.3, 0.1);
  ASSERT_EQ(DomainCardinality(tenths), 4);
  EXPECT_EQ(DomainPoint(tenths, 3), ParamValue(0.3));
  for (int64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(DomainIndex(tenths, DomainPoint(tenths, i)), i);
  }
  EXPECT_EQ(DomainPoint(Ints(-5, 5, 5), 2), ParamValue(int64_t{5}));
  EXPECT_EQ(DomainIndex(kOptimizers, std::string("adam")), 1);
  EXPECT_EQ(DomainIndex(kUnit, 0.5), std::nullopt);
}

TEST(SearchSpace, NormalizeAssignmentFillsAndConvertsKinds) {
  const StudyConfig config = ConditionalConfig();
  ASSERT_OK_AND_ASSIGN(
      ParamAssignment normalized,
      NormalizeAssignment(config, {{"lr", int64_t{1}},
                                   {"optimizer", std::string("sgd")},
                                   {"momentum", 0.1 * 9},
                                   {"nesterov", true}}));
  EXPECT_EQ(normalized, (ParamAssignment{{"lr", 1.0},
                                         {"optimizer", std::string("sgd")},
                                         {"momentum", 0.9},
                                         {"nesterov", true},
                                         {"seed", int64_t{7}}}));

  StudyConfig choices;
  choices.parameters = {Param("width", CategoricalDomain{{0.5, 2.0}})};
  ASSERT_OK_AND_ASSIGN(normalized,
                       NormalizeAssignment(choices, {{"width", int64_t{2}}}));
  EXPECT_EQ(normalized, (ParamAssignment{{"width", 2.0}}));
}

TEST(SearchSpace, NormalizeAssignmentRejectsUnknownParameter) {
  EXPECT_THAT(
      NormalizeAssignment(
          ConditionalConfig(),
          {{"lr", 0.1}, {"optimizer", std::string("adam")}, {"x", 1.0}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("parameters[\"x\"]: not in the search space")));
}

TEST(SearchSpace, NormalizeAssignmentRejectsMissingActiveParameter) {
  EXPECT_THAT(NormalizeAssignment(ConditionalConfig(),
                                  {{"optimizer", std::string("adam")}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("parameters[\"lr\"]: required")));
  EXPECT_THAT(
      NormalizeAssignment(
          ConditionalConfig(),
          {{"lr", 0.1}, {"optimizer", std::string("sgd")}, {"momentum", 0.9}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("parameters[\"nesterov\"]: required")));
}

TEST(SearchSpace, NormalizeAssignmentRejectsInactiveParameter) {
  EXPECT_THAT(
      NormalizeAssignment(
          ConditionalConfig(),
          {{"lr", 0.1}, {"optimizer", std::string("adam")}, {"momentum", 0.9}}),
      StatusIs(
          absl::StatusCode::kInvalidArgument,
          AllOf(HasSubstr("parameters[\"momentum\"]"), HasSubstr("inactive"),
                HasSubstr("\"optimizer\" is \"adam\""))));
}

TEST(SearchSpace, NormalizeAssignmentRejectsValueOutsideDomain) {
  EXPECT_THAT(
      NormalizeAssignment(ConditionalConfig(),
                          {{"lr", 5.0}, {"optimizer", std::string("adam")}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("parameters[\"lr\"]: double 5"),
                     HasSubstr("float [0.0001, 1] log"))));
  EXPECT_THAT(
      NormalizeAssignment(ConditionalConfig(),
                          {{"lr", 0.5}, {"optimizer", std::string("rmsprop")}}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("parameters[\"optimizer\"]: string \"rmsprop\""),
                     HasSubstr("categorical {\"sgd\", \"adam\"}"))));
  EXPECT_THAT(NormalizeAssignment(ConditionalConfig(),
                                  {{"lr", 0.5},
                                   {"optimizer", std::string("adam")},
                                   {"seed", int64_t{8}}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("parameters[\"seed\"]: int 8"),
                             HasSubstr("fixed 7"))));
}

}  // namespace
}  // namespace knob

#include "server/storage/postgres/study_config_json.h"

#include <cmath>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::StatusIs;
using ::testing::HasSubstr;

StudyConfig EverythingConfig() {
  StudyConfig config;
  config.parameters = {
      {"lr", FloatDomain{1e-7, 0.1 + 0.2, true, std::nullopt}, std::nullopt},
      {"dropout", FloatDomain{-0.0, 0.5, false, 0.05}, std::nullopt},
      {"units",
       IntDomain{std::numeric_limits<int64_t>::min(),
                 std::numeric_limits<int64_t>::max(), false, 7},
       std::nullopt},
      {"mixed",
       CategoricalDomain{
           {std::string("a"), 1e300, int64_t{3}, true, std::string("")}},
       std::nullopt},
      {"child", FixedDomain{5e-324},
       Condition{"mixed", {int64_t{3}, std::string("a")}}},
  };
  config.objectives = {{"loss", Direction::kMinimize},
                       {"accuracy", Direction::kMaximize}};
  config.extra_metrics = {"latency", "recall"};
  config.constraints = {{"latency", OutcomeConstraint::Kind::kMax, 0.1 + 0.2},
                        {"recall", OutcomeConstraint::Kind::kMin, -0.0},
                        {"recall", OutcomeConstraint::Kind::kMax, 1e300}};
  config.sampler = {"tpe", {{"gamma", 0.25}, {"n", int64_t{-3}}}};
  config.pruner = {"median", {{"strict", false}, {"mode", std::string("x")}}};
  config.seed = std::numeric_limits<uint64_t>::max();
  config.stopping.max_trials = 0;
  config.stopping.max_wall_time = absl::Seconds(-3) - absl::Nanoseconds(7);
  config.stopping.target_value = 0.1 + 0.2;
  config.stopping.patience = 0;
  config.lease_duration = absl::Seconds(90) + absl::Nanoseconds(1);
  config.max_stale_retries = 3;
  return config;
}

TEST(StudyConfigJson, RoundTripsExactly) {
  const StudyConfig config = EverythingConfig();
  const std::string text = StudyConfigToJson(config).dump();
  ASSERT_OK_AND_ASSIGN(StudyConfig decoded, ParseStudyConfigJson(text));
  EXPECT_TRUE(decoded == config) << text;
  const auto& dropout = std::get<FloatDomain>(decoded.parameters[1].domain);
  EXPECT_TRUE(std::signbit(dropout.min));
  EXPECT_FALSE(decoded.stopping.max_failed_trials.has_value());
  EXPECT_TRUE(std::signbit(decoded.constraints[1].bound));
}

TEST(StudyConfigJson, ConfigsStoredBeforeConstraintsHaveNone) {
  nlohmann::json json = StudyConfigToJson(EverythingConfig());
  json.erase("constraints");
  ASSERT_OK_AND_ASSIGN(StudyConfig decoded, StudyConfigFromJson(json));
  EXPECT_TRUE(decoded.constraints.empty());
  StudyConfig expected = EverythingConfig();
  expected.constraints.clear();
  EXPECT_TRUE(decoded == expected);
}

TEST(StudyConfigJson, ConfigsStoredBeforeRetriesNeverRetry) {
  nlohmann::json json = StudyConfigToJson(EverythingConfig());
  json.erase("max_stale_retries");
  ASSERT_OK_AND_ASSIGN(StudyConfig decoded, StudyConfigFromJson(json));
  EXPECT_EQ(decoded.max_stale_retries, 0);
  json["max_stale_retries"] = -1;
  EXPECT_THAT(StudyConfigFromJson(json),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("max_stale_retries")));
}

TEST(StudyConfigJson, ParamValuesKeepTheirKind) {
  for (const ParamValue& value :
       {ParamValue(2.0), ParamValue(int64_t{2}), ParamValue(std::string("2")),
        ParamValue(true), ParamValue(-0.0),
        ParamValue(std::numeric_limits<double>::infinity())}) {
    ASSERT_OK_AND_ASSIGN(ParamValue decoded,
                         ParamValueFromJson(ParamValueToJson(value)));
    EXPECT_EQ(decoded.index(), value.index());
    EXPECT_TRUE(decoded == value) << ParamValueToJson(value).dump();
  }
  ASSERT_OK_AND_ASSIGN(ParamValue nan,
                       ParamValueFromJson(ParamValueToJson(std::nan(""))));
  EXPECT_TRUE(std::isnan(std::get<double>(nan)));
}

TEST(StudyConfigJson, RejectsMalformedDocumentsNamingTheField) {
  nlohmann::json good = StudyConfigToJson(EverythingConfig());
  struct Case {
    std::string field;
    nlohmann::json json;
  };
  nlohmann::json no_format = good;
  no_format.erase("format");
  nlohmann::json future = good;
  future["format"] = 2;
  nlohmann::json bad_direction = good;
  bad_direction["objectives"][1]["direction"] = "sideways";
  nlohmann::json bad_kind = good;
  bad_kind["parameters"][3]["categorical"]["choices"][0] = {{"complex", 1}};
  nlohmann::json negative_seed = good;
  negative_seed["seed"] = -1;
  nlohmann::json no_domain = good;
  no_domain["parameters"][0].erase("float");
  nlohmann::json bad_double = good;
  bad_double["parameters"][0]["float"]["min"] = "tiny";
  nlohmann::json bad_constraint_kind = good;
  bad_constraint_kind["constraints"][2]["kind"] = "between";
  nlohmann::json no_constraint_bound = good;
  no_constraint_bound["constraints"][0].erase("bound");
  nlohmann::json constraints_not_array = good;
  constraints_not_array["constraints"] = "latency <= 1";
  for (const Case& c :
       {Case{"format", no_format}, Case{"format", future},
        Case{"objectives[1].direction", bad_direction},
        Case{"parameters[3].categorical.choices[0]", bad_kind},
        Case{"seed", negative_seed}, Case{"parameters[0]", no_domain},
        Case{"parameters[0].float.min", bad_double},
        Case{"constraints[2].kind", bad_constraint_kind},
        Case{"constraints[0]: missing \"bound\"", no_constraint_bound},
        Case{"constraints: expected an array", constraints_not_array}}) {
    EXPECT_THAT(
        StudyConfigFromJson(c.json),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.field)))
        << c.json.dump();
  }
  EXPECT_THAT(ParseStudyConfigJson("{not json"),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

}  // namespace
}  // namespace knob

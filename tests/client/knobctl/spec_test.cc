#include "client/knobctl/spec.h"

#include <cmath>
#include <cstdio>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace knob::knobctl {
namespace {

using ::knob::testing::IsOk;
using ::knob::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kYamlSpec[] = R"(
name: svm-vs-rf
config:
  parameters:
    - name: kind
      categorical_domain:
        choices: [svm, rf, 3, 0.5, true, '3', 1e-3, .inf]
    - name: C
      floatDomain: {min: 1e-3, max: 10, logScale: true}
      condition: {parent: kind, values: [svm]}
    - name: gamma
      float_domain: {min: 0.001, max: 1}
      condition: {parent: C, values: [1.0, 2]}
    - name: depth
      int_domain: {min: 1, max: 16, step: 1}
      condition:
        parent: kind
        values: [rf, 3]
    - name: seed_param
      fixed_value: 42
    - name: mode
      fixed_value: {string_value: fast}
  objectives:
    - {metric: val_loss, direction: minimize}
    - {metric: acc, direction: DIRECTION_MAXIMIZE}
  extra_metrics: [train_time, model_mb]
  constraints:
    - {metric: train_time, max: 3600}
    - {metric: model_mb, min: 0.5}
  sampler: {name: tpe, options: {n_startup_trials: 10, gamma: 0.25, multivariate: true, kernel: gauss}}
  pruner: {name: median}
  seed: 7
  stopping: {max_trials: 100, max_wall_time: 1h30m}
  lease_duration: 300s
metadata: {owner: alice}
)";

TEST(ParseStudySpec, YamlWithShorthandScalarsOfEveryKind) {
  ASSERT_OK_AND_ASSIGN(v1::CreateStudyRequest request,
                       ParseStudySpec(kYamlSpec, SpecFormat::kYaml, "s.yaml"));
  EXPECT_EQ(request.name(), "svm-vs-rf");
  EXPECT_EQ(request.metadata().at("owner"), "alice");
  const v1::StudyConfig& config = request.config();
  ASSERT_EQ(config.parameters_size(), 6);

  const auto& choices = config.parameters(0).categorical_domain().choices();
  ASSERT_EQ(choices.size(), 8);
  EXPECT_EQ(choices[0].string_value(), "svm");
  EXPECT_EQ(choices[1].string_value(), "rf");
  EXPECT_TRUE(choices[2].has_int_value());
  EXPECT_EQ(choices[2].int_value(), 3);
  EXPECT_TRUE(choices[3].has_double_value());
  EXPECT_EQ(choices[3].double_value(), 0.5);
  EXPECT_TRUE(choices[4].has_bool_value());
  EXPECT_TRUE(choices[4].bool_value());
  EXPECT_TRUE(choices[5].has_string_value());
  EXPECT_EQ(choices[5].string_value(), "3");
  EXPECT_EQ(choices[6].double_value(), 1e-3);
  EXPECT_TRUE(std::isinf(choices[7].double_value()));

  const v1::ParameterSpec& c = config.parameters(1);
  EXPECT_TRUE(c.float_domain().log_scale());
  EXPECT_EQ(c.float_domain().min(), 1e-3);
  EXPECT_EQ(c.condition().parent(), "kind");
  EXPECT_EQ(c.condition().values(0).string_value(), "svm");

  // A condition on a conditional parameter, with numeric values.
  const v1::ParameterSpec& gamma = config.parameters(2);
  EXPECT_EQ(gamma.condition().parent(), "C");
  EXPECT_TRUE(gamma.condition().values(0).has_double_value());
  EXPECT_TRUE(gamma.condition().values(1).has_int_value());

  const v1::ParameterSpec& depth = config.parameters(3);
  EXPECT_EQ(depth.int_domain().max(), 16);
  EXPECT_EQ(depth.condition().values(0).string_value(), "rf");
  EXPECT_EQ(depth.condition().values(1).int_value(), 3);

  EXPECT_EQ(config.parameters(4).fixed_value().int_value(), 42);
  EXPECT_EQ(config.parameters(5).fixed_value().string_value(), "fast");

  EXPECT_EQ(config.objectives(0).direction(), v1::DIRECTION_MINIMIZE);
  EXPECT_EQ(config.objectives(1).direction(), v1::DIRECTION_MAXIMIZE);
  EXPECT_EQ(config.extra_metrics(0), "train_time");
  ASSERT_EQ(config.constraints_size(), 2);
  EXPECT_EQ(config.constraints(0).metric(), "train_time");
  EXPECT_TRUE(config.constraints(0).has_max());
  EXPECT_EQ(config.constraints(0).max(), 3600);
  EXPECT_EQ(config.constraints(1).metric(), "model_mb");
  EXPECT_TRUE(config.constraints(1).has_min());
  EXPECT_EQ(config.constraints(1).min(), 0.5);
  const auto& options = config.sampler().options();
  EXPECT_EQ(options.at("n_startup_trials").int_value(), 10);
  EXPECT_EQ(options.at("gamma").double_value(), 0.25);
  EXPECT_TRUE(options.at("multivariate").bool_value());
  EXPECT_EQ(options.at("kernel").string_value(), "gauss");
  EXPECT_EQ(config.pruner().name(), "median");
  EXPECT_EQ(config.seed(), 7u);
  EXPECT_EQ(config.stopping().max_trials(), 100);
  EXPECT_EQ(config.stopping().max_wall_time().seconds(), 5400);
  EXPECT_EQ(config.lease_duration().seconds(), 300);
}

TEST(ParseStudySpec, JsonInBothNamingStyles) {
  constexpr char kJson[] = R"({
    "name": "j",
    "config": {
      "parameters": [
        {"name": "x", "floatDomain": {"min": -5, "max": 5, "step": 0.5}},
        {"name": "k", "categorical_domain": {"choices": ["a", 2, 2.0, false,
                                                        {"intValue": "9"}]}}
      ],
      "objectives": [{"metric": "loss", "direction": "maximize"}],
      "extraMetrics": ["latency_ms"],
      "constraints": [{"metric": "latency_ms", "max": 50}],
      "leaseDuration": 90,
      "stopping": {"maxFailedTrials": 3}
    }
  })";
  ASSERT_OK_AND_ASSIGN(v1::CreateStudyRequest request,
                       ParseStudySpec(kJson, SpecFormat::kJson, "s.json"));
  const v1::StudyConfig& config = request.config();
  EXPECT_EQ(config.parameters(0).float_domain().step(), 0.5);
  const auto& choices = config.parameters(1).categorical_domain().choices();
  ASSERT_EQ(choices.size(), 5);
  EXPECT_EQ(choices[0].string_value(), "a");
  EXPECT_TRUE(choices[1].has_int_value());
  EXPECT_TRUE(choices[2].has_double_value());
  EXPECT_TRUE(choices[3].has_bool_value());
  EXPECT_EQ(choices[4].int_value(), 9);
  EXPECT_EQ(config.objectives(0).direction(), v1::DIRECTION_MAXIMIZE);
  EXPECT_EQ(config.lease_duration().seconds(), 90);
  EXPECT_EQ(config.stopping().max_failed_trials(), 3);
  ASSERT_EQ(config.constraints_size(), 1);
  EXPECT_EQ(config.constraints(0).max(), 50);
}

TEST(ParseStudySpec, SniffsTheFormat) {
  EXPECT_THAT(ParseStudySpec(R"({"name": "a"})", SpecFormat::kSniff, "x"),
              IsOk());
  EXPECT_THAT(ParseStudySpec("name: a\n", SpecFormat::kSniff, "x"), IsOk());
  EXPECT_EQ(SpecFormatForPath("a/b.JSON"), SpecFormat::kJson);
  EXPECT_EQ(SpecFormatForPath("b.yml"), SpecFormat::kYaml);
  EXPECT_EQ(SpecFormatForPath("b.yaml"), SpecFormat::kYaml);
  EXPECT_EQ(SpecFormatForPath("spec"), SpecFormat::kSniff);
}

TEST(ParseStudySpec, YamlSyntaxErrorNamesFileLineAndColumn) {
  EXPECT_THAT(
      ParseStudySpec("name: a\nconfig:\n  parameters: [x\n", SpecFormat::kYaml,
                     "bad.yaml"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(StartsWith("bad.yaml: line "), HasSubstr("column"))));
}

TEST(ParseStudySpec, JsonSyntaxErrorNamesFileAndPlace) {
  EXPECT_THAT(
      ParseStudySpec("{\"name\": \"a\",}", SpecFormat::kJson, "bad.json"),
      StatusIs(
          absl::StatusCode::kInvalidArgument,
          AllOf(StartsWith("bad.json: "), HasSubstr("line 1, column 14"))));
}

TEST(ParseStudySpec, UnknownFieldNamesFileAndField) {
  EXPECT_THAT(ParseStudySpec("name: a\nconfig:\n  parameters:\n    - name: x\n"
                             "      float_domain: {min: 0, maxx: 1}\n",
                             SpecFormat::kYaml, "typo.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("typo.yaml: "),
                             HasSubstr("config.parameters[0].float_domain"),
                             HasSubstr("maxx"))));
}

TEST(ParseStudySpec, BadValuesNameFileAndField) {
  EXPECT_THAT(
      ParseStudySpec("name: a\nconfig: {stopping: {max_trials: many}}\n",
                     SpecFormat::kYaml, "v.yaml"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(StartsWith("v.yaml: "),
                     HasSubstr("config.stopping.max_trials"))));
  EXPECT_THAT(ParseStudySpec("name: a\nconfig: {lease_duration: soon}\n",
                             SpecFormat::kYaml, "d.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("d.yaml: config.lease_duration"),
                             HasSubstr("\"soon\" is not a duration"))));
  EXPECT_THAT(ParseStudySpec("name: a\nseed: 99999999999999999999999\n",
                             SpecFormat::kYaml, "big.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("big.yaml: line 2"),
                             HasSubstr("does not fit in 64 bits"))));
}

TEST(ParseStudySpec, RejectsEmptyAndNonMapDocuments) {
  EXPECT_THAT(ParseStudySpec("", SpecFormat::kYaml, "empty.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("empty.yaml: the file holds no study spec")));
  EXPECT_THAT(ParseStudySpec("- a\n- b\n", SpecFormat::kYaml, "list.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(StartsWith("list.yaml: "), HasSubstr("array"))));
}

TEST(ReadStudySpecFile, ReadsAFileAndNamesAMissingOne) {
  const std::string path = ::testing::TempDir() + "/spec_test.yml";
  {
    std::ofstream file(path);
    file << "name: from-file\nconfig:\n  objectives: [{metric: m}]\n";
  }
  ASSERT_OK_AND_ASSIGN(v1::CreateStudyRequest request, ReadStudySpecFile(path));
  EXPECT_EQ(request.name(), "from-file");
  std::remove(path.c_str());
  EXPECT_THAT(ReadStudySpecFile(path),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(StartsWith(path), HasSubstr("cannot read"))));
}

}  // namespace
}  // namespace knob::knobctl

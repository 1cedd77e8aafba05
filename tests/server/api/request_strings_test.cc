#include "server/api/request_strings.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "knob/v1/service.pb.h"
#include "tests/testing/status_matchers.h"

namespace knob::api {
namespace {

using ::knob::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string kNul("a\0b", 3);

v1::CreateStudyRequest StudyWithParameter() {
  v1::CreateStudyRequest request;
  request.set_name("s");
  v1::ParameterSpec& parameter = *request.mutable_config()->add_parameters();
  parameter.set_name("kind");
  parameter.mutable_categorical_domain()->add_choices()->set_string_value("a");
  parameter.mutable_categorical_domain()->add_choices()->set_string_value("b");
  return request;
}

TEST(RequestStringsTest, OrdinaryRequestsPass) {
  v1::CompleteTrialRequest complete;
  complete.set_trial_id(1);
  complete.set_request_id(std::string(kMaxIdentifierBytes, 'r'));
  (*complete.mutable_metrics())["accuracy"] = 0.5;
  complete.set_fail_reason(std::string(10'000, 'f'));
  EXPECT_OK(CheckRequestStrings(complete));
  EXPECT_OK(CheckRequestStrings(StudyWithParameter()));
}

TEST(RequestStringsTest, NamesTheNestedFieldHoldingANul) {
  v1::CreateStudyRequest request = StudyWithParameter();
  request.mutable_config()
      ->mutable_parameters(0)
      ->mutable_categorical_domain()
      ->mutable_choices(1)
      ->set_string_value(kNul);
  EXPECT_THAT(CheckRequestStrings(request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("config.parameters[0].categorical_domain."
                                 "choices[1].string_value: contains a NUL "
                                 "character (byte 1)")));
}

TEST(RequestStringsTest, NamesMapKeysAndValues) {
  v1::EnqueueTrialRequest enqueue;
  enqueue.set_study_id(1);
  (*enqueue.mutable_parameters())["kind"].set_string_value(kNul);
  EXPECT_THAT(CheckRequestStrings(enqueue),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("parameters[\"kind\"].string_value: contains "
                                 "a NUL character")));
  v1::SuggestTrialsRequest suggest;
  (*suggest.mutable_environment())[kNul] = "x";
  EXPECT_THAT(CheckRequestStrings(suggest),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("environment key \"a\\x00"),
                             HasSubstr("\": contains a NUL character"))));
}

TEST(RequestStringsTest, BoundsIdentifiersOnly) {
  const std::string long_text(kMaxIdentifierBytes + 1, 'x');
  v1::SuggestTrialsRequest suggest;
  suggest.set_worker_id(long_text);
  EXPECT_THAT(CheckRequestStrings(suggest),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("worker_id: 257 bytes long, more than 256")));
  suggest.clear_worker_id();
  (*suggest.mutable_environment())[long_text] = "x";
  EXPECT_THAT(
      CheckRequestStrings(suggest),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("environment key \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…\""
                         ": 257 bytes long")));
  // A value is free text.
  suggest.clear_environment();
  (*suggest.mutable_environment())["host"] = long_text;
  EXPECT_OK(CheckRequestStrings(suggest));
}

}  // namespace
}  // namespace knob::api

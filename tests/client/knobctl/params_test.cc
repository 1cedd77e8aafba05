#include "client/knobctl/params.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace knob::knobctl {
namespace {

using ::knob::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ParseScalar, IntThenDoubleThenBoolThenString) {
  EXPECT_EQ(ParseScalar("3").int_value(), 3);
  EXPECT_TRUE(ParseScalar("-12").has_int_value());
  EXPECT_EQ(ParseScalar("0.5").double_value(), 0.5);
  EXPECT_EQ(ParseScalar("1e-3").double_value(), 1e-3);
  EXPECT_TRUE(ParseScalar("true").bool_value());
  EXPECT_TRUE(ParseScalar("false").has_bool_value());
  EXPECT_EQ(ParseScalar("svm").string_value(), "svm");
  EXPECT_EQ(ParseScalar("").string_value(), "");
}

TEST(ParseAssignments, FitsValuesToTheStudysDomains) {
  v1::StudyConfig config;
  v1::ParameterSpec* x = config.add_parameters();
  x->set_name("x");
  x->mutable_float_domain()->set_max(10);
  v1::ParameterSpec* n = config.add_parameters();
  n->set_name("n");
  n->mutable_int_domain()->set_max(10);
  v1::ParameterSpec* kind = config.add_parameters();
  kind->set_name("kind");
  kind->mutable_categorical_domain()->add_choices()->set_string_value("3");
  kind->mutable_categorical_domain()->add_choices()->set_double_value(0.5);
  ASSERT_OK_AND_ASSIGN(
      auto parameters,
      ParseAssignments({"x=2", "n=4.0", "kind=3", "other=a=b"}, config));
  EXPECT_EQ(parameters.at("x").double_value(), 2.0);
  EXPECT_TRUE(parameters.at("n").has_int_value());
  EXPECT_EQ(parameters.at("n").int_value(), 4);
  EXPECT_EQ(parameters.at("kind").string_value(), "3");
  EXPECT_EQ(parameters.at("other").string_value(), "a=b");
  ASSERT_OK_AND_ASSIGN(auto half, ParseAssignments({"kind=0.5"}, config));
  EXPECT_EQ(half.at("kind").double_value(), 0.5);
}

TEST(ParseAssignments, RejectsMalformedArguments) {
  EXPECT_THAT(ParseAssignments({"x"}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("\"x\" is not a parameter assignment")));
  EXPECT_THAT(ParseAssignments({"=3"}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("=3")));
  EXPECT_THAT(ParseAssignments({"x=1", "x=2"}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("\"x\" is given twice")));
}

}  // namespace
}  // namespace knob::knobctl

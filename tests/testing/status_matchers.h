// GoogleTest matchers for absl::Status and absl::StatusOr (Abseil 20220623
// ships none):
//   EXPECT_THAT(status, IsOk());
//   EXPECT_THAT(status_or, StatusIs(absl::StatusCode::kInvalidArgument,
//                                   HasSubstr("parameters[0]")));
//   EXPECT_THAT(storage.GetStudy(id), IsOkAndHolds(Field(&Study::name, "x")));
//   ASSERT_OK_AND_ASSIGN(auto study, storage.GetStudy(id));
#ifndef KNOB_TESTS_TESTING_STATUS_MATCHERS_H_
#define KNOB_TESTS_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace knob::testing {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << status;
  return status.ok();
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has code " + absl::StatusCodeToString(code)) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code &&
         ::testing::ExplainMatchResult(
             message_matcher, std::string(status.message()), result_listener);
}

MATCHER_P(IsOkAndHolds, value_matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace knob::testing

#define KNOB_TESTING_CONCAT_INNER_(a, b) a##b
#define KNOB_TESTING_CONCAT_(a, b) KNOB_TESTING_CONCAT_INNER_(a, b)

// Asserts that `expr` (a StatusOr) is OK and assigns its value to `lhs`.
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                       \
  ASSERT_OK_AND_ASSIGN_IMPL_(KNOB_TESTING_CONCAT_(status_or_, __LINE__), lhs, \
                             expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  ASSERT_TRUE(statusor.ok()) << statusor.status();      \
  lhs = *std::move(statusor)

#define ASSERT_OK(expr) ASSERT_THAT(expr, ::knob::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT(expr, ::knob::testing::IsOk())

#endif  // KNOB_TESTS_TESTING_STATUS_MATCHERS_H_

#include "client/grpc_status.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::IsOk;
using ::knob::testing::StatusIs;
using ::testing::Eq;

TEST(FromGrpcStatus, OkIsOk) {
  EXPECT_THAT(FromGrpcStatus(grpc::Status::OK), IsOk());
}

TEST(FromGrpcStatus, KeepsEveryCodeAndTheMessage) {
  const std::pair<grpc::StatusCode, absl::StatusCode> pairs[] = {
      {grpc::StatusCode::CANCELLED, absl::StatusCode::kCancelled},
      {grpc::StatusCode::UNKNOWN, absl::StatusCode::kUnknown},
      {grpc::StatusCode::INVALID_ARGUMENT, absl::StatusCode::kInvalidArgument},
      {grpc::StatusCode::DEADLINE_EXCEEDED,
       absl::StatusCode::kDeadlineExceeded},
      {grpc::StatusCode::NOT_FOUND, absl::StatusCode::kNotFound},
      {grpc::StatusCode::ALREADY_EXISTS, absl::StatusCode::kAlreadyExists},
      {grpc::StatusCode::PERMISSION_DENIED,
       absl::StatusCode::kPermissionDenied},
      {grpc::StatusCode::RESOURCE_EXHAUSTED,
       absl::StatusCode::kResourceExhausted},
      {grpc::StatusCode::FAILED_PRECONDITION,
       absl::StatusCode::kFailedPrecondition},
      {grpc::StatusCode::ABORTED, absl::StatusCode::kAborted},
      {grpc::StatusCode::OUT_OF_RANGE, absl::StatusCode::kOutOfRange},
      {grpc::StatusCode::UNIMPLEMENTED, absl::StatusCode::kUnimplemented},
      {grpc::StatusCode::INTERNAL, absl::StatusCode::kInternal},
      {grpc::StatusCode::UNAVAILABLE, absl::StatusCode::kUnavailable},
      {grpc::StatusCode::DATA_LOSS, absl::StatusCode::kDataLoss},
      {grpc::StatusCode::UNAUTHENTICATED, absl::StatusCode::kUnauthenticated},
  };
  for (const auto& [grpc_code, absl_code] : pairs) {
    EXPECT_THAT(FromGrpcStatus(grpc::Status(grpc_code, "parameters[0]: bad")),
                StatusIs(absl_code, Eq("parameters[0]: bad")));
  }
}

TEST(FromGrpcStatus, UnknownNumbersBecomeUnknown) {
  EXPECT_THAT(
      FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(99), "odd")),
      StatusIs(absl::StatusCode::kUnknown, Eq("odd")));
}

}  // namespace
}  // namespace knob

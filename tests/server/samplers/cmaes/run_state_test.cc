#include "server/samplers/cmaes/run_state.h"

#include <string>
#include <utility>

#include "Eigen/Core"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/samplers/cmaes/cma_state.h"
#include "tests/testing/status_matchers.h"

namespace knob::cmaes {
namespace {

using ::knob::testing::StatusIs;
using ::testing::_;
using ::testing::HasSubstr;

RunState ExampleRun() {
  CmaState strategy(Eigen::Vector3d(0.2, 0.5, 0.9), 0.1, 6, false);
  const std::vector<Eigen::VectorXd> points = {
      Eigen::Vector3d(0.1, 0.5, 0.9), Eigen::Vector3d(0.3, 0.4, 0.8),
      Eigen::Vector3d(0.2, 0.6, 1.0), Eigen::Vector3d(0.2, 0.5, 0.7),
      Eigen::Vector3d(0.0, 0.5, 0.9), Eigen::Vector3d(0.4, 0.5, 0.9)};
  strategy.Tell(points, {3, 1, 4, 1.5, 5, 9});
  return RunState{std::move(strategy),
                  {{12, Eigen::Vector3d(0.25, 0.5, 0.75)},
                   {14, Eigen::Vector3d(0.0, 1.0, 0.5)}}};
}

TEST(RunState, RoundTrips) {
  const RunState run = ExampleRun();
  const std::string bytes = EncodeRunState(run);
  ASSERT_OK_AND_ASSIGN(RunState copy, DecodeRunState(bytes));
  EXPECT_EQ(EncodeRunState(copy), bytes);
  EXPECT_EQ(copy.strategy.mean(), run.strategy.mean());
  EXPECT_EQ(copy.strategy.covariance(), run.strategy.covariance());
  EXPECT_EQ(copy.strategy.generation(), 1);
  ASSERT_EQ(copy.candidates.size(), 2u);
  EXPECT_EQ(copy.candidates[1].trial_number, 14);
  EXPECT_EQ(copy.candidates[1].point, run.candidates[1].point);
}

TEST(RunState, StartsWithMagicAndVersion) {
  const std::string bytes = EncodeRunState(ExampleRun());
  EXPECT_EQ(bytes.substr(0, 10), "knob.cmaes");
  EXPECT_EQ(bytes.substr(10, 4), std::string("\x01\x00\x00\x00", 4));
}

TEST(RunState, RejectsOtherBytes) {
  EXPECT_THAT(DecodeRunState("\x07 not a sampler state"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not a CMA-ES state")));
  EXPECT_THAT(DecodeRunState("knob.cmaeX"),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
}

TEST(RunState, RejectsUnknownVersions) {
  std::string bytes = EncodeRunState(ExampleRun());
  bytes[10] = 2;
  EXPECT_THAT(DecodeRunState(bytes),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("format version 2 is not supported")));
}

TEST(RunState, RejectsEveryTruncationAndTrailingBytes) {
  const std::string bytes = EncodeRunState(ExampleRun());
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_THAT(DecodeRunState(bytes.substr(0, size)),
                StatusIs(absl::StatusCode::kInvalidArgument, _))
        << size;
  }
  EXPECT_THAT(DecodeRunState(bytes + "x"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("trailing bytes")));
}

TEST(RunState, RejectsCandidatesOutOfOrder) {
  RunState run = ExampleRun();
  std::swap(run.candidates[0], run.candidates[1]);
  EXPECT_THAT(
      DecodeRunState(EncodeRunState(run)),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("out of order")));
}

TEST(RunState, RejectsAHugeCandidateCount) {
  RunState run = ExampleRun();
  run.candidates.clear();
  std::string bytes = EncodeRunState(run);
  // The count is the last field: claim four billion candidates.
  bytes.replace(bytes.size() - 4, 4, "\xff\xff\xff\xff");
  EXPECT_THAT(
      DecodeRunState(bytes),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("candidates")));
}

}  // namespace
}  // namespace knob::cmaes

#include "client/loadgen/load_run.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace knob::loadgen {
namespace {

using ::knob::testing::StatusIs;
using ::testing::HasSubstr;

// No server listens there: options must be refused before any call.
LoadOptions OptionsWithoutServer() {
  LoadOptions options;
  options.server = "127.0.0.1:1";
  options.call_timeout = absl::Milliseconds(100);
  return options;
}

TEST(RunLoad, RefusesNegativeTrials) {
  LoadOptions options = OptionsWithoutServer();
  options.trials = -1;
  EXPECT_THAT(RunLoad(options).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("trials: must be 0 or more, got -1")));
}

TEST(RunLoad, RefusesNegativeReports) {
  LoadOptions options = OptionsWithoutServer();
  options.reports = -2;
  EXPECT_THAT(RunLoad(options).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("reports: must be 0 or more, got -2")));
}

TEST(RunLoad, RefusesZeroWorkers) {
  LoadOptions options = OptionsWithoutServer();
  options.workers = 0;
  EXPECT_THAT(RunLoad(options).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("workers: must be at least 1, got 0")));
}

}  // namespace
}  // namespace knob::loadgen

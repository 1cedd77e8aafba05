#include "server/observability/log.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::IsOkAndHolds;
using ::knob::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kTime = absl::FromUnixMicros(1700000000123456);

TEST(JsonLog, IsOneJsonObjectWithTimeLevelMessageAndFields) {
  const std::vector<LogField> fields = {
      {"study_id", 42}, {"trial_id", int64_t{7}}, {"worker_id", "w-1"}};
  const std::string line = FormatLogLine(
      LogFormat::kJson, kTime, LogLevel::kInfo, "trial suggested", fields);
  EXPECT_THAT(line, Not(HasSubstr("\n")));
  const nlohmann::json object = nlohmann::json::parse(line);
  EXPECT_EQ(object["time"], "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(object["level"], "info");
  EXPECT_EQ(object["message"], "trial suggested");
  EXPECT_EQ(object["study_id"], 42);
  EXPECT_EQ(object["trial_id"], 7);
  EXPECT_EQ(object["worker_id"], "w-1");
}

TEST(JsonLog, EscapesQuotesBackslashesAndControlCharacters) {
  const std::string nasty = "say \"hi\"\\\nnext line\ttab\r\x01 caf\xc3\xa9";
  const std::vector<LogField> fields = {{"error", nasty}};
  const std::string line =
      FormatLogLine(LogFormat::kJson, kTime, LogLevel::kError, nasty, fields);
  EXPECT_THAT(line, Not(HasSubstr("\n")));
  const nlohmann::json object = nlohmann::json::parse(line);
  EXPECT_EQ(object["level"], "error");
  EXPECT_EQ(object["message"], nasty);
  EXPECT_EQ(object["error"], nasty);
}

TEST(JsonLog, NamesEveryLevel) {
  EXPECT_EQ(nlohmann::json::parse(FormatLogLine(
                LogFormat::kJson, kTime, LogLevel::kWarning, "m", {}))["level"],
            "warning");
}

TEST(TextLog, IsOneReadableLine) {
  const std::vector<LogField> fields = {
      {"study_id", 3}, {"name", "my study"}, {"error", "a\nb"}};
  EXPECT_EQ(FormatLogLine(LogFormat::kText, kTime, LogLevel::kInfo,
                          "study created", fields),
            "knob-server: study created study_id=3 name=\"my study\" "
            "error=\"a\\nb\"");
  EXPECT_EQ(FormatLogLine(LogFormat::kText, kTime, LogLevel::kError,
                          "lease expiry failed", {}),
            "knob-server: error: lease expiry failed");
}

TEST(LogFormat, ParsesJsonAndTextOnly) {
  EXPECT_THAT(ParseLogFormat("json"), IsOkAndHolds(LogFormat::kJson));
  EXPECT_THAT(ParseLogFormat("text"), IsOkAndHolds(LogFormat::kText));
  EXPECT_THAT(ParseLogFormat("xml"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("xml")));
}

}  // namespace
}  // namespace knob

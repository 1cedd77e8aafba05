#include "server/storage/postgres/internal/json_rows.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace knob::postgres_internal {
namespace {

TEST(JsonRows, NoRowsIsAnEmptyArray) {
  JsonRows rows;
  EXPECT_EQ(std::move(rows).Finish(), "[]");
}

TEST(JsonRows, RowsReadBackAsWritten) {
  // Every ASCII character, quotes, backslashes and control characters
  // included, and text that is not ASCII.
  std::string every_byte;
  for (int c = 1; c < 128; ++c) every_byte.push_back(static_cast<char>(c));
  const std::string unicode = "gpu-ü Ω \xf0\x9f\x9a\x80";
  const std::map<std::string, std::string> environment = {
      {"host", "a\"b\\c"}, {"note", every_byte}, {unicode, ""}};

  JsonRows rows;
  rows.Row().Int("id", -9'007'199'254'740'993).Text("name", every_byte);
  rows.Row()
      .Text("name", unicode)
      .Null("label")
      .Object("environment", environment)
      .Object("empty", {});
  const std::string json = std::move(rows).Finish();

  const nlohmann::json parsed = nlohmann::json::parse(json);
  ASSERT_TRUE(parsed.is_array());
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0]["id"].get<int64_t>(), -9'007'199'254'740'993);
  EXPECT_EQ(parsed[0]["name"].get<std::string>(), every_byte);
  EXPECT_EQ(parsed[1]["name"].get<std::string>(), unicode);
  EXPECT_TRUE(parsed[1]["label"].is_null());
  EXPECT_EQ(
      (parsed[1]["environment"].get<std::map<std::string, std::string>>()),
      environment);
  EXPECT_TRUE(parsed[1]["empty"].is_object());
  EXPECT_TRUE(parsed[1]["empty"].empty());
}

}  // namespace
}  // namespace knob::postgres_internal

// `knobctl report` against a real server: the file it writes is one
// self-contained page holding the study's data.
#include "client/knobctl/report.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "client/knobctl/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/storage/memory/memory_storage.h"
#include "tests/server/dashboard/dashboard_fixture.h"

namespace knob::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class KnobctlReport : public DashboardTest {
 protected:
  std::unique_ptr<Storage> MakeStorage() override {
    return CreateMemoryStorage();
  }

  std::string ReadFile(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

  // `html` with the text of every <script> element removed.
  std::string WithoutScriptText(std::string html) {
    for (size_t open = html.find("<script>"); open != std::string::npos;
         open = html.find("<script>", open + 1)) {
      const size_t text = open + std::string("<script>").size();
      const size_t close = html.find("</script>", text);
      if (close == std::string::npos) break;
      html.erase(text, close - text);
    }
    return html;
  }

  // The report's data: the JSON assigned to window.KNOB_REPORT.
  json ReportData(const std::string& html) {
    const std::string prefix = "window.KNOB_REPORT = ";
    const size_t begin = html.find(prefix);
    if (begin == std::string::npos) return nullptr;
    const size_t end = html.find(";</script>", begin);
    std::string text =
        html.substr(begin + prefix.size(), end - begin - prefix.size());
    // Undo the escaping of "</" that keeps the JSON inside its <script>.
    for (size_t at = text.find("<\\/"); at != std::string::npos;
         at = text.find("<\\/", at)) {
      text.erase(at + 1, 1);
    }
    return json::parse(text, nullptr, /*allow_exceptions=*/false);
  }
};

TEST_F(KnobctlReport, WritesOneSelfContainedPageWithTheStudy) {
  const v1::Study study = CreateStudy("demo", kOneObjective);
  for (double loss : {4.0, 2.0, 3.0}) {
    RunTrial(study.id(), v1::TRIAL_STATE_COMPLETED, {loss});
  }
  const std::string path =
      ::testing::TempDir() + "/knobctl_report_test_report.html";
  ClientOptions options;
  options.target = server_->address();
  Client client(options);
  knobctl::CommandFlags flags;
  flags.html = path;
  std::stringstream out;
  knobctl::CommandEnv env{.client = client, .flags = flags, .out = out};

  ASSERT_TRUE(knobctl::RunReport(env, {"demo"}).ok());

  const std::string html = ReadFile(path);
  std::remove(path.c_str());
  EXPECT_THAT(out.str(), HasSubstr(path));
  const json data = ReportData(html);
  ASSERT_TRUE(data.is_object()) << "no parsable window.KNOB_REPORT";
  EXPECT_EQ(data["study"]["name"], "demo");
  EXPECT_EQ(data["study"]["best_values"], json({2.0}));
  EXPECT_EQ(data["trials"]["total"], 3);
  EXPECT_EQ(data["trials"]["trials"].size(), 3u);
  EXPECT_EQ(data["plots"]["history"]["best"], json({{4.0, 2.0, 2.0}}));
  EXPECT_TRUE(data["importance"]["importances"].is_array());
  // The data comes before the script that renders it.
  EXPECT_LT(html.find("window.KNOB_REPORT = "), html.rfind("<script>"));
  EXPECT_GT(html.size(), 1u << 20) << "Plotly is not inlined";

  // Nothing is loaded from elsewhere: no element refers to a URL. (The
  // inlined scripts mention URLs in their strings, e.g. map attributions;
  // those are text, so the check reads the markup outside <script>.)
  const std::string markup = WithoutScriptText(html);
  EXPECT_THAT(markup, Not(HasSubstr("src=")));
  EXPECT_THAT(markup, Not(HasSubstr("href=\"http")));
  EXPECT_THAT(markup, Not(HasSubstr("href=\"/")));
  EXPECT_THAT(markup, Not(HasSubstr("<link")));
}

TEST_F(KnobctlReport, NeedsAWritableOutputFile) {
  CreateStudy("demo", kOneObjective);
  ClientOptions options;
  options.target = server_->address();
  Client client(options);
  knobctl::CommandFlags flags;
  std::stringstream out;
  knobctl::CommandEnv env{.client = client, .flags = flags, .out = out};

  EXPECT_EQ(knobctl::RunReport(env, {"demo"}).code(),
            absl::StatusCode::kInvalidArgument);

  flags.html = ::testing::TempDir() + "/no-such-directory/report.html";
  const absl::Status unwritable = knobctl::RunReport(env, {"demo"});
  EXPECT_EQ(unwritable.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(unwritable.message(), HasSubstr("no-such-directory"));
}

}  // namespace
}  // namespace knob::testing

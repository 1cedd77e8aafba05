#include "client/knobctl/commands.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/client/fake_knob_server.h"
#include "tests/testing/status_matchers.h"

namespace knob::knobctl {
namespace {

using ::knob::testing::FakeKnobServer;
using ::knob::testing::IsOk;
using ::knob::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kSpec[] = R"(name: demo
config:
  parameters:
    - {name: x, float_domain: {min: 0, max: 1}}
    - {name: kind, categorical_domain: {choices: [a, b]}}
  objectives: [{metric: loss, direction: minimize}]
  stopping: {max_trials: 10}
)";

class CommandsTest : public ::testing::Test {
 protected:
  CommandsTest() : client_(Options()) {}

  ClientOptions Options() {
    ClientOptions options;
    options.target = server_.target();
    return options;
  }

  // Runs `name` with `args`; the output is in out_.
  absl::Status Run(const std::string& name, const Args& args,
                   std::istream* confirm = nullptr) {
    out_.str("");
    const Command* command = FindCommand(name);
    EXPECT_NE(command, nullptr) << name;
    CommandEnv env{
        .client = client_, .flags = flags_, .out = out_, .confirm = confirm};
    return command->run(env, args);
  }

  std::string WriteSpec(const std::string& text, const std::string& name) {
    const std::string path = ::testing::TempDir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  void CreateDemo() {
    ASSERT_THAT(Run("create", {WriteSpec(kSpec, "demo.yaml")}), IsOk());
  }

  int OutputLines() const {
    const std::string text = out_.str();
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }

  // Runs trial number i with loss i + 1 (or leaves it running).
  void RunTrials(int count, bool complete = true) {
    for (int i = 0; i < count; ++i) {
      v1::SuggestTrialsRequest suggest;
      suggest.set_study_id(1);
      suggest.set_count(1);
      suggest.set_worker_id("w");
      absl::StatusOr<v1::SuggestTrialsResponse> response =
          client_.SuggestTrials(suggest);
      ASSERT_THAT(response, IsOk());
      if (!complete) continue;
      v1::CompleteTrialRequest request;
      request.set_trial_id(response->trials(0).id());
      request.set_state(v1::TRIAL_STATE_COMPLETED);
      request.add_values(10.0 - i);
      ASSERT_THAT(client_.CompleteTrial(request), IsOk());
    }
  }

  FakeKnobServer server_;
  Client client_;
  CommandFlags flags_;
  std::ostringstream out_;
};

TEST_F(CommandsTest, CreatePrintsTheStudy) {
  ASSERT_THAT(Run("create", {WriteSpec(kSpec, "demo.yaml")}), IsOk());
  EXPECT_EQ(out_.str(), "created study id=1 name=demo state=RUNNING\n");
}

TEST_F(CommandsTest, CreateWithABadSpecNamesTheFile) {
  const std::string path = WriteSpec("name: [unclosed\n", "broken.yaml");
  EXPECT_THAT(Run("create", {path}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith(path + ": line ")));
}

TEST_F(CommandsTest, ServerErrorsPassThrough) {
  server_.FailNext("CreateStudy", 1,
                   grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                                "study \"demo\" exists: objectives differ"));
  EXPECT_THAT(Run("create", {WriteSpec(kSpec, "demo.yaml")}),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       "study \"demo\" exists: objectives differ"));
  EXPECT_THAT(Run("show", {"missing"}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("")));
}

TEST_F(CommandsTest, StudiesTableWithCountsAndBest) {
  CreateDemo();
  RunTrials(3);
  ASSERT_THAT(Run("studies", {}), IsOk());
  EXPECT_THAT(out_.str(), HasSubstr("ID  NAME  STATE    TRIALS"));
  EXPECT_THAT(out_.str(), HasSubstr("1   demo  RUNNING  3"));
  EXPECT_THAT(out_.str(), HasSubstr("8 (#2)"));
  flags_.state = "paused";
  ASSERT_THAT(Run("studies", {}), IsOk());
  EXPECT_THAT(out_.str(), Not(HasSubstr("demo")));
  flags_.state = "asleep";
  EXPECT_THAT(Run("studies", {}), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("asleep")));
}

TEST_F(CommandsTest, TrialsFilteredAndLimited) {
  CreateDemo();
  RunTrials(3);
  RunTrials(1, /*complete=*/false);
  ASSERT_THAT(Run("trials", {"demo"}), IsOk());
  EXPECT_THAT(out_.str(), StartsWith("NUMBER  STATE      PARAMS  "));
  EXPECT_THAT(out_.str(), HasSubstr("0       COMPLETED  x=0 kind=a    "));
  EXPECT_THAT(out_.str(), HasSubstr("loss=10  w       "));
  EXPECT_THAT(out_.str(), HasSubstr("3       RUNNING"));
  flags_.state = "running";
  ASSERT_THAT(Run("trials", {"1"}), IsOk());
  EXPECT_EQ(OutputLines(), 2);
  flags_.state = "";
  flags_.limit = 2;
  ASSERT_THAT(Run("trials", {"demo"}), IsOk());
  EXPECT_EQ(OutputLines(), 3);
}

TEST_F(CommandsTest, BestAndShow) {
  CreateDemo();
  ASSERT_THAT(Run("best", {"demo"}), IsOk());
  EXPECT_THAT(out_.str(), HasSubstr("no completed trial yet"));
  RunTrials(2);
  ASSERT_THAT(Run("best", {"demo"}), IsOk());
  EXPECT_THAT(out_.str(), StartsWith("best trial 1 (id 2): loss=9\n"));
  EXPECT_THAT(out_.str(), HasSubstr("  kind = b\n"));
  ASSERT_THAT(Run("show", {"demo"}), IsOk());
  EXPECT_THAT(out_.str(), HasSubstr("Study 1 \"demo\""));
  EXPECT_THAT(out_.str(), HasSubstr("kind  categorical {a, b}"));
  flags_.json = true;
  ASSERT_THAT(Run("show", {"demo"}), IsOk());
  const nlohmann::json json = nlohmann::json::parse(out_.str());
  EXPECT_EQ(json["name"], "demo");
  EXPECT_EQ(json["state"], "STUDY_STATE_RUNNING");
}

TEST_F(CommandsTest, PauseResumeStop) {
  CreateDemo();
  ASSERT_THAT(Run("pause", {"demo"}), IsOk());
  EXPECT_EQ(out_.str(), "study id=1 name=demo state=PAUSED\n");
  ASSERT_THAT(Run("resume", {"1"}), IsOk());
  EXPECT_EQ(out_.str(), "study id=1 name=demo state=RUNNING\n");
  ASSERT_THAT(Run("stop", {"demo"}), IsOk());
  EXPECT_EQ(out_.str(), "study id=1 name=demo state=STOPPED\n");
}

TEST_F(CommandsTest, DeleteAsksUnlessYes) {
  CreateDemo();
  EXPECT_THAT(
      Run("delete", {"demo"}),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("pass --yes")));
  std::istringstream no("n\n");
  EXPECT_THAT(Run("delete", {"demo"}, &no),
              StatusIs(absl::StatusCode::kCancelled, HasSubstr("not deleted")));
  std::istringstream yes("y\n");
  ASSERT_THAT(Run("delete", {"demo"}, &yes), IsOk());
  EXPECT_THAT(out_.str(), HasSubstr("deleted study id=1 name=demo"));
  CreateDemo();
  flags_.yes = true;
  ASSERT_THAT(Run("delete", {"demo"}), IsOk());
}

TEST_F(CommandsTest, EnqueueTypesTheValues) {
  CreateDemo();
  ASSERT_THAT(Run("enqueue", {"demo", "x=1", "kind=b"}), IsOk());
  EXPECT_EQ(out_.str(),
            "enqueued trial id=1 number=0 state=WAITING x=1 kind=b\n");
  const v1::Trial trial = server_.AllTrials()[0];
  EXPECT_TRUE(trial.parameters().at("x").has_double_value());
  EXPECT_THAT(Run("enqueue", {"demo", "x"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"x\"")));
}

TEST_F(CommandsTest, ExportCsvToAFileAndJsonToStdout) {
  CreateDemo();
  RunTrials(2);
  flags_.output = ::testing::TempDir() + "/export.csv";
  ASSERT_THAT(Run("export", {"demo"}), IsOk());
  EXPECT_THAT(out_.str(), HasSubstr("exported 2 trials of study 1 to"));
  std::ifstream file(flags_.output);
  std::string header;
  std::getline(file, header);
  EXPECT_EQ(header,
            "number,state,param_x,param_kind,value_loss,worker_id,start_time,"
            "end_time,duration_seconds");
  flags_.output = "";
  flags_.format = "json";
  ASSERT_THAT(Run("export", {"demo"}), IsOk());
  EXPECT_EQ(nlohmann::json::parse(out_.str()).size(), 2u);
  flags_.format = "xml";
  EXPECT_THAT(Run("export", {"demo"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("xml")));
}

TEST(Commands, RegistryAndUsage) {
  EXPECT_EQ(FindCommand("nope"), nullptr);
  const std::string usage = UsageText();
  for (const Command& command : AllCommands()) {
    EXPECT_THAT(usage, HasSubstr(std::string(command.synopsis)));
  }
  EXPECT_THAT(usage, AllOf(HasSubstr("KNOB_SERVER"), HasSubstr("--server")));
}

}  // namespace
}  // namespace knob::knobctl

#include "client/knobctl/commands.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/storage/memory/memory_storage.h"
#include "tests/testing/direct_calls.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_server.h"

namespace knob::knobctl {
namespace {

using ::knob::testing::IsOk;
using ::knob::testing::StatusIs;
using ::knob::testing::TestServer;
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
    options.target = server_.address();
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

  // A path in the temporary directory that no other test uses: ctest runs
  // the tests of this file in parallel processes.
  static std::string TempPath(const std::string& name) {
    return absl::StrCat(
        ::testing::TempDir(), "/",
        ::testing::UnitTest::GetInstance()->current_test_info()->name(), "-",
        name);
  }

  std::string WriteSpec(const std::string& text, const std::string& name) {
    const std::string path = TempPath(name);
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

  // Runs `count` trials of study 1 for worker "w", completed with losses
  // 10, 9, 8, … unless `complete` is false. Each trial is enqueued first
  // (with x = i / 4 and kind alternating a, b), so that the server hands
  // out known parameters.
  void RunTrials(int count, bool complete = true) {
    for (int i = 0; i < count; ++i) {
      v1::EnqueueTrialRequest enqueue;
      enqueue.set_study_id(1);
      auto& parameters = *enqueue.mutable_parameters();
      parameters["x"].set_double_value(enqueued_ / 4.0);
      parameters["kind"].set_string_value(enqueued_ % 2 == 0 ? "a" : "b");
      ++enqueued_;
      ASSERT_THAT(client_.EnqueueTrial(enqueue), IsOk());
      v1::SuggestTrialsRequest suggest;
      suggest.set_study_id(1);
      suggest.set_count(1);
      suggest.set_worker_id("w");
      absl::StatusOr<v1::SuggestTrialsResponse> response =
          client_.SuggestTrials(suggest);
      ASSERT_THAT(response, IsOk());
      ASSERT_EQ(response->trials_size(), 1);
      if (!complete) continue;
      v1::CompleteTrialRequest request;
      request.set_trial_id(response->trials(0).id());
      request.set_state(v1::TRIAL_STATE_COMPLETED);
      request.add_values(10.0 - i);
      ASSERT_THAT(client_.CompleteTrial(request), IsOk());
    }
  }

  TestServer server_{CreateMemoryStorage()};
  Client client_;
  int enqueued_ = 0;
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
  CreateDemo();
  std::string other_spec = kSpec;
  other_spec.replace(other_spec.find("max_trials: 10"), 14, "max_trials: 20");
  EXPECT_THAT(Run("create", {WriteSpec(other_spec, "other.yaml")}),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       StartsWith("name: study \"demo\" already exists with "
                                  "another config")));
  EXPECT_THAT(Run("show", {"missing"}),
              StatusIs(absl::StatusCode::kNotFound,
                       "name: no study named \"missing\""));
  EXPECT_THAT(Run("enqueue", {"demo", "x=5", "kind=a"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("parameters[\"x\"]: ")));
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
  ASSERT_THAT(Run("pause", {"demo"}), IsOk());
  ASSERT_THAT(Run("studies", {}), IsOk());
  EXPECT_THAT(out_.str(), HasSubstr("1   demo  PAUSED"));
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

TEST_F(CommandsTest, ConstraintsInSpecShowAndBest) {
  constexpr char kConstrained[] = R"(name: bounded
config:
  parameters:
    - {name: x, float_domain: {min: 0, max: 1}}
  objectives: [{metric: loss, direction: minimize}]
  extra_metrics: [latency_ms]
  constraints:
    - {metric: latency_ms, max: 50}
    - {metric: latency_ms, min: 0.5}
)";
  ASSERT_THAT(Run("create", {WriteSpec(kConstrained, "bounded.yaml")}), IsOk());
  ASSERT_THAT(Run("show", {"bounded"}), IsOk());
  EXPECT_THAT(out_.str(),
              HasSubstr("constraints:   latency_ms <= 50, latency_ms >= 0.5"));

  auto complete = [&](double loss, double latency) {
    v1::SuggestTrialsRequest suggest;
    suggest.set_study_id(1);
    suggest.set_count(1);
    suggest.set_worker_id("w");
    absl::StatusOr<v1::SuggestTrialsResponse> response =
        client_.SuggestTrials(suggest);
    ASSERT_THAT(response, IsOk());
    v1::CompleteTrialRequest request;
    request.set_trial_id(response->trials(0).id());
    request.set_state(v1::TRIAL_STATE_COMPLETED);
    request.add_values(loss);
    (*request.mutable_metrics())["latency_ms"] = latency;
    ASSERT_THAT(client_.CompleteTrial(request), IsOk());
  };
  complete(1, 80);
  ASSERT_THAT(Run("best", {"bounded"}), IsOk());
  EXPECT_THAT(out_.str(),
              StartsWith("no completed trial meets the constraints yet; the "
                         "closest misses latency_ms <= 50 (got 80)\n"
                         "best trial 0 "));
  ASSERT_THAT(Run("studies", {}), IsOk());
  EXPECT_THAT(out_.str(), HasSubstr("1 (#0) infeasible"));

  complete(2, 30);
  ASSERT_THAT(Run("best", {"bounded"}), IsOk());
  EXPECT_THAT(out_.str(), StartsWith("best trial 1 "));
  EXPECT_THAT(out_.str(), Not(HasSubstr("constraints")));
}

TEST_F(CommandsTest, PauseResumeStop) {
  CreateDemo();
  ASSERT_THAT(Run("pause", {"demo"}), IsOk());
  EXPECT_EQ(out_.str(), "study id=1 name=demo state=PAUSED\n");
  ASSERT_THAT(Run("resume", {"1"}), IsOk());
  EXPECT_EQ(out_.str(), "study id=1 name=demo state=RUNNING\n");
  ASSERT_THAT(Run("stop", {"demo"}), IsOk());
  EXPECT_EQ(out_.str(), "study id=1 name=demo state=STOPPED\n");
  EXPECT_THAT(Run("resume", {"demo"}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "state: study 1 is STOPPED and cannot become RUNNING"));
}

TEST_F(CommandsTest, DeleteAsksUnlessYes) {
  CreateDemo();
  EXPECT_THAT(
      Run("delete", {"demo"}),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("pass --yes")));
  std::istringstream no("n\n");
  EXPECT_THAT(Run("delete", {"demo"}, &no),
              StatusIs(absl::StatusCode::kCancelled, HasSubstr("not deleted")));
  ASSERT_THAT(Run("show", {"demo"}), IsOk());
  std::istringstream yes("y\n");
  ASSERT_THAT(Run("delete", {"demo"}, &yes), IsOk());
  EXPECT_THAT(out_.str(), HasSubstr("deleted study id=1 name=demo"));
  EXPECT_THAT(Run("show", {"demo"}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("demo")));
  CreateDemo();
  flags_.yes = true;
  ASSERT_THAT(Run("delete", {"demo"}), IsOk());
  EXPECT_EQ(out_.str(), "deleted study id=2 name=demo\n");
}

TEST_F(CommandsTest, EnqueueTypesTheValues) {
  CreateDemo();
  ASSERT_THAT(Run("enqueue", {"demo", "x=1", "kind=b"}), IsOk());
  EXPECT_EQ(out_.str(),
            "enqueued trial id=1 number=0 state=WAITING x=1 kind=b\n");
  absl::StatusOr<v1::Trial> trial = testing::GetTrial(server_, 1);
  ASSERT_THAT(trial, IsOk());
  EXPECT_EQ(trial->state(), v1::TRIAL_STATE_WAITING);
  EXPECT_EQ(trial->parameters().at("x").double_value(), 1.0);
  EXPECT_EQ(trial->parameters().at("kind").string_value(), "b");
  EXPECT_THAT(Run("enqueue", {"demo", "x"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"x\"")));
}

TEST_F(CommandsTest, ExportCsvToAFileAndJsonToStdout) {
  CreateDemo();
  RunTrials(2);
  flags_.output = TempPath("export.csv");
  ASSERT_THAT(Run("export", {"demo"}), IsOk());
  EXPECT_THAT(out_.str(), HasSubstr("exported 2 trials of study 1 to"));
  std::ifstream file(flags_.output);
  std::string header;
  std::getline(file, header);
  EXPECT_EQ(header,
            "number,state,param_x,param_kind,value_loss,worker_id,start_time,"
            "end_time,duration_seconds");
  std::string row;
  std::getline(file, row);
  EXPECT_THAT(row, StartsWith("0,COMPLETED,0,a,10,w,"));
  std::getline(file, row);
  EXPECT_THAT(row, StartsWith("1,COMPLETED,0.25,b,9,w,"));
  EXPECT_FALSE(std::getline(file, row));
  flags_.output = "";
  flags_.format = "json";
  ASSERT_THAT(Run("export", {"demo"}), IsOk());
  const nlohmann::json json = nlohmann::json::parse(out_.str());
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[1]["params"]["kind"], "b");
  EXPECT_EQ(json[1]["values"]["loss"], 9);
  EXPECT_TRUE(json[1]["duration_seconds"].is_number());
  flags_.format = "xml";
  EXPECT_THAT(Run("export", {"demo"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("xml")));
}

TEST_F(CommandsTest, ImportanceTableAndJson) {
  // A seeded study, so that the forest is the same on every run.
  ASSERT_THAT(Run("create", {WriteSpec(absl::StrCat(kSpec, "  seed: 3\n"),
                                       "seeded.yaml")}),
              IsOk());
  RunTrials(1);
  EXPECT_THAT(Run("importance", {"demo"}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("at least 2 completed trials")));
  // The loss falls with x (10 - 4x); kind alternates and explains little.
  RunTrials(4);
  ASSERT_THAT(Run("importance", {"demo"}), IsOk());
  EXPECT_THAT(out_.str(),
              StartsWith("parameter importance for loss in study 1 \"demo\" "
                         "(fANOVA over 5 completed trials)\n"
                         "PARAMETER  IMPORTANCE\n"
                         "x          "));
  EXPECT_THAT(out_.str(), HasSubstr("\nkind       "));
  flags_.json = true;
  ASSERT_THAT(Run("importance", {"demo", "kind"}), IsOk());
  const nlohmann::json json = nlohmann::json::parse(out_.str());
  ASSERT_EQ(json["importances"].size(), 1u);
  EXPECT_EQ(json["importances"][0]["parameter"], "kind");
  EXPECT_EQ(json["trial_count"], "5");
  flags_.objective = 1;
  EXPECT_THAT(Run("importance", {"demo"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("objective_index")));
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

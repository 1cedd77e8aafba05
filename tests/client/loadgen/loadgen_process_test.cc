// knob-loadgen as a benchmark runs it: a real knob-server process on a real
// PostgreSQL, a short run, and a summary line that matches what the
// database holds.
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/storage/postgres/test_database.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace knob::testing {
namespace {

// The key=value pairs of the last line starting with "loadgen: ".
std::map<std::string, std::string> SummaryFields(const std::string& output) {
  std::map<std::string, std::string> fields;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.starts_with("loadgen: ")) continue;
    fields.clear();
    for (absl::string_view pair :
         absl::StrSplit(line.substr(9), ' ', absl::SkipEmpty())) {
      std::pair<std::string, std::string> key_value =
          absl::StrSplit(pair, absl::MaxSplits('=', 1));
      fields.insert(key_value);
    }
  }
  return fields;
}

int64_t IntField(const std::map<std::string, std::string>& fields,
                 const std::string& key) {
  int64_t value = -1;
  auto it = fields.find(key);
  if (it == fields.end() || !absl::SimpleAtoi(it->second, &value)) {
    ADD_FAILURE() << "no integer " << key << " in the summary line";
  }
  return value;
}

// A knob-server process on a fresh database, stopped with SIGTERM after
// each test, which must make it exit cleanly.
class LoadgenProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("knob-loadgen-test-", getpid());
    std::filesystem::create_directories(dir_);
    ASSERT_OK_AND_ASSIGN(database_, TestDatabase::Create(/*migrated=*/false));
    ASSERT_OK_AND_ASSIGN(
        ServerProcess server,
        StartServerProcess(
            KNOB_SERVER_BINARY, dir_,
            {"--database_url=" + database_->url(), "--pool_size=4"}));
    server_ = std::make_unique<Subprocess>(std::move(server.process));
    address_ = server.address;
  }

  void TearDown() override {
    if (server_ == nullptr) return;
    server_->Signal(SIGTERM);
    absl::StatusOr<int> code = server_->Wait(absl::Seconds(30));
    ASSERT_OK(code);
    EXPECT_EQ(*code, 0) << ReadFile(server_->log_path());
  }

  // Runs knob-loadgen against the server with `flags`; its summary line's
  // fields, empty when it failed.
  std::map<std::string, std::string> RunLoadgen(
      const std::vector<std::string>& flags) {
    const std::string log = (dir_ / "loadgen.log").string();
    std::filesystem::remove(log);
    std::vector<std::string> argv = {KNOB_LOADGEN_BINARY,
                                     "--server=" + address_};
    argv.insert(argv.end(), flags.begin(), flags.end());
    absl::StatusOr<Subprocess> loadgen = Subprocess::Start(argv, log);
    if (!loadgen.ok()) {
      ADD_FAILURE() << loadgen.status();
      return {};
    }
    absl::StatusOr<int> code = loadgen->Wait(absl::Seconds(60));
    if (!code.ok() || *code != 0) {
      ADD_FAILURE() << "knob-loadgen did not finish within 60 s with exit "
                       "status 0:\n"
                    << ReadFile(log);
      return {};
    }
    std::map<std::string, std::string> fields = SummaryFields(ReadFile(log));
    if (fields.empty()) ADD_FAILURE() << ReadFile(log);
    return fields;
  }

  // Checks that study `name` holds no RUNNING trial and that listing its
  // COMPLETED trials finds as many as its counts say; returns that count.
  int64_t CompletedTrials(const std::string& name) {
    ClientOptions options;
    options.target = address_;
    Client client(options);
    absl::StatusOr<v1::Study> study = client.GetStudyByName(name);
    if (!study.ok()) {
      ADD_FAILURE() << name << ": " << study.status();
      return -1;
    }
    EXPECT_EQ(study->trial_counts().running(), 0) << name;
    v1::ListTrialsRequest request;
    request.set_study_id(study->id());
    request.add_states(v1::TRIAL_STATE_COMPLETED);
    absl::StatusOr<std::vector<v1::Trial>> trials =
        client.ListAllTrials(request);
    EXPECT_OK(trials);
    if (trials.ok()) {
      EXPECT_EQ(static_cast<int64_t>(trials->size()),
                study->trial_counts().completed())
          << name;
    }
    return study->trial_counts().completed();
  }

  std::filesystem::path dir_;
  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<Subprocess> server_;
  std::string address_;
};

TEST_F(LoadgenProcess, ShortRunCompletesAsManyTrialsAsItCounts) {
  const std::map<std::string, std::string> fields =
      RunLoadgen({"--workers=8", "--studies=2", "--channels=2", "--duration=2s",
                  "--prefix=smoke"});
  ASSERT_FALSE(fields.empty());
  EXPECT_EQ(fields.at("workers"), "8");
  EXPECT_EQ(fields.at("studies"), "2");
  EXPECT_EQ(IntField(fields, "errors"), 0);
  const int64_t cycles = IntField(fields, "cycles");
  EXPECT_GT(cycles, 0);

  // Every counted cycle is a COMPLETED trial, and no trial was left
  // RUNNING: the workers completed what they held before stopping.
  const int64_t first = CompletedTrials("smoke-0");
  const int64_t second = CompletedTrials("smoke-1");
  EXPECT_GT(first, 0);
  EXPECT_GT(second, 0);
  EXPECT_EQ(first + second, cycles);
}

TEST_F(LoadgenProcess, TrialsStopsTheRunAtExactlyThatManySplitEvenly) {
  // The duration is far beyond the test's patience: only the trial count
  // can end this run in time.
  const std::map<std::string, std::string> fields =
      RunLoadgen({"--workers=8", "--studies=2", "--channels=2",
                  "--duration=600s", "--trials=25", "--prefix=exact"});
  ASSERT_FALSE(fields.empty());
  EXPECT_EQ(IntField(fields, "cycles"), 25);
  EXPECT_EQ(IntField(fields, "errors"), 0);
  EXPECT_EQ(CompletedTrials("exact-0"), 13);
  EXPECT_EQ(CompletedTrials("exact-1"), 12);

  // A second run with the same prefix adds its own count to the reused
  // studies, as a benchmark filling a study in steps relies on.
  ASSERT_FALSE(RunLoadgen({"--workers=3", "--studies=2", "--duration=600s",
                           "--trials=4", "--prefix=exact"})
                   .empty());
  EXPECT_EQ(CompletedTrials("exact-0"), 15);
  EXPECT_EQ(CompletedTrials("exact-1"), 14);
}

TEST_F(LoadgenProcess, ReportsLandBeforeEachTrialCompletes) {
  const std::map<std::string, std::string> fields =
      RunLoadgen({"--workers=4", "--duration=600s", "--trials=10",
                  "--reports=3", "--prefix=curves"});
  ASSERT_FALSE(fields.empty());
  EXPECT_EQ(IntField(fields, "cycles"), 10);
  EXPECT_EQ(IntField(fields, "errors"), 0);
  EXPECT_EQ(IntField(fields, "reports"), 3);
  EXPECT_TRUE(fields.contains("p99_report_ms"));

  ClientOptions options;
  options.target = address_;
  Client client(options);
  absl::StatusOr<v1::Study> study = client.GetStudyByName("curves-0");
  ASSERT_OK(study);
  v1::ListTrialsRequest request;
  request.set_study_id(study->id());
  ASSERT_OK_AND_ASSIGN(std::vector<v1::Trial> trials,
                       client.ListAllTrials(request));
  ASSERT_EQ(trials.size(), 10u);
  for (const v1::Trial& trial : trials) {
    EXPECT_EQ(trial.state(), v1::TRIAL_STATE_COMPLETED);
    ASSERT_EQ(trial.intermediate_values_size(), 3) << trial.number();
    for (int step = 0; step < 3; ++step) {
      EXPECT_EQ(trial.intermediate_values(step).step(), step);
    }
  }
}

}  // namespace
}  // namespace knob::testing

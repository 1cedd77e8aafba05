// End to end: a real knob-server process on a real PostgreSQL, and 8 real
// worker processes finishing a study over gRPC.
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tests/server/storage/postgres/test_database.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace knob::testing {
namespace {

constexpr int kWorkers = 8;

class WorkerProcessesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat(
               "knob-e2e-", getpid(), "-",
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    // An empty database: the server applies the schema itself at start.
    ASSERT_OK_AND_ASSIGN(database_, TestDatabase::Create(/*migrated=*/false));
    ASSERT_OK_AND_ASSIGN(
        ServerProcess server,
        StartServerProcess(
            KNOB_SERVER_BINARY, dir_,
            {"--database_url=" + database_->url(), "--pool_size=8"}));
    server_ = std::make_unique<Subprocess>(std::move(server.process));
    address_ = server.address;
    ClientOptions options;
    options.target = address_;
    client_ = std::make_unique<Client>(options);
  }

  void TearDown() override {
    if (server_ == nullptr) return;
    // A clean shutdown on SIGTERM is part of what is tested.
    server_->Signal(SIGTERM);
    absl::StatusOr<int> code = server_->Wait(absl::Seconds(30));
    EXPECT_THAT(code, IsOk());
    if (code.ok()) {
      EXPECT_EQ(*code, 0) << ReadFile(server_->log_path());
    }
  }

  v1::Study CreateStudy(const std::string& name, const std::string& config) {
    v1::CreateStudyRequest request;
    request.set_name(name);
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
        config, request.mutable_config()));
    absl::StatusOr<v1::Study> study = client_->CreateStudy(request);
    EXPECT_OK(study);
    return study.ok() ? *study : v1::Study();
  }

  // Runs `count` workers to the end of the study; returns the wall time.
  absl::Duration RunWorkers(const std::string& study, int count = kWorkers) {
    const absl::Time start = absl::Now();
    std::vector<Subprocess> workers;
    for (int i = 0; i < count; ++i) {
      absl::StatusOr<Subprocess> worker = Subprocess::Start(
          {KNOB_WORKER_BINARY, "--server=" + address_, "--study=" + study,
           absl::StrCat("--worker_id=worker-", i), "--steps=3"},
          (dir_ / absl::StrCat("worker-", i, ".log")).string());
      EXPECT_OK(worker);
      if (worker.ok()) workers.push_back(*std::move(worker));
    }
    for (Subprocess& worker : workers) {
      absl::StatusOr<int> code = worker.Wait(absl::Minutes(5));
      EXPECT_THAT(code, IsOk());
      if (code.ok()) {
        EXPECT_EQ(*code, 0) << ReadFile(worker.log_path());
      }
    }
    return absl::Now() - start;
  }

  std::vector<v1::Trial> AllTrials(int64_t study_id) {
    v1::ListTrialsRequest request;
    request.set_study_id(study_id);
    absl::StatusOr<std::vector<v1::Trial>> trials =
        client_->ListAllTrials(request);
    EXPECT_OK(trials);
    return trials.ok() ? *trials : std::vector<v1::Trial>();
  }

  // Dense unique numbers 0..n-1, every trial COMPLETED, and work spread
  // over several workers.
  void ExpectDenseCompleted(const std::vector<v1::Trial>& trials, int n) {
    ASSERT_EQ(static_cast<int>(trials.size()), n);
    std::set<std::string> workers;
    for (int i = 0; i < n; ++i) {
      EXPECT_EQ(trials[i].number(), i);
      EXPECT_EQ(trials[i].state(), v1::TRIAL_STATE_COMPLETED)
          << trials[i].DebugString();
      EXPECT_EQ(trials[i].values_size(), 1);
      workers.insert(trials[i].worker_id());
    }
    EXPECT_GE(workers.size(), 2u) << "the workers did not run concurrently";
  }

  std::filesystem::path dir_;
  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<Subprocess> server_;
  std::string address_;
  std::unique_ptr<Client> client_;
};

TEST_F(WorkerProcessesTest, RandomStudyEndsWithExactlyItsBudget) {
  const v1::Study study = CreateStudy("e2e-random", R"pb(
    parameters {
      name: "x"
      float_domain { min: -5 max: 5 }
    }
    parameters {
      name: "y"
      float_domain { min: 0.001 max: 10 log_scale: true }
    }
    parameters {
      name: "layers"
      int_domain { min: 1 max: 8 }
    }
    objectives { metric: "loss" direction: DIRECTION_MINIMIZE }
    stopping { max_trials: 100 }
  )pb");
  const absl::Duration wall = RunWorkers("e2e-random");
  const std::vector<v1::Trial> trials = AllTrials(study.id());
  ExpectDenseCompleted(trials, 100);

  absl::StatusOr<v1::Study> finished = client_->GetStudyById(study.id());
  ASSERT_OK(finished);
  EXPECT_EQ(finished->state(), v1::STUDY_STATE_COMPLETED);
  EXPECT_EQ(finished->state_reason(), "max_trials=100 reached");
  std::printf(
      "e2e: sampler=random workers=%d trials=%zu completed=%lld wall=%.2fs "
      "trials_per_s=%.1f\n",
      kWorkers, trials.size(),
      static_cast<long long>(finished->trial_counts().completed()),
      absl::ToDoubleSeconds(wall), trials.size() / absl::ToDoubleSeconds(wall));
}

TEST_F(WorkerProcessesTest, PrunedStudyOfSixteenWorkersKeepsItsBudget) {
  constexpr int kPruningWorkers = 16;
  const v1::Study study = CreateStudy("e2e-pruned", R"pb(
    parameters {
      name: "x"
      float_domain { min: -5 max: 5 }
    }
    parameters {
      name: "y"
      float_domain { min: -5 max: 5 }
    }
    objectives { metric: "loss" direction: DIRECTION_MINIMIZE }
    sampler { name: "random" }
    pruner {
      name: "median"
      options {
        key: "n_startup_trials"
        value { int_value: 3 }
      }
    }
    stopping { max_trials: 64 }
  )pb");
  RunWorkers("e2e-pruned", kPruningWorkers);
  const std::vector<v1::Trial> trials = AllTrials(study.id());
  ASSERT_EQ(trials.size(), 64u);
  int pruned = 0;
  for (const v1::Trial& trial : trials) {
    ASSERT_FALSE(trial.intermediate_values().empty()) << trial.DebugString();
    const v1::IntermediateValue& last = *trial.intermediate_values().rbegin();
    if (trial.state() == v1::TRIAL_STATE_PRUNED) {
      ++pruned;
      // The worker stopped at the step the pruner answered prune, and that
      // step and value stay on record.
      EXPECT_TRUE(last.should_prune()) << trial.DebugString();
      EXPECT_THAT(last.prune_reason(), ::testing::HasSubstr("median"));
    } else {
      EXPECT_EQ(trial.state(), v1::TRIAL_STATE_COMPLETED)
          << trial.DebugString();
      EXPECT_EQ(last.step(), 3);
      EXPECT_FALSE(last.should_prune());
    }
  }
  // Random points on a quadratic: about half are worse than the median.
  EXPECT_GE(pruned, 10);
  EXPECT_LE(pruned, 60);
  absl::StatusOr<v1::Study> finished = client_->GetStudyById(study.id());
  ASSERT_OK(finished);
  EXPECT_EQ(finished->state_reason(), "max_trials=64 reached");
  EXPECT_EQ(finished->trial_counts().pruned(), pruned);
  EXPECT_EQ(finished->trial_counts().completed(), 64 - pruned);
  std::printf("e2e: pruner=median workers=%d trials=%zu pruned=%d\n",
              kPruningWorkers, trials.size(), pruned);
}

TEST_F(WorkerProcessesTest, GridStudyHandsOutEveryPointOnce) {
  // 5 × 4 × 5 = 100 points.
  const v1::Study study = CreateStudy("e2e-grid", R"pb(
    parameters {
      name: "x"
      float_domain { min: -1 max: 1 step: 0.5 }
    }
    parameters {
      name: "layers"
      int_domain { min: 1 max: 4 }
    }
    parameters {
      name: "activation"
      categorical_domain {
        choices { string_value: "relu" }
        choices { string_value: "tanh" }
        choices { string_value: "gelu" }
        choices { string_value: "elu" }
        choices { string_value: "silu" }
      }
    }
    objectives { metric: "loss" direction: DIRECTION_MINIMIZE }
    sampler { name: "grid" }
  )pb");
  const absl::Duration wall = RunWorkers("e2e-grid");
  const std::vector<v1::Trial> trials = AllTrials(study.id());
  ExpectDenseCompleted(trials, 100);
  std::set<std::string> points;
  for (const v1::Trial& trial : trials) {
    const auto& p = trial.parameters();
    points.insert(absl::StrCat(p.at("x").double_value(), "/",
                               p.at("layers").int_value(), "/",
                               p.at("activation").string_value()));
  }
  EXPECT_EQ(points.size(), 100u) << "a grid point was handed out twice";

  absl::StatusOr<v1::Study> finished = client_->GetStudyById(study.id());
  ASSERT_OK(finished);
  EXPECT_EQ(finished->state(), v1::STUDY_STATE_COMPLETED);
  EXPECT_THAT(finished->state_reason(), ::testing::HasSubstr("grid exhausted"));
  std::printf(
      "e2e: sampler=grid workers=%d trials=%zu distinct_points=%zu "
      "wall=%.2fs trials_per_s=%.1f\n",
      kWorkers, trials.size(), points.size(), absl::ToDoubleSeconds(wall),
      trials.size() / absl::ToDoubleSeconds(wall));
}

}  // namespace
}  // namespace knob::testing

// The fixture's helpers and the sample data shared by the themed test files
// (storage_conformance_*.cc).
#include "tests/server/storage/storage_conformance.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/util/status_macros.h"

namespace knob::testing {

// Binaries that link the suite but have no storage to run it against (for
// instance when no database is configured) still pass.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StorageConformanceTest);

absl::StatusOr<Study> StorageConformanceTest::CreateStudy(
    const std::string& name) {
  return storage_->CreateStudy(name, SmallConfig(), {}, kT0);
}

absl::StatusOr<std::vector<Trial>> StorageConformanceTest::CreateTrials(
    int64_t study_id, const std::vector<NewTrial>& trials, absl::Time now) {
  std::vector<Trial> created;
  RETURN_IF_ERROR(
      storage_->Transact(study_id, [&](StudyTransaction& txn) -> absl::Status {
        created.clear();
        for (const NewTrial& trial : trials) {
          ASSIGN_OR_RETURN(Trial stored, txn.CreateTrial(trial, now));
          created.push_back(std::move(stored));
        }
        return absl::OkStatus();
      }));
  return created;
}

absl::StatusOr<Trial> StorageConformanceTest::CreateTrial(int64_t study_id,
                                                          const NewTrial& trial,
                                                          absl::Time now) {
  ASSIGN_OR_RETURN(std::vector<Trial> created,
                   CreateTrials(study_id, {trial}, now));
  return created.at(0);
}

absl::StatusOr<Trial> StorageConformanceTest::Finish(
    const Trial& trial, const TrialOutcome& outcome, absl::Time now) {
  Trial finished;
  RETURN_IF_ERROR(storage_->Transact(
      trial.study_id, [&](StudyTransaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(finished, txn.FinishTrial(trial, outcome, now));
        return absl::OkStatus();
      }));
  return finished;
}

absl::StatusOr<std::vector<Trial>> StorageConformanceTest::ChangedSince(
    int64_t study_id, int64_t after) {
  std::vector<Trial> changed;
  RETURN_IF_ERROR(
      storage_->Transact(study_id, [&](StudyTransaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(changed, txn.TrialsChangedSince(after));
        return absl::OkStatus();
      }));
  return changed;
}

absl::StatusOr<std::vector<Trial>> StorageConformanceTest::AllTrials(
    int64_t study_id) {
  std::vector<Trial> trials;
  TrialQuery query;
  query.study_id = study_id;
  do {
    ASSIGN_OR_RETURN(Page<Trial> page, storage_->ListTrials(query));
    for (Trial& trial : page.items) trials.push_back(std::move(trial));
    query.page_token = page.next_page_token;
  } while (!query.page_token.empty());
  return trials;
}

StudyConfig FullConfig() {
  StudyConfig config;
  config.parameters = {
      {"learning_rate", FloatDomain{1e-5, 1.0, true, std::nullopt},
       std::nullopt},
      {"dropout", FloatDomain{0.0, 0.5, false, 0.05}, std::nullopt},
      // Needs all 17 significant digits to read back exactly.
      {"weight_decay", FloatDomain{1e-12, 0.1 + 0.2, true, std::nullopt},
       std::nullopt},
      {"layers", IntDomain{1, 8, false, 1}, std::nullopt},
      {"batch_size", IntDomain{16, 1024, true, 1}, std::nullopt},
      {"units", IntDomain{-(int64_t{1} << 40), int64_t{1} << 50, false, 1024},
       std::nullopt},
      {"optimizer",
       CategoricalDomain{{std::string("sgd"), std::string("adam")}},
       std::nullopt},
      {"mixed",
       CategoricalDomain{{std::string("auto"), 0.25, int64_t{3}, true, false,
                          std::numeric_limits<int64_t>::max()}},
       std::nullopt},
      // Declared before its parent, as configs may.
      {"nesterov", CategoricalDomain{{true, false}},
       Condition{"momentum_kind", {std::string("classic")}}},
      {"momentum_kind",
       CategoricalDomain{{std::string("classic"), std::string("none")}},
       Condition{"optimizer", {std::string("sgd")}}},
      {"warmup", IntDomain{0, 10, false, 2},
       Condition{"mixed", {int64_t{3}, true, 0.25}}},
      {"epochs", FixedDomain{int64_t{20}}, std::nullopt},
      {"scheduler", FixedDomain{std::string("cosine")}, std::nullopt},
      {"ema", FixedDomain{true}, std::nullopt},
      {"clip", FixedDomain{0.5}, std::nullopt},
  };
  config.objectives = {{"loss", Direction::kMinimize},
                       {"accuracy", Direction::kMaximize}};
  config.extra_metrics = {"latency_ms", "memory_mb"};
  config.constraints = {{"latency_ms", OutcomeConstraint::Kind::kMax, 250.5},
                        {"memory_mb", OutcomeConstraint::Kind::kMin, -0.25}};
  config.sampler = {"tpe",
                    {{"n_startup_trials", int64_t{10}},
                     {"gamma", 0.25},
                     {"multivariate", true},
                     {"weights", std::string("uniform")}}};
  config.pruner = {"median",
                   {{"n_warmup_steps", int64_t{5}},
                    {"percentile", 50.0},
                    {"strict", false},
                    {"mode", std::string("min")}}};
  // Above INT64_MAX: a signed 64-bit column must not lose it.
  config.seed = std::numeric_limits<uint64_t>::max() - 58;
  config.stopping.max_trials = 500;
  config.stopping.max_failed_trials = 25;
  config.stopping.max_wall_time = absl::Hours(6) + absl::Milliseconds(250);
  config.stopping.target_value = 0.1 + 0.2;
  config.stopping.patience = 40;
  config.lease_duration = absl::Seconds(90);
  return config;
}

StudyConfig SmallConfig() {
  StudyConfig config;
  config.parameters = {
      {"x", FloatDomain{-10, 10, false, std::nullopt}, std::nullopt}};
  config.objectives = {{"loss", Direction::kMinimize}};
  config.sampler = {"random", {}};
  config.pruner = {"none", {}};
  return config;
}

NewTrial RunningTrial(const std::string& worker_id, absl::Time lease_deadline,
                      const std::string& request_id) {
  NewTrial trial;
  trial.state = TrialState::kRunning;
  trial.params = {{"x", 1.5}};
  trial.worker_id = worker_id;
  trial.environment = {{"host", worker_id + ".example.com"}};
  trial.lease_deadline = lease_deadline;
  trial.request_id = request_id;
  return trial;
}

NewTrial WaitingTrial(double x, const std::string& request_id) {
  NewTrial trial;
  trial.state = TrialState::kWaiting;
  trial.params = {{"x", x}};
  trial.request_id = request_id;
  return trial;
}

void ExpectSameConfig(const StudyConfig& actual, const StudyConfig& expected) {
  ASSERT_EQ(actual.parameters.size(), expected.parameters.size());
  for (size_t i = 0; i < expected.parameters.size(); ++i) {
    const ParameterSpec& a = actual.parameters[i];
    const ParameterSpec& e = expected.parameters[i];
    EXPECT_EQ(a.name, e.name) << "parameters[" << i << "]";
    EXPECT_EQ(a.domain.index(), e.domain.index())
        << "domain kind of " << e.name;
    EXPECT_TRUE(a.domain == e.domain) << "domain of " << e.name;
    EXPECT_TRUE(a.condition == e.condition) << "condition of " << e.name;
  }
  ASSERT_EQ(actual.objectives.size(), expected.objectives.size());
  for (size_t i = 0; i < expected.objectives.size(); ++i) {
    EXPECT_EQ(actual.objectives[i].metric, expected.objectives[i].metric);
    EXPECT_TRUE(actual.objectives[i].direction ==
                expected.objectives[i].direction)
        << "direction of " << expected.objectives[i].metric;
  }
  EXPECT_EQ(actual.extra_metrics, expected.extra_metrics);
  EXPECT_EQ(actual.constraints, expected.constraints);
  EXPECT_EQ(actual.sampler.name, expected.sampler.name);
  EXPECT_EQ(actual.sampler.options, expected.sampler.options);
  EXPECT_EQ(actual.pruner.name, expected.pruner.name);
  EXPECT_EQ(actual.pruner.options, expected.pruner.options);
  EXPECT_EQ(actual.seed, expected.seed);
  EXPECT_EQ(actual.stopping.max_trials, expected.stopping.max_trials);
  EXPECT_EQ(actual.stopping.max_failed_trials,
            expected.stopping.max_failed_trials);
  EXPECT_EQ(actual.stopping.max_wall_time, expected.stopping.max_wall_time);
  EXPECT_EQ(actual.stopping.target_value, expected.stopping.target_value);
  EXPECT_EQ(actual.stopping.patience, expected.stopping.patience);
  EXPECT_EQ(actual.lease_duration, expected.lease_duration);
  EXPECT_TRUE(actual == expected);
}

void ExpectSameStudy(const Study& actual, const Study& expected) {
  SCOPED_TRACE(::testing::Message() << "study " << expected.name);
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.name, expected.name);
  ExpectSameConfig(actual.config, expected.config);
  EXPECT_EQ(StudyStateName(actual.state), StudyStateName(expected.state));
  EXPECT_EQ(actual.state_reason, expected.state_reason);
  EXPECT_EQ(actual.metadata, expected.metadata);
  EXPECT_EQ(actual.create_time, expected.create_time);
  EXPECT_EQ(actual.update_time, expected.update_time);
  EXPECT_EQ(actual.sequence, expected.sequence);
  EXPECT_EQ(actual.next_trial_number, expected.next_trial_number);
  // Sizes first: a failure need not print a large state.
  EXPECT_EQ(actual.sampler_state.size(), expected.sampler_state.size());
  EXPECT_TRUE(actual.sampler_state == expected.sampler_state);
}

void ExpectSameTrials(const std::vector<Trial>& actual,
                      const std::vector<Trial>& expected) {
  ASSERT_EQ(NumbersOf(actual), NumbersOf(expected));
  for (size_t i = 0; i < expected.size(); ++i) {
    ExpectSameTrial(actual[i], expected[i]);
  }
}

void ExpectSameTrial(const Trial& actual, const Trial& expected) {
  SCOPED_TRACE(::testing::Message()
               << "trial id " << expected.id << ", number " << expected.number);
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.study_id, expected.study_id);
  EXPECT_EQ(actual.number, expected.number);
  EXPECT_EQ(TrialStateName(actual.state), TrialStateName(expected.state));
  EXPECT_EQ(actual.params, expected.params);
  EXPECT_EQ(actual.values, expected.values);
  EXPECT_EQ(actual.metrics, expected.metrics);
  ASSERT_EQ(actual.intermediate_values.size(),
            expected.intermediate_values.size());
  for (size_t i = 0; i < expected.intermediate_values.size(); ++i) {
    const IntermediateValue& a = actual.intermediate_values[i];
    const IntermediateValue& e = expected.intermediate_values[i];
    EXPECT_EQ(a.step, e.step) << "intermediate value " << i;
    EXPECT_EQ(a.metric, e.metric) << "intermediate value " << i;
    EXPECT_EQ(a.value, e.value) << "intermediate value " << i;
    EXPECT_EQ(a.request_id, e.request_id) << "intermediate value " << i;
    EXPECT_EQ(a.should_prune, e.should_prune) << "intermediate value " << i;
    EXPECT_EQ(a.prune_reason, e.prune_reason) << "intermediate value " << i;
  }
  EXPECT_EQ(actual.worker_id, expected.worker_id);
  EXPECT_EQ(actual.environment, expected.environment);
  EXPECT_EQ(actual.fail_reason, expected.fail_reason);
  EXPECT_EQ(actual.create_time, expected.create_time);
  EXPECT_EQ(actual.start_time, expected.start_time);
  EXPECT_EQ(actual.end_time, expected.end_time);
  EXPECT_EQ(actual.lease_deadline, expected.lease_deadline);
  EXPECT_EQ(actual.sequence, expected.sequence);
  EXPECT_EQ(actual.enqueue_request_id, expected.enqueue_request_id);
  EXPECT_EQ(actual.retry_of, expected.retry_of);
  EXPECT_EQ(actual.suggest_request_id, expected.suggest_request_id);
  EXPECT_EQ(actual.complete_request_id, expected.complete_request_id);
}

std::vector<int64_t> NumbersOf(const std::vector<Trial>& trials) {
  std::vector<int64_t> numbers;
  for (const Trial& trial : trials) numbers.push_back(trial.number);
  return numbers;
}

std::vector<int64_t> IdsOf(const std::vector<Trial>& trials) {
  std::vector<int64_t> ids;
  for (const Trial& trial : trials) ids.push_back(trial.id);
  return ids;
}

}  // namespace knob::testing

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "pqxx/result"
#include "tests/analysts/query_checks.h"

namespace knob::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

std::optional<std::string> Nullable(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::string>();
}

}  // namespace

void CheckSearchSpace(const ExampleStudies& plan, const pqxx::result& result) {
  EXPECT_THAT(ColumnNames(result),
              ElementsAre("position", "name", "kind", "min_value", "max_value",
                          "log_scale", "step", "choices", "condition_parent",
                          "condition_values"));
  std::vector<std::string> names, kinds;
  for (const auto& row : result) {
    names.push_back(row["name"].as<std::string>());
    kinds.push_back(row["kind"].as<std::string>());
  }
  EXPECT_THAT(names, ElementsAre("learning_rate", "layers", "optimizer",
                                 "momentum", "batch_size", "epochs"));
  EXPECT_THAT(kinds, ElementsAre("float", "int", "categorical", "float",
                                 "categorical", "fixed"));
  ASSERT_EQ(result.size(), 6);
  EXPECT_TRUE(result[0]["log_scale"].as<bool>());
  EXPECT_DOUBLE_EQ(result[0]["min_value"].as<double>(), 1e-4);
  EXPECT_EQ(result[1]["step"].as<std::string>(), "1");
  EXPECT_EQ(nlohmann::json::parse(result[2]["choices"].as<std::string>()),
            nlohmann::json({"sgd", "adam"}));
  EXPECT_EQ(result[3]["condition_parent"].as<std::string>(), "optimizer");
  EXPECT_EQ(
      nlohmann::json::parse(result[3]["condition_values"].as<std::string>()),
      nlohmann::json({"sgd"}));
  EXPECT_TRUE(result[2]["condition_parent"].is_null());
  EXPECT_EQ(nlohmann::json::parse(result[4]["choices"].as<std::string>()),
            nlohmann::json({"32", "64", "128"}));
}

void CheckTrialParameters(const ExampleStudies& plan,
                          const pqxx::result& result) {
  EXPECT_THAT(ColumnNames(result),
              ElementsAre("name", "kind", "float_value", "int_value",
                          "bool_value", "label"));
  const MlpTrial& trial = plan.mlp.at(1);
  ASSERT_EQ(trial.optimizer, "sgd");
  ASSERT_EQ(result.size(), 6);
  auto expect_row = [&](int i, const std::string& name,
                        const std::string& kind) {
    EXPECT_EQ(result[i]["name"].as<std::string>(), name);
    EXPECT_EQ(result[i]["kind"].as<std::string>(), kind);
    EXPECT_EQ(result[i]["float_value"].is_null(), kind != "double") << name;
    EXPECT_EQ(result[i]["int_value"].is_null(), kind != "int") << name;
    EXPECT_TRUE(result[i]["bool_value"].is_null()) << name;
  };
  expect_row(0, "batch_size", "int");
  expect_row(1, "epochs", "int");
  expect_row(2, "layers", "int");
  expect_row(3, "learning_rate", "double");
  expect_row(4, "momentum", "double");
  expect_row(5, "optimizer", "string");
  EXPECT_EQ(result[0]["int_value"].as<int64_t>(), trial.batch_size);
  EXPECT_EQ(result[0]["label"].as<std::string>(),
            absl::StrCat(trial.batch_size));
  EXPECT_EQ(result[1]["int_value"].as<int64_t>(), 20);
  EXPECT_EQ(result[2]["int_value"].as<int64_t>(), trial.layers);
  EXPECT_EQ(result[3]["float_value"].as<double>(), trial.learning_rate);
  EXPECT_EQ(result[4]["float_value"].as<double>(), *trial.momentum);
  EXPECT_EQ(result[5]["label"].as<std::string>(), "sgd");
}

void CheckTrialsPerState(const ExampleStudies& plan,
                         const pqxx::result& result) {
  EXPECT_THAT(ColumnNames(result),
              ElementsAre("study_name", "state", "trials"));
  std::map<std::pair<std::string, std::string>, int64_t> expected;
  for (const MlpTrial& trial : plan.mlp) {
    ++expected[{"mnist-mlp", StateName(trial.outcome)}];
  }
  for (const TradeoffTrial& trial : plan.tradeoff) {
    ++expected[{"mnist-tradeoff", StateName(trial.outcome)}];
  }
  std::vector<std::tuple<std::string, std::string, int64_t>> rows;
  for (const auto& row : result) {
    rows.emplace_back(row["study_name"].as<std::string>(),
                      row["state"].as<std::string>(),
                      row["trials"].as<int64_t>());
  }
  std::vector<std::tuple<std::string, std::string, int64_t>> expected_rows;
  for (const auto& [key, count] : expected) {
    expected_rows.emplace_back(key.first, key.second, count);
  }
  EXPECT_THAT(rows, ElementsAreArray(expected_rows));
}

void CheckStudyOverview(const ExampleStudies& plan,
                        const pqxx::result& result) {
  EXPECT_THAT(ColumnNames(result),
              ElementsAre("study_name", "state", "trials", "waiting", "running",
                          "completed", "pruned", "failed", "stale", "metric",
                          "direction", "best_value", "best_trial_number"));
  ASSERT_EQ(result.size(), 2);
  const auto mlp = result[0];
  EXPECT_EQ(mlp["study_name"].as<std::string>(), "mnist-mlp");
  EXPECT_EQ(mlp["state"].as<std::string>(), "RUNNING");
  EXPECT_EQ(mlp["trials"].as<int64_t>(), 27);
  EXPECT_EQ(mlp["waiting"].as<int64_t>(), 1);
  EXPECT_EQ(mlp["running"].as<int64_t>(), 1);
  EXPECT_EQ(mlp["completed"].as<int64_t>(), 20);
  EXPECT_EQ(mlp["pruned"].as<int64_t>(), 2);
  EXPECT_EQ(mlp["failed"].as<int64_t>(), 3);
  EXPECT_EQ(mlp["stale"].as<int64_t>(), 0);
  EXPECT_EQ(mlp["metric"].as<std::string>(), "val_loss");
  EXPECT_EQ(mlp["direction"].as<std::string>(), "minimize");
  const MlpTrial& best = *RankedFeasible(plan).front();
  EXPECT_EQ(mlp["best_value"].as<double>(), best.val_loss);
  EXPECT_EQ(mlp["best_trial_number"].as<int64_t>(), best.number);

  const auto tradeoff = result[1];
  EXPECT_EQ(tradeoff["study_name"].as<std::string>(), "mnist-tradeoff");
  EXPECT_EQ(tradeoff["completed"].as<int64_t>(), 9);
  EXPECT_EQ(tradeoff["failed"].as<int64_t>(), 1);
  EXPECT_EQ(tradeoff["direction"].as<std::string>(), "maximize");
  EXPECT_EQ(tradeoff["best_value"].as<double>(), 0.99);
  EXPECT_EQ(tradeoff["best_trial_number"].as<int64_t>(), 9);
}

void CheckBestTrials(const ExampleStudies& plan, const pqxx::result& result) {
  EXPECT_THAT(ColumnNames(result),
              ElementsAre("study_name", "metric", "direction", "trial_number",
                          "value", "params"));
  ASSERT_EQ(result.size(), 2);
  const MlpTrial& best = *RankedFeasible(plan).front();
  // The data must make feasibility matter: a lower, infeasible value exists.
  const auto lower_infeasible = std::find_if(
      plan.mlp.begin(), plan.mlp.end(), [&](const MlpTrial& trial) {
        return trial.outcome == Outcome::kCompleted && !trial.feasible() &&
               trial.val_loss < best.val_loss;
      });
  ASSERT_NE(lower_infeasible, plan.mlp.end());

  EXPECT_EQ(result[0]["study_name"].as<std::string>(), "mnist-mlp");
  EXPECT_EQ(result[0]["trial_number"].as<int64_t>(), best.number);
  EXPECT_EQ(result[0]["value"].as<double>(), best.val_loss);
  const nlohmann::json params =
      nlohmann::json::parse(result[0]["params"].as<std::string>());
  EXPECT_EQ(params["optimizer"], best.optimizer);
  EXPECT_EQ(params["layers"], best.layers);
  EXPECT_EQ(params["learning_rate"].get<double>(), best.learning_rate);

  EXPECT_EQ(result[1]["study_name"].as<std::string>(), "mnist-tradeoff");
  EXPECT_EQ(result[1]["metric"].as<std::string>(), "accuracy");
  EXPECT_EQ(result[1]["trial_number"].as<int64_t>(), 9);
  EXPECT_EQ(result[1]["value"].as<double>(), 0.99);
}

void CheckConstraintViolations(const ExampleStudies& plan,
                               const pqxx::result& result) {
  EXPECT_THAT(
      ColumnNames(result),
      ElementsAre("trial_number", "metric", "comparison", "bound", "reported"));
  std::vector<int64_t> expected, numbers;
  for (const MlpTrial& trial : plan.mlp) {
    if (trial.outcome == Outcome::kCompleted && !trial.feasible()) {
      expected.push_back(trial.number);
    }
  }
  ASSERT_FALSE(expected.empty());
  for (const auto& row : result) {
    numbers.push_back(row["trial_number"].as<int64_t>());
    EXPECT_EQ(row["metric"].as<std::string>(), "latency_ms");
    EXPECT_EQ(row["comparison"].as<std::string>(), "<=");
    EXPECT_EQ(row["bound"].as<double>(), 50);
    EXPECT_EQ(row["reported"].as<double>(),
              plan.mlp.at(row["trial_number"].as<int64_t>()).latency_ms);
  }
  EXPECT_EQ(numbers, expected);
}

void CheckEnvironmentDiff(const ExampleStudies& plan,
                          const pqxx::result& result) {
  EXPECT_THAT(ColumnNames(result), ElementsAre("key", "trial_0", "trial_13"));
  const auto& a = plan.mlp.at(0).environment;
  const auto& b = plan.mlp.at(13).environment;
  using Row = std::tuple<std::string, std::optional<std::string>,
                         std::optional<std::string>>;
  std::set<std::string> keys;
  for (const auto& [key, value] : a) keys.insert(key);
  for (const auto& [key, value] : b) keys.insert(key);
  std::vector<Row> expected;
  auto lookup = [](const std::map<std::string, std::string>& environment,
                   const std::string& key) -> std::optional<std::string> {
    auto it = environment.find(key);
    if (it == environment.end()) return std::nullopt;
    return it->second;
  };
  for (const std::string& key : keys) {
    if (lookup(a, key) != lookup(b, key)) {
      expected.emplace_back(key, lookup(a, key), lookup(b, key));
    }
  }
  // Equal keys exist, so that leaving them out is tested.
  ASSERT_LT(expected.size(), keys.size());
  std::vector<Row> rows;
  for (const auto& row : result) {
    rows.emplace_back(row["key"].as<std::string>(), Nullable(row["trial_0"]),
                      Nullable(row["trial_13"]));
  }
  EXPECT_THAT(rows, ElementsAreArray(expected));
}

void CheckLearningCurves(const ExampleStudies& plan,
                         const pqxx::result& result) {
  EXPECT_THAT(ColumnNames(result), ElementsAre("trial_number", "state", "step",
                                               "value", "should_prune"));
  using Row = std::tuple<int64_t, std::string, int64_t, double, bool>;
  std::vector<Row> expected;
  for (const MlpTrial& trial : plan.mlp) {
    for (size_t i = 0; i < trial.curve.size(); ++i) {
      expected.emplace_back(
          trial.number, StateName(trial.outcome), i + 1, trial.curve[i],
          trial.outcome == Outcome::kPruned && i + 1 == trial.curve.size());
    }
  }
  std::vector<Row> rows;
  for (const auto& row : result) {
    rows.emplace_back(row["trial_number"].as<int64_t>(),
                      row["state"].as<std::string>(), row["step"].as<int64_t>(),
                      row["value"].as<double>(),
                      row["should_prune"].as<bool>());
  }
  EXPECT_THAT(rows, ElementsAreArray(expected));
}

void CheckPrunedLastStep(const ExampleStudies& plan,
                         const pqxx::result& result) {
  EXPECT_THAT(ColumnNames(result),
              ElementsAre("trial_number", "last_step", "last_value",
                          "should_prune", "prune_reason"));
  std::vector<const MlpTrial*> pruned;
  for (const MlpTrial& trial : plan.mlp) {
    if (trial.outcome == Outcome::kPruned) pruned.push_back(&trial);
  }
  ASSERT_EQ(result.size(), pruned.size());
  for (size_t i = 0; i < pruned.size(); ++i) {
    EXPECT_EQ(result[i]["trial_number"].as<int64_t>(), pruned[i]->number);
    EXPECT_EQ(result[i]["last_step"].as<size_t>(), pruned[i]->curve.size());
    EXPECT_EQ(result[i]["last_value"].as<double>(), pruned[i]->curve.back());
    EXPECT_TRUE(result[i]["should_prune"].as<bool>());
    EXPECT_THAT(result[i]["prune_reason"].as<std::string>(),
                HasSubstr("above the upper bound 1"));
  }
}

}  // namespace knob::testing

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "pqxx/result"
#include "tests/analysts/query_checks.h"

namespace knob::testing {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

// round(numerator / denominator, decimals) as PostgreSQL rounds a numeric
// (half away from zero), for non-negative integers.
double RoundedRatio(int64_t numerator, int64_t denominator, int decimals) {
  const int64_t scale = static_cast<int64_t>(std::pow(10, decimals));
  const int64_t units =
      (2 * numerator * scale + denominator) / (2 * denominator);
  return static_cast<double>(units) / scale;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double Pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = x.size();
  double mean_x = 0, mean_y = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    mean_x += x[i] / n;
    mean_y += y[i] / n;
  }
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mean_x) * (y[i] - mean_y);
    sxx += (x[i] - mean_x) * (x[i] - mean_x);
    syy += (y[i] - mean_y) * (y[i] - mean_y);
  }
  return sxy / std::sqrt(sxx * syy);
}

}  // namespace

void CheckTopDecileParameters(const ExampleStudies& plan,
                              const pqxx::result& result) {
  EXPECT_THAT(ColumnNames(result),
              ElementsAre("name", "kind", "trials", "min_value", "median_value",
                          "max_value", "label_counts"));
  std::vector<const MlpTrial*> top = RankedFeasible(plan);
  top.resize((top.size() + 9) / 10);
  ASSERT_EQ(top.size(), 2u);

  std::map<std::string, std::vector<double>> numbers;
  std::map<std::string, std::map<std::string, int>> labels;
  for (const MlpTrial* trial : top) {
    numbers["learning_rate"].push_back(trial->learning_rate);
    numbers["layers"].push_back(trial->layers);
    if (trial->momentum) numbers["momentum"].push_back(*trial->momentum);
    ++labels["optimizer"][trial->optimizer];
    ++labels["batch_size"][absl::StrCat(trial->batch_size)];
    ++labels["epochs"][absl::StrCat(trial->epochs)];
  }
  std::vector<std::string> names;
  for (const auto& row : result) {
    const std::string name = row["name"].as<std::string>();
    names.push_back(name);
    if (numbers.contains(name)) {
      const std::vector<double>& values = numbers[name];
      EXPECT_EQ(row["trials"].as<size_t>(), values.size()) << name;
      EXPECT_EQ(row["min_value"].as<double>(),
                *std::min_element(values.begin(), values.end()))
          << name;
      EXPECT_THAT(row["median_value"].as<double>(),
                  DoubleNear(Median(values), 1e-12))
          << name;
      EXPECT_EQ(row["max_value"].as<double>(),
                *std::max_element(values.begin(), values.end()))
          << name;
      EXPECT_TRUE(row["label_counts"].is_null()) << name;
    } else {
      EXPECT_EQ(row["trials"].as<size_t>(), top.size()) << name;
      EXPECT_TRUE(row["min_value"].is_null()) << name;
      EXPECT_EQ(nlohmann::json::parse(row["label_counts"].as<std::string>()),
                nlohmann::json(labels[name]))
          << name;
    }
  }
  std::vector<std::string> expected_names = {"learning_rate", "layers",
                                             "optimizer"};
  if (numbers.contains("momentum")) expected_names.push_back("momentum");
  expected_names.push_back("batch_size");
  expected_names.push_back("epochs");
  EXPECT_EQ(names, expected_names);
}

void CheckParameterCorrelation(const ExampleStudies& plan,
                               const pqxx::result& result) {
  EXPECT_THAT(ColumnNames(result),
              ElementsAre("name", "log_scale", "trials", "pearson"));
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>>
      samples;
  for (const MlpTrial& trial : plan.mlp) {
    if (trial.outcome != Outcome::kCompleted) continue;
    auto add = [&](const std::string& name, double x) {
      samples[name].first.push_back(x);
      samples[name].second.push_back(trial.val_loss);
    };
    add("learning_rate", std::log(trial.learning_rate));
    add("layers", trial.layers);
    if (trial.momentum) add("momentum", *trial.momentum);
  }
  ASSERT_EQ(result.size(), 3);
  const std::vector<std::string> order = {"learning_rate", "layers",
                                          "momentum"};
  for (int i = 0; i < 3; ++i) {
    const auto& [x, y] = samples[order[i]];
    EXPECT_EQ(result[i]["name"].as<std::string>(), order[i]);
    EXPECT_EQ(result[i]["log_scale"].as<bool>(), i == 0);
    EXPECT_EQ(result[i]["trials"].as<size_t>(), x.size());
    EXPECT_THAT(result[i]["pearson"].as<double>(),
                DoubleNear(Pearson(x, y), 1e-9))
        << order[i];
  }
}

void CheckTrialDurations(const ExampleStudies& plan,
                         const pqxx::result& result) {
  EXPECT_THAT(ColumnNames(result),
              ElementsAre("state", "trials", "mean_seconds", "median_seconds",
                          "max_seconds", "mean_queue_seconds"));
  std::map<std::string, std::vector<int64_t>> runs, queues;
  for (const MlpTrial& trial : plan.mlp) {
    if (trial.outcome == Outcome::kRunning ||
        trial.outcome == Outcome::kWaiting) {
      continue;
    }
    runs[StateName(trial.outcome)].push_back(
        absl::ToInt64Seconds(trial.run_time));
    queues[StateName(trial.outcome)].push_back(
        absl::ToInt64Seconds(trial.queue_time));
  }
  std::vector<std::string> states;
  for (const auto& row : result) {
    const std::string state = row["state"].as<std::string>();
    states.push_back(state);
    const std::vector<int64_t>& run = runs[state];
    const std::vector<int64_t>& queue = queues[state];
    int64_t run_sum = 0, queue_sum = 0;
    for (int64_t s : run) run_sum += s;
    for (int64_t s : queue) queue_sum += s;
    const int64_t n = run.size();
    EXPECT_EQ(row["trials"].as<int64_t>(), n) << state;
    EXPECT_EQ(row["mean_seconds"].as<double>(), RoundedRatio(run_sum, n, 1))
        << state;
    EXPECT_EQ(row["median_seconds"].as<double>(),
              Median(std::vector<double>(run.begin(), run.end())))
        << state;
    EXPECT_EQ(row["max_seconds"].as<double>(),
              *std::max_element(run.begin(), run.end()))
        << state;
    EXPECT_EQ(row["mean_queue_seconds"].as<double>(),
              RoundedRatio(queue_sum, n, 1))
        << state;
  }
  EXPECT_THAT(states, ElementsAre("COMPLETED", "FAILED", "PRUNED"));
}

void CheckFailureRateByWorker(const ExampleStudies& plan,
                              const pqxx::result& result) {
  EXPECT_THAT(
      ColumnNames(result),
      ElementsAre("worker_id", "finished", "failed", "stale", "failure_rate"));
  std::map<std::string, std::pair<int64_t, int64_t>>
      counts;  // finished, failed
  auto add = [&](const std::string& worker, Outcome outcome) {
    if (outcome == Outcome::kRunning || outcome == Outcome::kWaiting) return;
    ++counts[worker].first;
    if (outcome == Outcome::kFailed) ++counts[worker].second;
  };
  for (const MlpTrial& trial : plan.mlp) add(trial.worker_id, trial.outcome);
  for (const TradeoffTrial& trial : plan.tradeoff) {
    add(trial.worker_id, trial.outcome);
  }
  using Row = std::tuple<std::string, int64_t, int64_t, double>;
  std::vector<Row> expected;
  for (const auto& [worker, count] : counts) {
    expected.emplace_back(worker, count.first, count.second,
                          RoundedRatio(count.second, count.first, 3));
  }
  std::stable_sort(expected.begin(), expected.end(),
                   [](const Row& a, const Row& b) {
                     return std::get<3>(a) > std::get<3>(b);
                   });
  std::vector<Row> rows;
  for (const auto& row : result) {
    EXPECT_EQ(row["stale"].as<int64_t>(), 0);
    rows.emplace_back(
        row["worker_id"].as<std::string>(), row["finished"].as<int64_t>(),
        row["failed"].as<int64_t>(), row["failure_rate"].as<double>());
  }
  EXPECT_THAT(rows, ElementsAreArray(expected));
}

void CheckBestSoFar(const ExampleStudies& plan, const pqxx::result& result) {
  EXPECT_THAT(ColumnNames(result),
              ElementsAre("trial_number", "end_time", "value", "best_so_far"));
  using Row = std::tuple<int64_t, double, double>;
  std::vector<Row> expected;
  double best = 0;
  // Trials end in number order in the plan.
  for (const MlpTrial& trial : plan.mlp) {
    if (trial.outcome != Outcome::kCompleted || !trial.feasible()) continue;
    best = expected.empty() ? trial.val_loss : std::min(best, trial.val_loss);
    expected.emplace_back(trial.number, trial.val_loss, best);
  }
  std::vector<Row> rows;
  for (const auto& row : result) {
    rows.emplace_back(row["trial_number"].as<int64_t>(),
                      row["value"].as<double>(),
                      row["best_so_far"].as<double>());
  }
  EXPECT_THAT(rows, ElementsAreArray(expected));
  EXPECT_EQ(best, RankedFeasible(plan).front()->val_loss);
}

void CheckParetoFront(const ExampleStudies& plan, const pqxx::result& result) {
  EXPECT_THAT(ColumnNames(result),
              ElementsAre("trial_number", "objectives", "params"));
  std::vector<const TradeoffTrial*> completed;
  for (const TradeoffTrial& trial : plan.tradeoff) {
    if (trial.outcome == Outcome::kCompleted) completed.push_back(&trial);
  }
  // accuracy is maximized, latency_ms minimized.
  auto dominates = [](const TradeoffTrial& a, const TradeoffTrial& b) {
    return a.accuracy >= b.accuracy && a.latency_ms <= b.latency_ms &&
           (a.accuracy > b.accuracy || a.latency_ms < b.latency_ms);
  };
  std::vector<int64_t> expected;
  for (const TradeoffTrial* candidate : completed) {
    if (std::none_of(completed.begin(), completed.end(),
                     [&](const TradeoffTrial* other) {
                       return dominates(*other, *candidate);
                     })) {
      expected.push_back(candidate->number);
    }
  }
  EXPECT_THAT(expected, ElementsAre(0, 1, 3, 6, 7, 9));
  std::vector<int64_t> numbers;
  for (const auto& row : result) {
    const int64_t number = row["trial_number"].as<int64_t>();
    numbers.push_back(number);
    const TradeoffTrial& trial = plan.tradeoff.at(number);
    EXPECT_EQ(nlohmann::json::parse(row["objectives"].as<std::string>()),
              nlohmann::json({{"accuracy", trial.accuracy},
                              {"latency_ms", trial.latency_ms}}));
  }
  EXPECT_EQ(numbers, expected);
}

}  // namespace knob::testing

#include "server/importance/regression_forest.h"

#include <atomic>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "absl/random/distributions.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace knob::importance {
namespace {

// Rows of two numeric features in [0, 1] and one categorical feature of
// three categories; the target is 10 * [x > 0.3] + 4 * (category == 2).
TrainingSet StepData(int rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  TrainingSet data;
  data.features = {FeatureSpace{0, 1}, FeatureSpace{0, 1},
                   FeatureSpace{.category_count = 3}};
  data.columns.resize(3);
  for (int i = 0; i < rows; ++i) {
    const double x = absl::Uniform(rng, 0.0, 1.0);
    const double y = absl::Uniform(rng, 0.0, 1.0);
    const int category = absl::Uniform(rng, 0, 3);
    data.columns[0].push_back(x);
    data.columns[1].push_back(y);
    data.columns[2].push_back(category);
    data.targets.push_back(10.0 * (x > 0.3) + 4.0 * (category == 2));
  }
  return data;
}

std::vector<double> Row(const TrainingSet& data, int i) {
  std::vector<double> row;
  for (const std::vector<double>& column : data.columns) {
    row.push_back(column[i]);
  }
  return row;
}

TEST(RegressionForest, FullyGrownTreesWithoutBootstrapReproduceTheTargets) {
  const TrainingSet data = StepData(80, 1);
  const std::vector<RegressionTree> forest =
      FitForest(data, {.num_trees = 3, .bootstrap = false, .seed = 5});
  ASSERT_EQ(forest.size(), 3u);
  for (const RegressionTree& tree : forest) {
    for (int i = 0; i < data.rows(); ++i) {
      EXPECT_DOUBLE_EQ(Predict(tree, Row(data, i)), data.targets[i]) << i;
    }
  }
}

TEST(RegressionForest, ACancelledFitStopsBeforeTheNextTree) {
  const std::atomic<bool> cancelled = true;
  EXPECT_TRUE(
      FitForest(StepData(40, 1), {.num_trees = 8, .cancelled = &cancelled})
          .empty());
}

TEST(RegressionForest, LearnsAThresholdAndACategoryOnUnseenPoints) {
  const TrainingSet data = StepData(200, 2);
  const std::vector<RegressionTree> forest =
      FitForest(data, {.num_trees = 16, .seed = 3});
  const TrainingSet unseen = StepData(100, 99);
  for (int i = 0; i < unseen.rows(); ++i) {
    // Stay clear of the step, where the learned threshold may differ.
    if (std::abs(unseen.columns[0][i] - 0.3) < 0.02) continue;
    double sum = 0;
    for (const RegressionTree& tree : forest)
      sum += Predict(tree, Row(unseen, i));
    EXPECT_NEAR(sum / forest.size(), unseen.targets[i], 0.5) << i;
  }
}

TEST(RegressionForest, ACategoryNoRowHadFollowsTheHeavierSide) {
  TrainingSet data;
  data.features = {FeatureSpace{.category_count = 3}};
  // Category 1 never occurs; category 0 has three rows, category 2 one.
  data.columns = {{0, 0, 0, 2}};
  data.targets = {1, 1, 1, 5};
  const std::vector<RegressionTree> forest =
      FitForest(data, {.num_trees = 1, .bootstrap = false});
  EXPECT_DOUBLE_EQ(Predict(forest[0], std::vector<double>{1}), 1);
  EXPECT_DOUBLE_EQ(Predict(forest[0], std::vector<double>{2}), 5);
}

// `tree` with every leaf predicting its own index, so that Predict names the
// leaf a row falls into: two leaves may well predict the same mean.
RegressionTree LeavesNumbered(RegressionTree tree) {
  for (size_t n = 0; n < tree.nodes.size(); ++n) {
    if (tree.nodes[n].leaf()) tree.nodes[n].value = static_cast<double>(n);
  }
  return tree;
}

TEST(RegressionForest, DepthAndLeafSizeLimitTheTree) {
  const TrainingSet data = StepData(100, 4);
  const std::vector<RegressionTree> stump =
      FitForest(data, {.num_trees = 1, .max_depth = 1});
  EXPECT_EQ(stump[0].nodes.size(), 3u);
  const std::vector<RegressionTree> coarse = FitForest(
      data, {.num_trees = 1, .min_samples_leaf = 30, .bootstrap = false});
  ASSERT_GT(coarse[0].nodes.size(), 1u);
  const RegressionTree numbered = LeavesNumbered(coarse[0]);
  std::map<int, int> rows_per_leaf;
  for (int i = 0; i < data.rows(); ++i) {
    ++rows_per_leaf[static_cast<int>(Predict(numbered, Row(data, i)))];
  }
  for (const auto& [leaf, rows] : rows_per_leaf) EXPECT_GE(rows, 30) << leaf;
}

TEST(RegressionForest, TheSameSeedGrowsTheSameForest) {
  const TrainingSet data = StepData(120, 6);
  const std::vector<RegressionTree> first =
      FitForest(data, {.num_trees = 8, .seed = 11});
  const std::vector<RegressionTree> second =
      FitForest(data, {.num_trees = 8, .seed = 11});
  const std::vector<RegressionTree> other =
      FitForest(data, {.num_trees = 8, .seed = 12});
  bool differs = false;
  for (size_t t = 0; t < first.size(); ++t) {
    ASSERT_EQ(first[t].nodes.size(), second[t].nodes.size());
    for (size_t n = 0; n < first[t].nodes.size(); ++n) {
      EXPECT_EQ(first[t].nodes[n].feature, second[t].nodes[n].feature);
      EXPECT_EQ(first[t].nodes[n].threshold, second[t].nodes[n].threshold);
      EXPECT_EQ(first[t].nodes[n].value, second[t].nodes[n].value);
    }
    differs = differs || first[t].nodes.size() != other[t].nodes.size() ||
              first[t].nodes[0].threshold != other[t].nodes[0].threshold;
  }
  EXPECT_TRUE(differs) << "another seed should draw other bootstrap samples";
}

}  // namespace
}  // namespace knob::importance

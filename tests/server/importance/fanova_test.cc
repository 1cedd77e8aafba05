#include "server/importance/fanova.h"

#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace knob::importance {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::Optional;

// Trees built by hand: Split turns a node into a split with two new leaves.
class HandBuiltTree final {
 public:
  HandBuiltTree() { tree_.nodes.emplace_back(); }
  // Turns `node` into a numeric split; returns {left, right}.
  std::pair<int, int> Split(int node, int feature, double threshold) {
    tree_.nodes[node].feature = feature;
    tree_.nodes[node].threshold = threshold;
    return Children(node);
  }
  std::pair<int, int> SplitCategories(int node, int feature,
                                      std::vector<bool> left) {
    tree_.nodes[node].feature = feature;
    tree_.nodes[node].left_categories = std::move(left);
    return Children(node);
  }
  void Leaf(int node, double value) { tree_.nodes[node].value = value; }
  const RegressionTree& tree() const { return tree_; }

 private:
  std::pair<int, int> Children(int node) {
    const int left = static_cast<int>(tree_.nodes.size());
    tree_.nodes.emplace_back();
    tree_.nodes.emplace_back();
    tree_.nodes[node].left = left;
    tree_.nodes[node].right = left + 1;
    return {left, left + 1};
  }
  RegressionTree tree_;
};

// A tree with one numeric split: `low` where `feature` <= `threshold`, else
// `high`.
RegressionTree OneSplit(int feature, double threshold, double low,
                        double high) {
  HandBuiltTree builder;
  auto [left, right] = builder.Split(0, feature, threshold);
  builder.Leaf(left, low);
  builder.Leaf(right, high);
  return builder.tree();
}

// A tree that splits x at 0.5, then y at 0.5 on each side; the leaves are
// named by the side of x, then the side of y.
RegressionTree Quadrants(double low_low, double low_high, double high_low,
                         double high_high) {
  HandBuiltTree builder;
  auto [left, right] = builder.Split(0, 0, 0.5);
  auto [left_low, left_high] = builder.Split(left, 1, 0.5);
  auto [right_low, right_high] = builder.Split(right, 1, 0.5);
  builder.Leaf(left_low, low_low);
  builder.Leaf(left_high, low_high);
  builder.Leaf(right_low, high_low);
  builder.Leaf(right_high, high_high);
  return builder.tree();
}

// A single leaf predicting `value` everywhere.
RegressionTree Constant(double value) {
  HandBuiltTree builder;
  builder.Leaf(0, value);
  return builder.tree();
}

const std::vector<FeatureSpace> kUnitSquare = {FeatureSpace{0, 1},
                                               FeatureSpace{0, 1}};

TEST(Fanova, OneSplitPutsAllVarianceOnItsFeature) {
  // x <= 0.25 predicts 4 (a quarter of the space), else 0: mean 1,
  // variance 0.25 * 9 + 0.75 * 1 = 3.
  const TreeVariance variance =
      DecomposeTree(OneSplit(0, 0.25, 4, 0), kUnitSquare);
  EXPECT_DOUBLE_EQ(variance.total, 3);
  EXPECT_THAT(variance.main_effects,
              ElementsAre(DoubleNear(3, 1e-12), DoubleNear(0, 1e-12)));
}

TEST(Fanova, AnAdditiveTreeSplitsItsVarianceIntoBothMainEffects) {
  // f(x, y) = a(x) + b(y) with a = 0 | 2 (at x = 0.5) and b = 0 | 1 (at
  // y = 0.5): variances 1 and 0.25.
  const TreeVariance variance =
      DecomposeTree(Quadrants(0, 1, 2, 3), kUnitSquare);
  EXPECT_DOUBLE_EQ(variance.total, 1.25);
  EXPECT_THAT(variance.main_effects,
              ElementsAre(DoubleNear(1, 1e-12), DoubleNear(0.25, 1e-12)));
}

TEST(Fanova, APureInteractionHasNoMainEffects) {
  // XOR of x > 0.5 and y > 0.5: every marginal is flat.
  const TreeVariance variance =
      DecomposeTree(Quadrants(0, 1, 1, 0), kUnitSquare);
  EXPECT_DOUBLE_EQ(variance.total, 0.25);
  EXPECT_THAT(variance.main_effects,
              ElementsAre(DoubleNear(0, 1e-12), DoubleNear(0, 1e-12)));
}

TEST(Fanova, BoundsWeighTheCells) {
  // The same split at 0.25 over x in [0, 2]: the low cell is an eighth.
  const TreeVariance variance =
      DecomposeTree(OneSplit(0, 0.25, 8, 0), {FeatureSpace{0, 2}});
  // Mean 1, variance 1/8 * 49 + 7/8 * 1 = 7.
  EXPECT_DOUBLE_EQ(variance.total, 7);
  EXPECT_THAT(variance.main_effects, ElementsAre(DoubleNear(7, 1e-12)));
}

TEST(Fanova, EveryCategoryWeighsTheSame) {
  // Category 0 predicts 3, categories 1 and 2 predict 0: mean 1, variance
  // 1/3 * 4 + 2/3 * 1 = 2; the numeric feature is never split.
  HandBuiltTree builder;
  auto [chosen, others] = builder.SplitCategories(0, 1, {true, false, false});
  builder.Leaf(chosen, 3);
  builder.Leaf(others, 0);
  const TreeVariance variance = DecomposeTree(
      builder.tree(), {FeatureSpace{0, 1}, FeatureSpace{.category_count = 3}});
  EXPECT_DOUBLE_EQ(variance.total, 2);
  EXPECT_THAT(variance.main_effects,
              ElementsAre(DoubleNear(0, 1e-12), DoubleNear(2, 1e-12)));
}

TEST(Fanova, SharesAverageOverTheTreesThatVary) {
  const std::vector<RegressionTree> forest = {
      OneSplit(0, 0.5, 0, 1), OneSplit(1, 0.5, 0, 10), Constant(7)};
  // Each varying tree gives its feature a share of 1: the scale of the
  // trees' predictions does not matter, and the constant tree is skipped.
  EXPECT_THAT(
      MainEffectShares(forest, kUnitSquare),
      Optional(ElementsAre(DoubleNear(0.5, 1e-12), DoubleNear(0.5, 1e-12))));
}

TEST(Fanova, AForestOfConstantTreesHasNoShares) {
  EXPECT_EQ(
      MainEffectShares(std::vector<RegressionTree>{Constant(7)}, kUnitSquare),
      std::nullopt);
}

}  // namespace
}  // namespace knob::importance

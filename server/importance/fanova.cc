#include "server/importance/fanova.h"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace knob::importance {
namespace {

// The part of the space a node covers: an interval of each numeric feature
// and a set of categories of each categorical one.
struct Box {
  std::vector<double> low;
  std::vector<double> high;
  std::vector<std::vector<bool>> categories;
};

struct Leaf {
  double value = 0;
  // Share of the space the leaf covers; the leaves' volumes add up to 1.
  double volume = 0;
  Box box;
};

// Share of feature f's measure the box covers.
double Fraction(const Box& box, const FeatureSpace& space, size_t f) {
  if (space.categorical()) {
    const auto& members = box.categories[f];
    return static_cast<double>(
               std::count(members.begin(), members.end(), true)) /
           space.category_count;
  }
  return (box.high[f] - box.low[f]) / (space.high - space.low);
}

class LeafCollector final {
 public:
  LeafCollector(const RegressionTree& tree,
                absl::Span<const FeatureSpace> features)
      : tree_(tree), features_(features) {}

  std::vector<Leaf> Collect() {
    Box root;
    root.low.resize(features_.size());
    root.high.resize(features_.size());
    root.categories.resize(features_.size());
    for (size_t f = 0; f < features_.size(); ++f) {
      root.low[f] = features_[f].low;
      root.high[f] = features_[f].high;
      if (features_[f].categorical()) {
        root.categories[f].assign(features_[f].category_count, true);
      }
    }
    Visit(0, std::move(root));
    return std::move(leaves_);
  }

 private:
  void Visit(int index, Box box) {
    const TreeNode& node = tree_.nodes[index];
    if (node.leaf()) {
      double volume = 1;
      for (size_t f = 0; f < features_.size(); ++f) {
        volume *= Fraction(box, features_[f], f);
      }
      leaves_.push_back({node.value, volume, std::move(box)});
      return;
    }
    Box right = box;
    const int f = node.feature;
    if (features_[f].categorical()) {
      for (size_t c = 0; c < node.left_categories.size(); ++c) {
        if (node.left_categories[c]) {
          right.categories[f][c] = false;
        } else {
          box.categories[f][c] = false;
        }
      }
    } else {
      const double cut = std::clamp(node.threshold, box.low[f], box.high[f]);
      box.high[f] = cut;
      right.low[f] = cut;
    }
    Visit(node.left, std::move(box));
    Visit(node.right, std::move(right));
  }

  const RegressionTree& tree_;
  absl::Span<const FeatureSpace> features_;
  std::vector<Leaf> leaves_;
};

// Variance of values[c] weighted by sizes[c] (sizes add up to 1).
double WeightedVariance(const std::vector<double>& values,
                        const std::vector<double>& sizes) {
  double total_size = 0;
  double mean = 0;
  for (size_t c = 0; c < values.size(); ++c) {
    total_size += sizes[c];
    mean += sizes[c] * values[c];
  }
  if (total_size <= 0) return 0;
  mean /= total_size;
  double variance = 0;
  for (size_t c = 0; c < values.size(); ++c) {
    variance += sizes[c] * (values[c] - mean) * (values[c] - mean);
  }
  return variance / total_size;
}

// The marginal prediction of a numeric feature is constant between the
// tree's thresholds on it; each leaf adds its value, weighted by its share
// of the other features' space, to the cells its interval spans.
double NumericMainEffect(const RegressionTree& tree,
                         const std::vector<Leaf>& leaves,
                         const FeatureSpace& space, int f) {
  std::vector<double> edges = {space.low, space.high};
  for (const TreeNode& node : tree.nodes) {
    if (node.feature == f && node.threshold > space.low &&
        node.threshold < space.high) {
      edges.push_back(node.threshold);
    }
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  const size_t cells = edges.size() - 1;
  if (cells < 2) return 0;
  std::vector<double> change(cells + 1, 0);
  for (const Leaf& leaf : leaves) {
    const double fraction = Fraction(leaf.box, space, f);
    if (fraction <= 0) continue;
    const size_t first =
        std::lower_bound(edges.begin(), edges.end(), leaf.box.low[f]) -
        edges.begin();
    const size_t last =
        std::lower_bound(edges.begin(), edges.end(), leaf.box.high[f]) -
        edges.begin();
    const double share = leaf.value * leaf.volume / fraction;
    change[first] += share;
    change[last] -= share;
  }
  std::vector<double> marginal(cells);
  std::vector<double> sizes(cells);
  double running = 0;
  for (size_t c = 0; c < cells; ++c) {
    running += change[c];
    marginal[c] = running;
    sizes[c] = (edges[c + 1] - edges[c]) / (space.high - space.low);
  }
  return WeightedVariance(marginal, sizes);
}

double CategoricalMainEffect(const std::vector<Leaf>& leaves,
                             const FeatureSpace& space, int f) {
  const int categories = space.category_count;
  std::vector<double> marginal(categories, 0);
  for (const Leaf& leaf : leaves) {
    const double fraction = Fraction(leaf.box, space, f);
    if (fraction <= 0) continue;
    const double share = leaf.value * leaf.volume / fraction;
    for (int c = 0; c < categories; ++c) {
      if (leaf.box.categories[f][c]) marginal[c] += share;
    }
  }
  return WeightedVariance(marginal,
                          std::vector<double>(categories, 1.0 / categories));
}

}  // namespace

TreeVariance DecomposeTree(const RegressionTree& tree,
                           absl::Span<const FeatureSpace> features) {
  const std::vector<Leaf> leaves = LeafCollector(tree, features).Collect();
  std::vector<double> values;
  std::vector<double> volumes;
  for (const Leaf& leaf : leaves) {
    values.push_back(leaf.value);
    volumes.push_back(leaf.volume);
  }
  TreeVariance variance;
  variance.main_effects.resize(features.size(), 0);
  // A constant tree explains nothing; rounding must not make it look as if
  // it varied a little.
  const auto [lowest, highest] =
      std::minmax_element(values.begin(), values.end());
  if (*lowest == *highest) return variance;
  variance.total = WeightedVariance(values, volumes);
  for (size_t f = 0; f < features.size(); ++f) {
    const int feature = static_cast<int>(f);
    variance.main_effects[f] =
        features[f].categorical()
            ? CategoricalMainEffect(leaves, features[f], feature)
            : NumericMainEffect(tree, leaves, features[f], feature);
  }
  return variance;
}

std::optional<std::vector<double>> MainEffectShares(
    absl::Span<const RegressionTree> forest,
    absl::Span<const FeatureSpace> features) {
  std::vector<double> shares(features.size(), 0);
  int varying_trees = 0;
  for (const RegressionTree& tree : forest) {
    const TreeVariance variance = DecomposeTree(tree, features);
    if (!(variance.total > 0)) continue;
    ++varying_trees;
    for (size_t f = 0; f < features.size(); ++f) {
      shares[f] += variance.main_effects[f] / variance.total;
    }
  }
  if (varying_trees == 0) return std::nullopt;
  for (double& share : shares) share /= varying_trees;
  return shares;
}

}  // namespace knob::importance

// A random forest of regression trees (CART, squared error), the surrogate
// model that fANOVA decomposes. Features are numeric (split by a threshold)
// or categorical (split by a subset of categories), so that a categorical
// parameter is one feature whose partition is a partition of its choices.
//
// Thread safety: the functions are pure; trees are immutable values.
#ifndef KNOB_SERVER_IMPORTANCE_REGRESSION_FOREST_H_
#define KNOB_SERVER_IMPORTANCE_REGRESSION_FOREST_H_

#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace knob::importance {

// Where a feature's values live. The forest needs only the kind; fANOVA
// also needs the bounds, over which it spreads the variance uniformly.
struct FeatureSpace {
  // Numeric features: values in [low, high], low < high.
  double low = 0;
  double high = 1;
  // Categorical features: values are the indices 0 .. category_count - 1.
  // 0 for a numeric feature.
  int category_count = 0;

  bool categorical() const { return category_count > 0; }
};

// Training data, one column per feature.
struct TrainingSet {
  std::vector<FeatureSpace> features;
  // columns[f][i]: feature f of row i, inside features[f]'s space.
  std::vector<std::vector<double>> columns;
  std::vector<double> targets;

  int rows() const { return static_cast<int>(targets.size()); }
};

struct TreeNode {
  // The feature the node splits on; -1 for a leaf.
  int feature = -1;
  // Numeric split: values <= threshold go to `left`.
  double threshold = 0;
  // Categorical split: category c goes to `left` when left_categories[c].
  // Every category goes somewhere, also those no training row of the node
  // had (they follow the side with more training weight).
  std::vector<bool> left_categories;
  int left = -1;
  int right = -1;
  // Weighted mean target of the node's training rows: the prediction at a
  // leaf.
  double value = 0;

  bool leaf() const { return feature < 0; }
};

// Node 0 is the root.
struct RegressionTree {
  std::vector<TreeNode> nodes;
};

struct ForestOptions {
  // Default: 64.
  int num_trees = 64;
  // Depth of the deepest leaf (the root has depth 0). Default: 64.
  int max_depth = 64;
  // A node with fewer distinct training rows stays a leaf. Default: 2.
  int min_samples_split = 2;
  // Fewest distinct training rows on each side of a split. Default: 1.
  int min_samples_leaf = 1;
  // Each tree learns from a bootstrap sample (rows drawn with replacement,
  // as many as there are) instead of all rows. Default: true.
  bool bootstrap = true;
  // The forest is a function of the data, the options and this seed.
  // Default: 0.
  uint64_t seed = 0;
  // When set, fitting stops before the next tree once this reads true, and
  // the forest comes back short: a server shutting down need not wait for
  // seconds of fitting nobody will read.
  const std::atomic<bool>* cancelled = nullptr;
};

// Fits `options.num_trees` trees (fewer if cancelled). Each split is the best
// squared-error split over every feature, the features tried in a random order
// so that ties go to a random one; a node is split until it is pure, too small
// or too deep. Requires at least one feature and one row, every column of that
// length, and positive option values.
std::vector<RegressionTree> FitForest(const TrainingSet& data,
                                      const ForestOptions& options);

// The tree's prediction for one row of feature values.
double Predict(const RegressionTree& tree, absl::Span<const double> row);

}  // namespace knob::importance

#endif  // KNOB_SERVER_IMPORTANCE_REGRESSION_FOREST_H_

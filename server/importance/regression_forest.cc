#include "server/importance/regression_forest.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <numeric>
#include <random>
#include <utility>

#include "absl/random/distributions.h"

namespace knob::importance {
namespace {

// The best split of a node found so far. The score is the weighted sum of
// squares the split explains, up to a constant of the node: the sum over
// both sides of (sum of centred targets)^2 / weight.
struct Split {
  int feature = -1;
  double score = -std::numeric_limits<double>::infinity();
  double threshold = 0;
  std::vector<bool> left_categories;
};

// Grows one tree. A bootstrap sample is represented by weights: each
// distinct row counts as often as it was drawn, and rows never drawn are
// left out, so sizes (min_samples_*) count distinct rows.
//
// Every feature keeps the node's rows in one contiguous range of its own
// order (sorted by value for numeric features), so that a node's best
// threshold is one scan, and a split partitions each range stably.
class TreeBuilder final {
 public:
  TreeBuilder(const TrainingSet& data,
              const std::vector<std::vector<int>>& sorted_rows,
              std::vector<double> weights, const ForestOptions& options,
              std::mt19937_64& rng)
      : data_(data),
        weights_(std::move(weights)),
        options_(options),
        rng_(rng),
        goes_left_(data.rows(), false) {
    const int features = static_cast<int>(data.features.size());
    order_.resize(features);
    for (int f = 0; f < features; ++f) {
      for (int row : sorted_rows[f]) {
        if (weights_[row] > 0) order_[f].push_back(row);
      }
    }
    feature_order_.resize(features);
    std::iota(feature_order_.begin(), feature_order_.end(), 0);
  }

  RegressionTree Build() {
    const int rows = static_cast<int>(order_[0].size());
    tree_.nodes.emplace_back();
    std::vector<Pending> pending = {{0, 0, rows, 0}};
    while (!pending.empty()) {
      const Pending node = pending.back();
      pending.pop_back();
      Grow(node, pending);
    }
    return std::move(tree_);
  }

 private:
  struct Pending {
    int node;
    int begin;
    int end;
    int depth;
  };

  const std::vector<int>& NodeRows() const { return order_[0]; }

  void Grow(const Pending& at, std::vector<Pending>& pending) {
    double weight = 0;
    double sum = 0;
    double lowest = std::numeric_limits<double>::infinity();
    double highest = -lowest;
    for (int i = at.begin; i < at.end; ++i) {
      const int row = NodeRows()[i];
      const double y = data_.targets[row];
      weight += weights_[row];
      sum += weights_[row] * y;
      lowest = std::min(lowest, y);
      highest = std::max(highest, y);
    }
    const double mean = weight > 0 ? sum / weight : 0;
    tree_.nodes[at.node].value = mean;
    const int count = at.end - at.begin;
    if (at.depth >= options_.max_depth || count < options_.min_samples_split ||
        count < 2 * options_.min_samples_leaf || lowest == highest) {
      return;
    }
    Split split = BestSplit(at, weight, mean);
    if (split.feature < 0) return;
    const int left_count = Partition(at, split);
    const int left = static_cast<int>(tree_.nodes.size());
    tree_.nodes.emplace_back();
    tree_.nodes.emplace_back();
    TreeNode& node = tree_.nodes[at.node];
    node.feature = split.feature;
    node.threshold = split.threshold;
    node.left_categories = std::move(split.left_categories);
    node.left = left;
    node.right = left + 1;
    pending.push_back({left + 1, at.begin + left_count, at.end, at.depth + 1});
    pending.push_back({left, at.begin, at.begin + left_count, at.depth + 1});
  }

  Split BestSplit(const Pending& at, double weight, double mean) {
    // A random order of the features decides ties between equally good
    // splits on different features.
    for (int i = static_cast<int>(feature_order_.size()) - 1; i > 0; --i) {
      std::swap(feature_order_[i],
                feature_order_[absl::Uniform(absl::IntervalClosedClosed, rng_,
                                             0, i)]);
    }
    Split best;
    for (int feature : feature_order_) {
      if (data_.features[feature].categorical()) {
        ScanCategorical(feature, at, weight, mean, best);
      } else {
        ScanNumeric(feature, at, weight, mean, best);
      }
    }
    return best;
  }

  void ScanNumeric(int feature, const Pending& at, double weight, double mean,
                   Split& best) const {
    const std::vector<double>& column = data_.columns[feature];
    const std::vector<int>& rows = order_[feature];
    const int min_leaf = options_.min_samples_leaf;
    double left_weight = 0;
    double left_sum = 0;
    for (int i = at.begin; i + 1 < at.end; ++i) {
      const int row = rows[i];
      left_weight += weights_[row];
      left_sum += weights_[row] * (data_.targets[row] - mean);
      if (i - at.begin + 1 < min_leaf) continue;
      if (at.end - i - 1 < min_leaf) break;
      const double here = column[row];
      const double next = column[rows[i + 1]];
      if (!(here < next)) continue;
      // The centred sums of both sides add up to zero.
      const double score = left_sum * left_sum / left_weight +
                           left_sum * left_sum / (weight - left_weight);
      if (score > best.score) {
        best.feature = feature;
        best.score = score;
        const double middle = here + (next - here) / 2;
        best.threshold = middle < next ? middle : here;
        best.left_categories.clear();
      }
    }
  }

  // The best subset split of a categorical feature is a prefix of its
  // categories sorted by mean target (Breiman), so this is a scan too.
  void ScanCategorical(int feature, const Pending& at, double weight,
                       double mean, Split& best) const {
    const std::vector<double>& column = data_.columns[feature];
    const std::vector<int>& rows = order_[feature];
    const int categories = data_.features[feature].category_count;
    std::vector<double> category_weight(categories, 0);
    std::vector<double> category_sum(categories, 0);
    std::vector<int> category_rows(categories, 0);
    for (int i = at.begin; i < at.end; ++i) {
      const int row = rows[i];
      const int category = static_cast<int>(column[row]);
      category_weight[category] += weights_[row];
      category_sum[category] += weights_[row] * (data_.targets[row] - mean);
      ++category_rows[category];
    }
    std::vector<int> present;
    for (int c = 0; c < categories; ++c) {
      if (category_rows[c] > 0) present.push_back(c);
    }
    if (present.size() < 2) return;
    std::stable_sort(present.begin(), present.end(), [&](int a, int b) {
      return category_sum[a] / category_weight[a] <
             category_sum[b] / category_weight[b];
    });
    const int count = at.end - at.begin;
    double left_weight = 0;
    double left_sum = 0;
    int left_rows = 0;
    for (size_t cut = 0; cut + 1 < present.size(); ++cut) {
      const int category = present[cut];
      left_weight += category_weight[category];
      left_sum += category_sum[category];
      left_rows += category_rows[category];
      if (left_rows < options_.min_samples_leaf ||
          count - left_rows < options_.min_samples_leaf) {
        continue;
      }
      const double score = left_sum * left_sum / left_weight +
                           left_sum * left_sum / (weight - left_weight);
      if (!(score > best.score)) continue;
      best.feature = feature;
      best.score = score;
      best.threshold = 0;
      // Categories the node has no row of follow the heavier side.
      const bool absent_go_left = left_weight >= weight - left_weight;
      best.left_categories.assign(categories, absent_go_left);
      for (size_t i = 0; i < present.size(); ++i) {
        best.left_categories[present[i]] = i <= cut;
      }
    }
  }

  bool GoesLeft(const Split& split, int row) const {
    const double value = data_.columns[split.feature][row];
    if (split.left_categories.empty()) return value <= split.threshold;
    return split.left_categories[static_cast<int>(value)];
  }

  // Moves the node's left rows before its right ones in every feature's
  // order, keeping each side's order; returns how many go left.
  int Partition(const Pending& at, const Split& split) {
    int left_count = 0;
    for (int i = at.begin; i < at.end; ++i) {
      const int row = NodeRows()[i];
      goes_left_[row] = GoesLeft(split, row);
      left_count += goes_left_[row];
    }
    for (std::vector<int>& rows : order_) {
      scratch_.clear();
      int write = at.begin;
      for (int i = at.begin; i < at.end; ++i) {
        if (goes_left_[rows[i]]) {
          rows[write++] = rows[i];
        } else {
          scratch_.push_back(rows[i]);
        }
      }
      std::copy(scratch_.begin(), scratch_.end(), rows.begin() + write);
    }
    return left_count;
  }

  const TrainingSet& data_;
  const std::vector<double> weights_;
  const ForestOptions& options_;
  std::mt19937_64& rng_;
  std::vector<std::vector<int>> order_;
  std::vector<int> feature_order_;
  std::vector<bool> goes_left_;
  std::vector<int> scratch_;
  RegressionTree tree_;
};

std::mt19937_64 TreeRng(uint64_t seed, int tree) {
  std::seed_seq sequence{static_cast<uint32_t>(seed),
                         static_cast<uint32_t>(seed >> 32),
                         static_cast<uint32_t>(tree)};
  return std::mt19937_64(sequence);
}

// Row indices sorted by each numeric feature's value (by index for
// categorical features, which need no order); ties keep index order.
std::vector<std::vector<int>> SortedRows(const TrainingSet& data) {
  std::vector<std::vector<int>> sorted(data.features.size());
  for (size_t f = 0; f < data.features.size(); ++f) {
    sorted[f].resize(data.rows());
    std::iota(sorted[f].begin(), sorted[f].end(), 0);
    if (data.features[f].categorical()) continue;
    const std::vector<double>& column = data.columns[f];
    std::stable_sort(sorted[f].begin(), sorted[f].end(),
                     [&](int a, int b) { return column[a] < column[b]; });
  }
  return sorted;
}

}  // namespace

std::vector<RegressionTree> FitForest(const TrainingSet& data,
                                      const ForestOptions& options) {
  const std::vector<std::vector<int>> sorted_rows = SortedRows(data);
  const int rows = data.rows();
  std::vector<RegressionTree> forest;
  forest.reserve(options.num_trees);
  for (int t = 0; t < options.num_trees; ++t) {
    if (options.cancelled != nullptr && options.cancelled->load()) break;
    std::mt19937_64 rng = TreeRng(options.seed, t);
    std::vector<double> weights(rows, options.bootstrap ? 0 : 1);
    if (options.bootstrap) {
      for (int draw = 0; draw < rows; ++draw) {
        weights[absl::Uniform(rng, 0, rows)] += 1;
      }
    }
    forest.push_back(
        TreeBuilder(data, sorted_rows, std::move(weights), options, rng)
            .Build());
  }
  return forest;
}

double Predict(const RegressionTree& tree, absl::Span<const double> row) {
  int index = 0;
  while (!tree.nodes[index].leaf()) {
    const TreeNode& node = tree.nodes[index];
    const double value = row[node.feature];
    const bool left = node.left_categories.empty()
                          ? value <= node.threshold
                          : node.left_categories[static_cast<int>(value)];
    index = left ? node.left : node.right;
  }
  return tree.nodes[index].value;
}

}  // namespace knob::importance

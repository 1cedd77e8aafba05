// Functional ANOVA of regression trees (Hutter, Hoos and Leyton-Brown,
// "An Efficient Approach for Assessing Hyperparameter Importance", 2014):
// how much of the variance of a tree's prediction over the whole space
// each feature explains on its own.
//
// The space is measured uniformly: a numeric feature over [low, high], a
// categorical one over its categories, each category weighing the same.
// A tree is piecewise constant on boxes of that space, so the variances
// are exact sums over its leaves, not estimates from samples.
//
// Thread safety: the functions are pure.
#ifndef KNOB_SERVER_IMPORTANCE_FANOVA_H_
#define KNOB_SERVER_IMPORTANCE_FANOVA_H_

#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "server/importance/regression_forest.h"

namespace knob::importance {

struct TreeVariance {
  // Variance of the tree's prediction over the space.
  double total = 0;
  // main_effects[f]: variance over feature f of the prediction averaged
  // over every other feature (the marginal prediction of f alone).
  std::vector<double> main_effects;
};

// Requires a tree fitted on data whose feature values lie in `features`.
TreeVariance DecomposeTree(const RegressionTree& tree,
                           absl::Span<const FeatureSpace> features);

// Per feature, the fraction of a tree's variance its main effect explains,
// averaged over the trees whose prediction varies at all. nullopt when no
// tree varies (every tree predicts a constant).
std::optional<std::vector<double>> MainEffectShares(
    absl::Span<const RegressionTree> forest,
    absl::Span<const FeatureSpace> features);

}  // namespace knob::importance

#endif  // KNOB_SERVER_IMPORTANCE_FANOVA_H_

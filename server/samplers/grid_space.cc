#include "server/samplers/grid_space.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "server/model/search_space.h"

namespace knob {
namespace {

// Equal keys exactly when SameValue holds: ints and integral doubles share
// a form, other doubles use their round-tripping label.
std::string ValueKey(const ParamValue& value) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (const auto* d = std::get_if<double>(&value)) {
    if (*d >= -kTwoTo63 && *d < kTwoTo63 && std::trunc(*d) == *d) {
      return absl::StrCat("n", static_cast<int64_t>(*d));
    }
    return absl::StrCat("n", ParamValueLabel(*d));
  }
  if (const auto* i = std::get_if<int64_t>(&value))
    return absl::StrCat("n", *i);
  if (const auto* s = std::get_if<std::string>(&value)) {
    return absl::StrCat("s", *s);
  }
  return std::get<bool>(value) ? "b1" : "b0";
}

std::string FormatCount(double count) {
  if (count < 1e15) return absl::StrFormat("%.0f", count);
  return absl::StrFormat("%.3g", count);
}

}  // namespace

absl::StatusOr<GridSpace> GridSpace::Create(const StudyConfig& config,
                                            int64_t max_points) {
  GridSpace space;
  absl::flat_hash_map<absl::string_view, int> node_of;
  // Per node: value index -> children active under it, kept sorted.
  std::vector<std::map<int64_t, std::vector<int>>> children_under;
  for (const ParameterSpec* spec : SamplingOrder(config)) {
    const std::optional<int64_t> cardinality = DomainCardinality(spec->domain);
    if (!cardinality) {
      return absl::InvalidArgumentError(absl::StrCat(
          "parameters[", spec - config.parameters.data(), "] \"", spec->name,
          "\": the grid sampler needs discrete values, but this is a "
          "continuous ",
          DomainDescription(spec->domain),
          "; give float_domain a step or use a categorical domain"));
    }
    Node node;
    node.name = spec->name;
    node.domain = spec->domain;
    node.value_count = *cardinality;
    if (const auto* d = std::get_if<CategoricalDomain>(&spec->domain)) {
      for (size_t i = 0; i < d->choices.size(); ++i) {
        node.choice_index.emplace(ValueKey(d->choices[i]), i);
      }
    }
    const int id = static_cast<int>(space.nodes_.size());
    node_of.emplace(spec->name, id);
    space.nodes_.push_back(std::move(node));
    children_under.emplace_back();
    if (!spec->condition) {
      space.roots_.push_back(id);
      continue;
    }
    const int parent = node_of.at(spec->condition->parent);
    std::vector<int64_t> activating;
    for (const ParamValue& value : spec->condition->values) {
      if (auto index = DomainIndex(space.nodes_[parent].domain, value)) {
        activating.push_back(*index);
      }
    }
    std::sort(activating.begin(), activating.end());
    activating.erase(std::unique(activating.begin(), activating.end()),
                     activating.end());
    for (int64_t index : activating) {
      children_under[parent][index].push_back(id);
    }
  }

  // Children come after their parents in SamplingOrder, so counting from
  // the back sees every subtree before the node that contains it. Doubles
  // first: they cannot overflow, and below the limit they are exact.
  std::vector<double> approximate(space.nodes_.size());
  for (int id = static_cast<int>(space.nodes_.size()) - 1; id >= 0; --id) {
    double count = static_cast<double>(space.nodes_[id].value_count);
    for (const auto& [value_index, children] : children_under[id]) {
      double product = 1;
      for (int child : children) product *= approximate[child];
      count += product - 1;
    }
    approximate[id] = count;
  }
  double total = 1;
  for (int root : space.roots_) total *= approximate[root];
  if (total > static_cast<double>(max_points)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sampler \"grid\": the search space has ", FormatCount(total),
        " points, more than the grid limit of ", max_points,
        "; use coarser steps or fewer choices"));
  }

  for (int id = static_cast<int>(space.nodes_.size()) - 1; id >= 0; --id) {
    Node& node = space.nodes_[id];
    int64_t extra = 0;
    for (auto& [value_index, children] : children_under[id]) {
      Branch branch;
      branch.value_index = value_index;
      branch.children = std::move(children);
      for (int child : branch.children) {
        branch.count *= space.nodes_[child].count;
      }
      branch.start = value_index + extra;
      extra += branch.count - 1;
      node.branches.push_back(std::move(branch));
    }
    node.count = node.value_count + extra;
  }
  space.size_ = 1;
  for (int root : space.roots_) space.size_ *= space.nodes_[root].count;
  return space;
}

ParamAssignment GridSpace::At(int64_t index) const {
  ParamAssignment params;
  AssignAll(roots_, index, params);
  return params;
}

std::optional<int64_t> GridSpace::IndexOf(const ParamAssignment& params) const {
  size_t visited = 0;
  std::optional<int64_t> index = RankAll(roots_, params, visited);
  if (!index || visited != params.size()) return std::nullopt;
  return index;
}

// Mixed radix over the nodes' subtrees, the first node most significant.
void GridSpace::AssignAll(const std::vector<int>& nodes, int64_t rank,
                          ParamAssignment& params) const {
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    const int64_t count = nodes_[*it].count;
    Assign(*it, rank % count, params);
    rank /= count;
  }
}

void GridSpace::Assign(int id, int64_t rank, ParamAssignment& params) const {
  const Node& node = nodes_[id];
  auto after = std::upper_bound(
      node.branches.begin(), node.branches.end(), rank,
      [](int64_t r, const Branch& branch) { return r < branch.start; });
  int64_t value_index = rank;
  if (after != node.branches.begin()) {
    const Branch& branch = *std::prev(after);
    if (rank < branch.start + branch.count) {
      params[node.name] = DomainPoint(node.domain, branch.value_index);
      AssignAll(branch.children, rank - branch.start, params);
      return;
    }
    value_index = branch.value_index + 1 + (rank - branch.start - branch.count);
  }
  params[node.name] = DomainPoint(node.domain, value_index);
}

std::optional<int64_t> GridSpace::RankAll(const std::vector<int>& nodes,
                                          const ParamAssignment& params,
                                          size_t& visited) const {
  int64_t rank = 0;
  for (int id : nodes) {
    const std::optional<int64_t> node_rank = Rank(id, params, visited);
    if (!node_rank) return std::nullopt;
    rank = rank * nodes_[id].count + *node_rank;
  }
  return rank;
}

std::optional<int64_t> GridSpace::Rank(int id, const ParamAssignment& params,
                                       size_t& visited) const {
  const Node& node = nodes_[id];
  auto value = params.find(node.name);
  if (value == params.end()) return std::nullopt;
  ++visited;
  const std::optional<int64_t> value_index = ValueIndex(node, value->second);
  if (!value_index) return std::nullopt;
  auto branch = std::lower_bound(
      node.branches.begin(), node.branches.end(), *value_index,
      [](const Branch& b, int64_t v) { return b.value_index < v; });
  if (branch != node.branches.end() && branch->value_index == *value_index) {
    const std::optional<int64_t> children_rank =
        RankAll(branch->children, params, visited);
    if (!children_rank) return std::nullopt;
    return branch->start + *children_rank;
  }
  if (branch == node.branches.begin()) return *value_index;
  const Branch& before = *std::prev(branch);
  return before.start + before.count + (*value_index - before.value_index - 1);
}

std::optional<int64_t> GridSpace::ValueIndex(const Node& node,
                                             const ParamValue& value) const {
  if (std::holds_alternative<CategoricalDomain>(node.domain)) {
    auto it = node.choice_index.find(ValueKey(value));
    if (it == node.choice_index.end()) return std::nullopt;
    return it->second;
  }
  return DomainIndex(node.domain, value);
}

}  // namespace knob

// The points of a discrete search space: every distinct assignment of its
// ACTIVE parameters, numbered 0 .. size()-1 without being materialised.
//
// A conditional parameter multiplies only the branches of its parent that
// activate it: optimizer in {sgd, adam} with momentum in {0.9, 0.99} active
// under sgd has 3 points, not 4. The numbering is lexicographic, most
// significant first, over the unconditional parameters in SamplingOrder,
// each directly followed by the parameters its value activates; each
// domain's values in DomainPoint order.
//
// Thread safety: immutable after Create.
#ifndef KNOB_SERVER_SAMPLERS_GRID_SPACE_H_
#define KNOB_SERVER_SAMPLERS_GRID_SPACE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "server/model/study.h"
#include "server/model/value.h"

namespace knob {

class GridSpace {
 public:
  // Requires a config that passed ValidateStudyConfig. INVALID_ARGUMENT
  // naming the parameter for a continuous float domain, or giving the size
  // when the space has more than `max_points` points.
  static absl::StatusOr<GridSpace> Create(const StudyConfig& config,
                                          int64_t max_points);

  int64_t size() const { return size_; }

  // The point numbered `index`; requires 0 <= index < size().
  ParamAssignment At(int64_t index) const;

  // The number of the point `params` is: exactly its active parameters,
  // each the same value (SameValue; a stepped float within the grid's
  // tolerance). nullopt when `params` is no point of the grid.
  std::optional<int64_t> IndexOf(const ParamAssignment& params) const;

 private:
  // The values of a parameter under which some children are active.
  struct Branch {
    int64_t value_index = 0;
    // Active under this value, in SamplingOrder.
    std::vector<int> children;
    // Combinations of the children's subtrees.
    int64_t count = 1;
    // Number of the first combination within the parameter's subtree.
    int64_t start = 0;
  };
  struct Node {
    std::string name;
    Domain domain;
    int64_t value_count = 0;
    // By value_index; values without active children are implicit.
    std::vector<Branch> branches;
    // Points in the subtree rooted here.
    int64_t count = 0;
    // Categorical choices by ValueKey, so that lookups stay O(1).
    absl::flat_hash_map<std::string, int64_t> choice_index;
  };

  GridSpace() = default;

  void AssignAll(const std::vector<int>& nodes, int64_t rank,
                 ParamAssignment& params) const;
  void Assign(int node, int64_t rank, ParamAssignment& params) const;
  std::optional<int64_t> RankAll(const std::vector<int>& nodes,
                                 const ParamAssignment& params,
                                 size_t& visited) const;
  std::optional<int64_t> Rank(int node, const ParamAssignment& params,
                              size_t& visited) const;
  std::optional<int64_t> ValueIndex(const Node& node,
                                    const ParamValue& value) const;

  std::vector<Node> nodes_;
  std::vector<int> roots_;
  int64_t size_ = 1;
};

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_GRID_SPACE_H_

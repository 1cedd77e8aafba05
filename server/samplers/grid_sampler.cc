#include "server/samplers/grid_sampler.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "server/model/algorithm_options.h"
#include "server/model/study_config_validation.h"
#include "server/samplers/grid_space.h"
#include "server/samplers/index_permutation.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

// A trial whose parameters are no point of the grid (e.g. an enqueued
// trial written before a step changed) holds nothing.
constexpr int64_t kNoPoint = -1;

class GridSampler final : public Sampler {
 public:
  GridSampler(GridSpace space, IndexPermutation order)
      : space_(std::move(space)), order_(order) {}

  absl::StatusOr<ParamAssignment> Sample(
      const SamplingContext& context) override {
    Sync(context.trials);
    while (cursor_ < space_.size() && holders_.contains(order_.At(cursor_))) {
      ++cursor_;
    }
    if (cursor_ == space_.size()) {
      return absl::OutOfRangeError(absl::StrCat(
          "grid exhausted: all ", space_.size(), " points suggested"));
    }
    return space_.At(order_.At(cursor_));
  }

 private:
  // Brings the cache up to date with `trials` (ordered by number). Trials
  // never change their parameters and new ones come last, so walking back
  // from the end until a trial is found as cached costs O(new trials). The
  // only other change is trials vanishing from the end (proposals that
  // never committed); any other surprise shows as a size mismatch and
  // rebuilds the cache from scratch.
  void Sync(absl::Span<const Trial* const> trials) {
    const int64_t last_number = trials.empty() ? -1 : trials.back()->number;
    for (auto it = point_of_trial_.upper_bound(last_number);
         it != point_of_trial_.end(); it = point_of_trial_.erase(it)) {
      Release(it->second);
    }
    for (size_t i = trials.size(); i-- > 0;) {
      const Trial& trial = *trials[i];
      const int64_t point = space_.IndexOf(trial.params).value_or(kNoPoint);
      auto [it, inserted] = point_of_trial_.try_emplace(trial.number, point);
      if (!inserted) {
        if (it->second == point) break;
        Release(it->second);
        it->second = point;
      }
      Hold(point);
    }
    if (point_of_trial_.size() != trials.size()) Rebuild(trials);
  }

  void Rebuild(absl::Span<const Trial* const> trials) {
    point_of_trial_.clear();
    holders_.clear();
    cursor_ = 0;
    for (const Trial* trial : trials) {
      const int64_t point = space_.IndexOf(trial->params).value_or(kNoPoint);
      point_of_trial_[trial->number] = point;
      Hold(point);
    }
  }

  void Hold(int64_t point) {
    if (point != kNoPoint) ++holders_[point];
  }

  void Release(int64_t point) {
    if (point == kNoPoint) return;
    auto it = holders_.find(point);
    if (--it->second > 0) return;
    holders_.erase(it);
    cursor_ = std::min(cursor_, order_.PositionOf(point));
  }

  const GridSpace space_;
  const IndexPermutation order_;
  // Trial number -> the point it holds, for every trial seen.
  std::map<int64_t, int64_t> point_of_trial_;
  // Point -> number of trials holding it; free points are absent.
  absl::flat_hash_map<int64_t, int64_t> holders_;
  // Every visiting position before it holds a held point.
  int64_t cursor_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Sampler>> CreateGridSampler(
    const StudyConfig& config, const AlgorithmSpec& spec) {
  AlgorithmOptions options("sampler", spec);
  ASSIGN_OR_RETURN(const bool shuffle, options.Bool("shuffle", true));
  RETURN_IF_ERROR(options.CheckAllUsed());
  // Enumeration relies on valid domains and an acyclic condition forest.
  RETURN_IF_ERROR(ValidateStudyConfig(config));
  ASSIGN_OR_RETURN(GridSpace space, GridSpace::Create(config, kMaxGridPoints));
  IndexPermutation order(space.size(), config.seed, shuffle);
  return std::make_unique<GridSampler>(std::move(space), order);
}

}  // namespace knob

// How Hyperband shares a study's trials among its brackets.
//
// With resources from min_resource to max_resource and reduction factor
// rf, there are n = floor(log_rf(max_resource / min_resource)) + 1
// brackets. Bracket b runs successive halving from early-stopping rate b:
// bracket 0 stops trials earliest and most often, bracket n - 1 lets the
// trials it receives run to max_resource. As in Hyperband (Li et al.,
// JMLR 2018), a bracket that stops trials early receives more of them: its
// budget is ceil(n * rf^s / (s + 1)) with s = n - 1 - b, and each trial
// falls into a bracket with probability budget / total budget.
//
// Thread safety: immutable after construction.
#ifndef KNOB_SERVER_PRUNERS_HYPERBAND_BRACKETS_H_
#define KNOB_SERVER_PRUNERS_HYPERBAND_BRACKETS_H_

#include <cstdint>
#include <vector>

namespace knob {

class HyperbandBrackets {
 public:
  // The largest max_resource / min_resource accepted, so that budgets stay
  // far from overflowing.
  static constexpr int64_t kMaxResourceRatio = int64_t{1} << 32;

  // Requires 1 <= min_resource < max_resource <= min_resource *
  // kMaxResourceRatio and reduction_factor >= 2.
  HyperbandBrackets(int64_t min_resource, int64_t max_resource,
                    int64_t reduction_factor);

  int64_t count() const { return static_cast<int64_t>(budgets_.size()); }
  // Bracket `bracket`'s share of the trials, out of total_budget().
  int64_t budget(int64_t bracket) const { return budgets_[bracket]; }
  int64_t total_budget() const { return total_budget_; }

  // The bracket of trial `trial_number` in a study seeded `seed`: a fixed
  // hash of the two, spread over the brackets in proportion to their
  // budgets. The same on every server and every version, so that replicas
  // agree and a trial keeps its bracket.
  int64_t BracketOf(uint64_t seed, int64_t trial_number) const;

 private:
  std::vector<int64_t> budgets_;
  int64_t total_budget_ = 0;
};

}  // namespace knob

#endif  // KNOB_SERVER_PRUNERS_HYPERBAND_BRACKETS_H_

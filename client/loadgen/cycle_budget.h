// A CycleBudget is how many suggest + complete cycles the workers of one
// study may still finish. A worker takes one unit before the suggest of a
// cycle and keeps it until that cycle's complete succeeded, so a study
// ends a run with exactly its budget of completed trials, however many
// workers share it and whatever calls failed on the way.
//
// Thread safety: Take() may be called from any thread at once.
#ifndef KNOB_CLIENT_LOADGEN_CYCLE_BUDGET_H_
#define KNOB_CLIENT_LOADGEN_CYCLE_BUDGET_H_

#include <atomic>
#include <cstdint>
#include <limits>
#include <vector>

namespace knob::loadgen {

class CycleBudget final {
 public:
  // A budget no run exhausts.
  static constexpr int64_t kUnlimited = std::numeric_limits<int64_t>::max();

  // `cycles` below zero count as zero.
  explicit CycleBudget(int64_t cycles);

  CycleBudget(const CycleBudget&) = delete;
  CycleBudget& operator=(const CycleBudget&) = delete;

  // Takes one cycle: true while any is left, false from then on.
  bool Take();

 private:
  std::atomic<int64_t> remaining_;
};

// `total` cycles split over `parts` budgets as evenly as whole cycles go:
// each gets total / parts, and the first total % parts one more. A total
// of zero or less means kUnlimited for each. `parts` must be at least 1.
std::vector<int64_t> SplitCycles(int64_t total, int parts);

}  // namespace knob::loadgen

#endif  // KNOB_CLIENT_LOADGEN_CYCLE_BUDGET_H_

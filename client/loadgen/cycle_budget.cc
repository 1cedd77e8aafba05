#include "client/loadgen/cycle_budget.h"

#include <algorithm>

namespace knob::loadgen {

CycleBudget::CycleBudget(int64_t cycles)
    : remaining_(std::max<int64_t>(cycles, 0)) {}

bool CycleBudget::Take() {
  int64_t remaining = remaining_.load(std::memory_order_relaxed);
  // Never below zero, so that an exhausted budget stays exhausted however
  // often workers ask.
  while (remaining > 0) {
    if (remaining_.compare_exchange_weak(remaining, remaining - 1,
                                         std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

std::vector<int64_t> SplitCycles(int64_t total, int parts) {
  if (total <= 0) return std::vector<int64_t>(parts, CycleBudget::kUnlimited);
  std::vector<int64_t> shares(parts, total / parts);
  for (int64_t i = 0; i < total % parts; ++i) ++shares[i];
  return shares;
}

}  // namespace knob::loadgen

#include "server/pruners/hyperband_brackets.h"

namespace knob {
namespace {

// The SplitMix64 finaliser: a fixed, well-mixing 64-bit permutation.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

}  // namespace

HyperbandBrackets::HyperbandBrackets(int64_t min_resource, int64_t max_resource,
                                     int64_t reduction_factor) {
  // n = the number of s >= 0 with min_resource * rf^s <= max_resource.
  const int64_t ratio = max_resource / min_resource;
  std::vector<int64_t> powers;  // rf^s for s < n
  for (int64_t power = 1;; power *= reduction_factor) {
    powers.push_back(power);
    if (power > ratio / reduction_factor) break;
  }
  const auto n = static_cast<int64_t>(powers.size());
  for (int64_t bracket = 0; bracket < n; ++bracket) {
    const int64_t s = n - 1 - bracket;
    const int64_t budget = (n * powers[s] + s) / (s + 1);
    budgets_.push_back(budget);
    total_budget_ += budget;
  }
}

int64_t HyperbandBrackets::BracketOf(uint64_t seed,
                                     int64_t trial_number) const {
  const uint64_t hash = Mix(Mix(seed) ^ static_cast<uint64_t>(trial_number));
  auto draw = static_cast<int64_t>(hash % static_cast<uint64_t>(total_budget_));
  for (int64_t bracket = 0; bracket < count(); ++bracket) {
    draw -= budgets_[bracket];
    if (draw < 0) return bracket;
  }
  return count() - 1;
}

}  // namespace knob

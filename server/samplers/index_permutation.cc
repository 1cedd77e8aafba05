#include "server/samplers/index_permutation.h"

namespace knob {
namespace {

// The SplitMix64 finaliser: a cheap bijective mixer with full avalanche.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

// A balanced Feistel network over [0, 4^half_bits) is a bijection whatever
// the round function; walking the cycle until the value falls below `size`
// restricts it to a bijection of [0, size).
IndexPermutation::IndexPermutation(int64_t size, uint64_t seed, bool shuffle)
    : size_(size), shuffle_(shuffle) {
  while ((uint64_t{1} << (2 * half_bits_)) < static_cast<uint64_t>(size_)) {
    ++half_bits_;
  }
  half_mask_ = (uint64_t{1} << half_bits_) - 1;
  uint64_t state = seed;
  for (uint64_t& key : keys_) {
    state += 0x9e3779b97f4a7c15ULL;
    key = Mix(state);
  }
}

uint64_t IndexPermutation::Round(uint64_t half, int round) const {
  return Mix(half ^ keys_[round]) & half_mask_;
}

uint64_t IndexPermutation::Encrypt(uint64_t value) const {
  uint64_t left = value >> half_bits_;
  uint64_t right = value & half_mask_;
  for (int round = 0; round < kRounds; ++round) {
    const uint64_t next_right = left ^ Round(right, round);
    left = right;
    right = next_right;
  }
  return (left << half_bits_) | right;
}

uint64_t IndexPermutation::Decrypt(uint64_t value) const {
  uint64_t left = value >> half_bits_;
  uint64_t right = value & half_mask_;
  for (int round = kRounds - 1; round >= 0; --round) {
    const uint64_t previous_left = right ^ Round(left, round);
    right = left;
    left = previous_left;
  }
  return (left << half_bits_) | right;
}

int64_t IndexPermutation::At(int64_t position) const {
  if (!shuffle_) return position;
  uint64_t value = static_cast<uint64_t>(position);
  do {
    value = Encrypt(value);
  } while (value >= static_cast<uint64_t>(size_));
  return static_cast<int64_t>(value);
}

int64_t IndexPermutation::PositionOf(int64_t index) const {
  if (!shuffle_) return index;
  uint64_t value = static_cast<uint64_t>(index);
  do {
    value = Decrypt(value);
  } while (value >= static_cast<uint64_t>(size_));
  return static_cast<int64_t>(value);
}

}  // namespace knob

// A pseudo-random permutation of [0, size) that is evaluated point by point
// in O(1) time and memory, in both directions, so that a grid of millions of
// points can be visited in shuffled order without materialising the order.
//
// Thread safety: immutable after construction.
#ifndef KNOB_SERVER_SAMPLERS_INDEX_PERMUTATION_H_
#define KNOB_SERVER_SAMPLERS_INDEX_PERMUTATION_H_

#include <array>
#include <cstdint>

namespace knob {

class IndexPermutation {
 public:
  // A permutation derived from `seed`; the identity when `shuffle` is
  // false. Requires size >= 1.
  IndexPermutation(int64_t size, uint64_t seed, bool shuffle);

  int64_t size() const { return size_; }

  // The index at `position`; requires 0 <= position < size.
  int64_t At(int64_t position) const;

  // The position of `index`: PositionOf(At(p)) == p.
  int64_t PositionOf(int64_t index) const;

 private:
  static constexpr int kRounds = 6;

  uint64_t Round(uint64_t half, int round) const;
  uint64_t Encrypt(uint64_t value) const;
  uint64_t Decrypt(uint64_t value) const;

  int64_t size_;
  bool shuffle_;
  int half_bits_ = 1;
  uint64_t half_mask_ = 1;
  std::array<uint64_t, kRounds> keys_{};
};

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_INDEX_PERMUTATION_H_

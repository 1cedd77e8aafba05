// The Sobol' sequence: a low-discrepancy sequence of points in [0, 1)^d
// whose first 2^m points fill every dyadic interval of length 2^-m of each
// coordinate exactly once, so that a few dozen points cover a space far more
// evenly than as many random ones.
//
// Direction numbers are Joe & Kuo's (2008, "new-joe-kuo-6"), as shipped with
// Boost.Random; points come in Gray-code order (Antonov & Saleev), the order
// of Boost's sobol engine and of SciPy, so point i is computed directly from
// i in O(d log i), with no state to carry between points.
//
// A scrambled sequence applies to each coordinate a random lower-triangular
// linear transform of its binary digits followed by a random digital shift
// (Matousek's linear matrix scramble), drawn from a seed. This removes the
// unscrambled sequence's artefacts (the origin as first point, coordinates
// repeating along the diagonal) and keeps every balance property above;
// different seeds give independent randomizations.
//
// Thread safety: immutable after creation; Point is safe to call
// concurrently.
#ifndef KNOB_SERVER_SAMPLERS_QMC_SOBOL_SEQUENCE_H_
#define KNOB_SERVER_SAMPLERS_QMC_SOBOL_SEQUENCE_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace knob {

// The most coordinates a sequence can have: the dimensions Boost's table of
// direction numbers covers.
inline constexpr int kMaxSobolDimensions = 3667;

class SobolSequence {
 public:
  // The plain sequence, whose point 0 is the origin. INVALID_ARGUMENT when
  // `dimensions` is negative or above kMaxSobolDimensions.
  static absl::StatusOr<SobolSequence> Create(int dimensions);
  // The sequence scrambled as drawn from `seed`: the same seed always gives
  // the same points, on every platform. Same errors as Create.
  static absl::StatusOr<SobolSequence> CreateScrambled(int dimensions,
                                                       uint64_t seed);

  int dimensions() const { return dimensions_; }

  // The point at `index`, dimensions() coordinates in [0, 1), each a
  // multiple of 2^-53.
  std::vector<double> Point(uint64_t index) const;

 private:
  SobolSequence(int dimensions, std::vector<uint64_t> directions,
                std::vector<uint64_t> shifts)
      : dimensions_(dimensions),
        directions_(std::move(directions)),
        shifts_(std::move(shifts)) {}

  int dimensions_;
  // directions_[digit * dimensions_ + coordinate]: the binary fraction
  // (first digit most significant) a coordinate flips when bit `digit` of
  // the Gray code of the index is set.
  std::vector<uint64_t> directions_;
  // Per coordinate, XORed into every point: zero when not scrambled.
  std::vector<uint64_t> shifts_;
};

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_QMC_SOBOL_SEQUENCE_H_

#include "server/samplers/qmc/sobol_sequence.h"

#include <bit>
#include <random>

#include "absl/strings/str_cat.h"
#include "boost/random/detail/sobol_table.hpp"
#include "server/util/status_macros.h"

namespace knob {
namespace {

using SobolTable = boost::random::detail::qrng_tables::sobol;
static_assert(SobolTable::max_dimension == kMaxSobolDimensions);

// Binary digits per coordinate: indices run to 2^64 - 1 and points carry
// all the precision of a double.
constexpr int kDigits = 64;

// Keeps the scramble's random stream apart from other users of the seed.
constexpr uint32_t kScrambleStream = 0x536f626f;

// The direction numbers of one coordinate as integers m_1..m_64 (m_k odd,
// below 2^k), by the recurrence of its primitive polynomial
// x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1 from the table's first s values
// (Bratley & Fox 1988):
//   m_k = m_(k-s) ^ (m_(k-s) << s) ^ XOR_(i<s) a_i (m_(k-i) << i).
// The first coordinate is the van der Corput sequence, all m_k = 1.
std::vector<uint64_t> DirectionIntegers(int coordinate) {
  std::vector<uint64_t> m(kDigits + 1, 1);
  if (coordinate == 0) return m;
  const uint64_t polynomial = SobolTable::polynomial(coordinate - 1);
  const int degree = std::bit_width(polynomial) - 1;
  for (int k = 1; k <= degree; ++k) {
    m[k] = SobolTable::minit(coordinate - 1, k - 1);
  }
  for (int k = degree + 1; k <= kDigits; ++k) {
    m[k] = m[k - degree] ^ (m[k - degree] << degree);
    for (int i = 1; i < degree; ++i) {
      if ((polynomial >> (degree - i)) & 1) m[k] ^= m[k - i] << i;
    }
  }
  return m;
}

absl::Status CheckDimensions(int dimensions) {
  if (dimensions < 0 || dimensions > kMaxSobolDimensions) {
    return absl::InvalidArgumentError(
        absl::StrCat("a Sobol sequence has between 0 and ", kMaxSobolDimensions,
                     " dimensions, not ", dimensions));
  }
  return absl::OkStatus();
}

// Bits 63 - i down to 0 set: the digits from the i-th (most significant
// first) on.
uint64_t DigitsFrom(int i) { return ~uint64_t{0} >> i; }

// Parity of the set bits of `x`.
uint64_t Parity(uint64_t x) { return std::popcount(x) & 1; }

}  // namespace

absl::StatusOr<SobolSequence> SobolSequence::Create(int dimensions) {
  RETURN_IF_ERROR(CheckDimensions(dimensions));
  std::vector<uint64_t> directions(kDigits * dimensions);
  for (int coordinate = 0; coordinate < dimensions; ++coordinate) {
    const std::vector<uint64_t> m = DirectionIntegers(coordinate);
    for (int k = 1; k <= kDigits; ++k) {
      directions[(k - 1) * dimensions + coordinate] = m[k] << (kDigits - k);
    }
  }
  return SobolSequence(dimensions, std::move(directions),
                       std::vector<uint64_t>(dimensions, 0));
}

absl::StatusOr<SobolSequence> SobolSequence::CreateScrambled(int dimensions,
                                                             uint64_t seed) {
  ASSIGN_OR_RETURN(SobolSequence sequence, Create(dimensions));
  // The standard engine and seed_seq are specified bit for bit, so the
  // scramble is the same on every platform and release.
  std::seed_seq seed_sequence{static_cast<uint32_t>(seed),
                              static_cast<uint32_t>(seed >> 32),
                              kScrambleStream};
  std::mt19937_64 bits(seed_sequence);
  std::vector<uint64_t>& directions = sequence.directions_;
  std::vector<uint64_t>& shifts = sequence.shifts_;
  for (int coordinate = 0; coordinate < dimensions; ++coordinate) {
    // Row i of a unit lower-triangular binary matrix: output digit i is
    // input digit i plus a random choice of the more significant ones.
    uint64_t rows[kDigits];
    for (int i = 0; i < kDigits; ++i) {
      const uint64_t own_digit = uint64_t{1} << (kDigits - 1 - i);
      rows[i] = own_digit | (bits() & ~DigitsFrom(i));
    }
    for (int k = 0; k < kDigits; ++k) {
      uint64_t& direction = directions[k * dimensions + coordinate];
      uint64_t scrambled = 0;
      for (int i = 0; i < kDigits; ++i) {
        scrambled |= Parity(rows[i] & direction) << (kDigits - 1 - i);
      }
      direction = scrambled;
    }
    shifts[coordinate] = bits();
  }
  return sequence;
}

std::vector<double> SobolSequence::Point(uint64_t index) const {
  std::vector<uint64_t> digits(shifts_);
  for (uint64_t gray = index ^ (index >> 1); gray != 0; gray &= gray - 1) {
    const uint64_t* direction =
        directions_.data() + std::countr_zero(gray) * dimensions_;
    for (int coordinate = 0; coordinate < dimensions_; ++coordinate) {
      digits[coordinate] ^= direction[coordinate];
    }
  }
  std::vector<double> point(dimensions_);
  for (int coordinate = 0; coordinate < dimensions_; ++coordinate) {
    // The 53 leading digits: exactly representable, and below 1.
    point[coordinate] =
        static_cast<double>(digits[coordinate] >> 11) * 0x1.0p-53;
  }
  return point;
}

}  // namespace knob

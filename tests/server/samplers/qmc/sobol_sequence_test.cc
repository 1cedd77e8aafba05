#include "server/samplers/qmc/sobol_sequence.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "boost/random/sobol.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Points = std::vector<std::vector<double>>;

Points FirstPoints(const SobolSequence& sequence, uint64_t count) {
  Points points;
  for (uint64_t i = 0; i < count; ++i) points.push_back(sequence.Point(i));
  return points;
}

// Hickernell's centered L2 discrepancy: how far the points are from
// filling every box anchored at a corner of the cube in proportion to its
// volume; lower is more even.
double CenteredL2Discrepancy(const Points& points) {
  const double n = static_cast<double>(points.size());
  const size_t d = points[0].size();
  double single = 0;
  for (const auto& x : points) {
    double product = 1;
    for (double v : x) {
      const double a = std::abs(v - 0.5);
      product *= 1 + 0.5 * a - 0.5 * a * a;
    }
    single += product;
  }
  double pairs = 0;
  for (const auto& x : points) {
    for (const auto& y : points) {
      double product = 1;
      for (size_t k = 0; k < d; ++k) {
        product *= 1 + 0.5 * std::abs(x[k] - 0.5) + 0.5 * std::abs(y[k] - 0.5) -
                   0.5 * std::abs(x[k] - y[k]);
      }
      pairs += product;
    }
  }
  const double squared = std::pow(13.0 / 12.0, static_cast<double>(d)) -
                         2 / n * single + pairs / (n * n);
  return std::sqrt(squared);
}

TEST(SobolSequence, PlainPointsAreTheTextbookOnes) {
  ASSERT_OK_AND_ASSIGN(SobolSequence sequence, SobolSequence::Create(2));
  EXPECT_THAT(
      FirstPoints(sequence, 8),
      ElementsAre(ElementsAre(0, 0), ElementsAre(0.5, 0.5),
                  ElementsAre(0.75, 0.25), ElementsAre(0.25, 0.75),
                  ElementsAre(0.375, 0.375), ElementsAre(0.875, 0.875),
                  ElementsAre(0.625, 0.125), ElementsAre(0.125, 0.625)));
}

// Boost's engine starts at point 1 (it skips the origin).
void ExpectMatchesBoostEngine(int dimensions, uint64_t count) {
  ASSERT_OK_AND_ASSIGN(SobolSequence sequence,
                       SobolSequence::Create(dimensions));
  boost::random::sobol_engine<uint64_t, 64> engine(dimensions);
  for (uint64_t i = 1; i <= count; ++i) {
    const std::vector<double> point = sequence.Point(i);
    for (int k = 0; k < dimensions; ++k) {
      const double expected = static_cast<double>(engine() >> 11) * 0x1.0p-53;
      ASSERT_EQ(point[k], expected) << "point " << i << " coordinate " << k;
    }
  }
}

TEST(SobolSequence, PlainPointsMatchBoostsEngine) {
  ExpectMatchesBoostEngine(12, 5000);
  // The last entries of the table of direction numbers.
  ExpectMatchesBoostEngine(kMaxSobolDimensions, 70);
}

TEST(SobolSequence, RejectsDimensionsOutsideTheTable) {
  EXPECT_THAT(SobolSequence::Create(kMaxSobolDimensions + 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("3668")));
  EXPECT_THAT(SobolSequence::CreateScrambled(-1, 1),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("-1")));
  ASSERT_OK_AND_ASSIGN(SobolSequence empty, SobolSequence::Create(0));
  EXPECT_TRUE(empty.Point(3).empty());
}

TEST(SobolSequence, ScrambledPointsLieInTheHalfOpenCube) {
  ASSERT_OK_AND_ASSIGN(SobolSequence sequence,
                       SobolSequence::CreateScrambled(20, 7));
  for (uint64_t i : {uint64_t{0}, uint64_t{1}, uint64_t{1000},
                     uint64_t{1} << 40, ~uint64_t{0}}) {
    for (double x : sequence.Point(i)) {
      EXPECT_GE(x, 0);
      EXPECT_LT(x, 1);
    }
  }
}

TEST(SobolSequence, SeedsChooseTheScramble) {
  ASSERT_OK_AND_ASSIGN(SobolSequence a, SobolSequence::CreateScrambled(5, 1));
  ASSERT_OK_AND_ASSIGN(SobolSequence again,
                       SobolSequence::CreateScrambled(5, 1));
  ASSERT_OK_AND_ASSIGN(SobolSequence b, SobolSequence::CreateScrambled(5, 2));
  ASSERT_OK_AND_ASSIGN(SobolSequence high_bits, SobolSequence::CreateScrambled(
                                                    5, uint64_t{1} << 32 | 1));
  EXPECT_EQ(FirstPoints(a, 64), FirstPoints(again, 64));
  EXPECT_NE(FirstPoints(a, 64), FirstPoints(b, 64));
  EXPECT_NE(FirstPoints(a, 64), FirstPoints(high_bits, 64));
  // No coordinate of one scramble repeats in the other.
  std::set<double> seen;
  for (const auto& point : FirstPoints(a, 64))
    seen.insert(point.begin(), point.end());
  for (const auto& point : FirstPoints(b, 64)) {
    for (double x : point) EXPECT_FALSE(seen.contains(x)) << x;
  }
}

// Replays of a study on another machine or a later release must propose
// the same points: the scramble is pinned.
TEST(SobolSequence, ScrambleIsStable) {
  ASSERT_OK_AND_ASSIGN(SobolSequence sequence,
                       SobolSequence::CreateScrambled(3, 42));
  EXPECT_THAT(sequence.Point(5),
              ElementsAre(0x1.a215e066ae08ep-2, 0x1.97ed5b9a75d55p-1,
                          0x1.17881b4790c5ap-1));
}

TEST(SobolSequence, FirstPowerOfTwoPointsFillEveryIntervalOnce) {
  for (uint64_t seed : {uint64_t{1}, uint64_t{2}, uint64_t{3}}) {
    ASSERT_OK_AND_ASSIGN(SobolSequence sequence,
                         SobolSequence::CreateScrambled(8, seed));
    for (int m = 0; m <= 10; ++m) {
      const uint64_t n = uint64_t{1} << m;
      const Points points = FirstPoints(sequence, n);
      for (int k = 0; k < 8; ++k) {
        std::vector<int> hits(n, 0);
        for (const auto& point : points) {
          ++hits[static_cast<size_t>(std::ldexp(point[k], m))];
        }
        EXPECT_EQ(std::count(hits.begin(), hits.end(), 1), n)
            << "seed " << seed << ", 2^" << m << " points, coordinate " << k;
      }
    }
  }
}

// The first two coordinates form a (0, m, 2)-net: every dyadic box of area
// 2^-m, whatever its aspect, holds exactly one of the first 2^m points.
TEST(SobolSequence, FirstTwoCoordinatesFormANet) {
  constexpr int kM = 8;
  ASSERT_OK_AND_ASSIGN(SobolSequence sequence,
                       SobolSequence::CreateScrambled(2, 11));
  const Points points = FirstPoints(sequence, 1 << kM);
  for (int i = 0; i <= kM; ++i) {
    std::vector<int> hits(1 << kM, 0);
    for (const auto& point : points) {
      const auto column = static_cast<size_t>(std::ldexp(point[0], i));
      const auto row = static_cast<size_t>(std::ldexp(point[1], kM - i));
      ++hits[(column << (kM - i)) + row];
    }
    EXPECT_EQ(std::count(hits.begin(), hits.end(), 1), 1 << kM)
        << "boxes of 2^-" << i << " by 2^-" << kM - i;
  }
}

TEST(SobolSequence, CoversTheCubeMoreEvenlyThanRandomPoints) {
  constexpr int kDimensions = 5;
  constexpr int kCount = 256;
  std::mt19937_64 bits(5);
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    ASSERT_OK_AND_ASSIGN(SobolSequence sequence,
                         SobolSequence::CreateScrambled(kDimensions, seed));
    Points random(kCount, std::vector<double>(kDimensions));
    for (auto& point : random) {
      for (double& x : point) x = static_cast<double>(bits() >> 11) * 0x1.0p-53;
    }
    EXPECT_LT(CenteredL2Discrepancy(FirstPoints(sequence, kCount)),
              CenteredL2Discrepancy(random) / 3)
        << "seed " << seed;
  }
}

}  // namespace
}  // namespace knob

#include "server/samplers/index_permutation.h"

#include <vector>

#include "gtest/gtest.h"

namespace knob {
namespace {

TEST(IndexPermutation, IsABijectionWithAnInverse) {
  for (int64_t size : {1, 2, 3, 4, 5, 17, 64, 100, 1000, 12345}) {
    const IndexPermutation permutation(size, /*seed=*/7, /*shuffle=*/true);
    std::vector<bool> seen(size, false);
    for (int64_t position = 0; position < size; ++position) {
      const int64_t index = permutation.At(position);
      ASSERT_GE(index, 0);
      ASSERT_LT(index, size);
      ASSERT_FALSE(seen[index]) << "size " << size;
      seen[index] = true;
      ASSERT_EQ(permutation.PositionOf(index), position);
    }
  }
}

TEST(IndexPermutation, IdentityWithoutShuffle) {
  const IndexPermutation permutation(50, 7, false);
  for (int64_t i = 0; i < 50; ++i) {
    EXPECT_EQ(permutation.At(i), i);
    EXPECT_EQ(permutation.PositionOf(i), i);
  }
}

TEST(IndexPermutation, DependsOnTheSeedAndSpreadsTheStart) {
  const IndexPermutation a(1000, 1, true);
  const IndexPermutation b(1000, 2, true);
  int same = 0;
  int first_tenth = 0;
  for (int64_t i = 0; i < 1000; ++i) same += a.At(i) == b.At(i);
  for (int64_t i = 0; i < 100; ++i) first_tenth += a.At(i) < 100;
  EXPECT_LT(same, 20);
  // The first tenth of the visiting order is not the first tenth of the
  // indexes.
  EXPECT_LT(first_tenth, 30);
}

}  // namespace
}  // namespace knob

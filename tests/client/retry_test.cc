#include "client/retry.h"

#include <algorithm>
#include <cmath>

#include "absl/random/random.h"
#include "gtest/gtest.h"

namespace knob {
namespace {

TEST(IsRetryableStatus, OnlyTransientCodes) {
  EXPECT_TRUE(IsRetryableStatus(absl::UnavailableError("down")));
  EXPECT_TRUE(IsRetryableStatus(absl::AbortedError("conflict")));
  EXPECT_TRUE(IsRetryableStatus(absl::CancelledError("server shutting down")));
  EXPECT_FALSE(IsRetryableStatus(absl::OkStatus()));
  EXPECT_FALSE(IsRetryableStatus(absl::InvalidArgumentError("bad")));
  EXPECT_TRUE(IsRetryableStatus(absl::DeadlineExceededError("slow")));
  EXPECT_FALSE(IsRetryableStatus(absl::FailedPreconditionError("state")));
}

TEST(BackoffDelay, GrowsExponentiallyWithinJitterBounds) {
  RetryOptions options;  // 100 ms, x2, ±20 %, cap 5 s.
  absl::BitGen rng;
  for (int trial = 0; trial < 200; ++trial) {
    for (int retry = 1; retry <= 12; ++retry) {
      const double nominal = std::min(0.1 * std::pow(2.0, retry - 1), 5.0);
      const double delay =
          absl::ToDoubleSeconds(BackoffDelay(options, retry, rng));
      EXPECT_GE(delay, nominal * 0.8 - 1e-9) << "retry " << retry;
      EXPECT_LE(delay, std::min(nominal * 1.2, 5.0) + 1e-9)
          << "retry " << retry;
    }
  }
}

TEST(BackoffDelay, NeverExceedsTheCapEvenForHugeRetryCounts) {
  RetryOptions options;
  options.max_backoff = absl::Seconds(2);
  options.jitter = 1.0;
  absl::BitGen rng;
  for (int retry : {1, 5, 30, 1000, 1 << 30}) {
    const absl::Duration delay = BackoffDelay(options, retry, rng);
    EXPECT_GE(delay, absl::ZeroDuration());
    EXPECT_LE(delay, absl::Seconds(2));
  }
}

TEST(BackoffDelay, WithoutJitterIsTheNominalSchedule) {
  RetryOptions options;
  options.jitter = 0;
  absl::BitGen rng;
  EXPECT_EQ(BackoffDelay(options, 1, rng), absl::Milliseconds(100));
  EXPECT_EQ(BackoffDelay(options, 2, rng), absl::Milliseconds(200));
  EXPECT_EQ(BackoffDelay(options, 4, rng), absl::Milliseconds(800));
  EXPECT_EQ(BackoffDelay(options, 7, rng), absl::Seconds(5));
  EXPECT_EQ(BackoffDelay(options, 8, rng), absl::Seconds(5));
}

TEST(BackoffDelay, OddOptionsStaySane) {
  RetryOptions options;
  options.initial_backoff = absl::Milliseconds(-5);
  options.backoff_multiplier = 0.5;
  options.jitter = 7;
  absl::BitGen rng;
  EXPECT_EQ(BackoffDelay(options, 3, rng), absl::ZeroDuration());
}

}  // namespace
}  // namespace knob

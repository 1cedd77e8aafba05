#include "client/loadgen/latency_histogram.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace knob::loadgen {
namespace {

absl::Duration Micros(int64_t micros) { return absl::Microseconds(micros); }

TEST(LatencyHistogram, EmptyReadsZero) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.count(), 0);
  EXPECT_EQ(histogram.Quantile(0.5), absl::ZeroDuration());
  EXPECT_EQ(histogram.Quantile(0.999), absl::ZeroDuration());
  EXPECT_EQ(histogram.max(), absl::ZeroDuration());
}

TEST(LatencyHistogram, SmallLatenciesAreExact) {
  LatencyHistogram histogram;
  for (int64_t micros = 1; micros <= 100; ++micros) {
    histogram.Record(Micros(micros));
  }
  EXPECT_EQ(histogram.count(), 100);
  EXPECT_EQ(histogram.Quantile(0.5), Micros(50));
  EXPECT_EQ(histogram.Quantile(0.99), Micros(99));
  EXPECT_EQ(histogram.Quantile(1.0), Micros(100));
  EXPECT_EQ(histogram.Quantile(0.0), Micros(1));
  EXPECT_EQ(histogram.max(), Micros(100));
}

TEST(LatencyHistogram, LargeLatenciesAreWithinOneSixtyFourthAbove) {
  LatencyHistogram histogram;
  // 1 ms to 10 s in 1 ms steps: the q-quantile is q * 10,000 ms.
  for (int64_t millis = 1; millis <= 10'000; ++millis) {
    histogram.Record(absl::Milliseconds(millis));
  }
  for (double quantile : {0.5, 0.9, 0.99, 0.999}) {
    const absl::Duration exact = absl::Milliseconds(quantile * 10'000);
    const absl::Duration read = histogram.Quantile(quantile);
    EXPECT_GE(read, exact) << quantile;
    EXPECT_LE(read, exact + exact / 64) << quantile;
  }
  EXPECT_EQ(histogram.Quantile(1.0), absl::Seconds(10));
  EXPECT_EQ(histogram.max(), absl::Seconds(10));
}

TEST(LatencyHistogram, TailIsTheSlowCalls) {
  LatencyHistogram histogram;
  // 995 fast calls and 5 slow ones: p99 is still fast, p99.9 is slow.
  for (int i = 0; i < 995; ++i) histogram.Record(absl::Milliseconds(2));
  for (int i = 0; i < 5; ++i) histogram.Record(absl::Milliseconds(300));
  EXPECT_LE(histogram.Quantile(0.99), absl::Milliseconds(2) * 65 / 64);
  EXPECT_GE(histogram.Quantile(0.999), absl::Milliseconds(300));
  EXPECT_LE(histogram.Quantile(0.999), absl::Milliseconds(300));
}

TEST(LatencyHistogram, NegativeLatencyCountsAsZero) {
  LatencyHistogram histogram;
  histogram.Record(Micros(-5));
  EXPECT_EQ(histogram.count(), 1);
  EXPECT_EQ(histogram.Quantile(1.0), absl::ZeroDuration());
}

TEST(LatencyHistogram, HugeLatencyIsCountedAndKeptAsMax) {
  LatencyHistogram histogram;
  histogram.Record(absl::Hours(24 * 30));
  histogram.Record(Micros(10));
  EXPECT_EQ(histogram.count(), 2);
  EXPECT_EQ(histogram.max(), absl::Hours(24 * 30));
  EXPECT_EQ(histogram.Quantile(0.5), Micros(10));
  EXPECT_LE(histogram.Quantile(1.0), absl::Hours(24 * 30));
  EXPECT_GT(histogram.Quantile(1.0), absl::Hours(24 * 12));
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram fast, slow, all;
  for (int64_t micros = 100; micros < 5'000; micros += 7) {
    fast.Record(Micros(micros));
    all.Record(Micros(micros));
  }
  for (int64_t micros = 20'000; micros < 90'000; micros += 13) {
    slow.Record(Micros(micros));
    all.Record(Micros(micros));
  }
  fast.Merge(slow);
  EXPECT_EQ(fast.count(), all.count());
  EXPECT_EQ(fast.max(), all.max());
  for (double quantile : {0.1, 0.5, 0.9, 0.99, 0.999}) {
    EXPECT_EQ(fast.Quantile(quantile), all.Quantile(quantile)) << quantile;
  }
}

}  // namespace
}  // namespace knob::loadgen

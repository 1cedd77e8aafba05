#include "client/loadgen/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace knob::loadgen {
namespace {

// Latencies below kExactLimit microseconds get a bucket each; above, each
// power of two gets kSubBuckets buckets.
constexpr int kSubBucketBits = 6;
constexpr int64_t kSubBuckets = int64_t{1} << kSubBucketBits;
constexpr int64_t kExactLimit = kSubBuckets * 2;
constexpr int kExactLimitBits = kSubBucketBits + 1;
// 2^40 us is about 13 days: far beyond any call deadline.
constexpr int kMaxBits = 40;
constexpr int64_t kBucketCount =
    kExactLimit + (kMaxBits - kExactLimitBits) * kSubBuckets;

int64_t BucketOf(int64_t micros) {
  if (micros < kExactLimit) return micros;
  // The position of the highest set bit, then the next kSubBucketBits bits.
  const int exponent = std::bit_width(static_cast<uint64_t>(micros)) - 1;
  if (exponent >= kMaxBits) return kBucketCount - 1;
  const int64_t sub_bucket =
      (micros >> (exponent - kSubBucketBits)) - kSubBuckets;
  return kExactLimit + (exponent - kExactLimitBits) * kSubBuckets + sub_bucket;
}

// The largest latency, in microseconds, that falls into `bucket`.
int64_t UpperBoundOf(int64_t bucket) {
  if (bucket < kExactLimit) return bucket;
  const int64_t offset = bucket - kExactLimit;
  const int exponent = static_cast<int>(offset / kSubBuckets) + kExactLimitBits;
  const int64_t sub_bucket = offset % kSubBuckets;
  const int64_t width = int64_t{1} << (exponent - kSubBucketBits);
  return ((kSubBuckets + sub_bucket) << (exponent - kSubBucketBits)) + width -
         1;
}

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBucketCount, 0) {}

void LatencyHistogram::Record(absl::Duration latency) {
  const int64_t micros =
      std::max<int64_t>(0, absl::ToInt64Microseconds(latency));
  ++buckets_[BucketOf(micros)];
  ++count_;
  max_micros_ = std::max(max_micros_, micros);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int64_t i = 0; i < kBucketCount; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_micros_ = std::max(max_micros_, other.max_micros_);
}

absl::Duration LatencyHistogram::Quantile(double quantile) const {
  if (count_ == 0) return absl::ZeroDuration();
  const double clamped = std::clamp(quantile, 0.0, 1.0);
  // The rank of the sample sought, 1-based; at least the first one.
  const int64_t rank = std::max<int64_t>(
      1,
      static_cast<int64_t>(std::ceil(clamped * static_cast<double>(count_))));
  int64_t seen = 0;
  for (int64_t bucket = 0; bucket < kBucketCount; ++bucket) {
    seen += buckets_[bucket];
    if (seen >= rank) {
      return absl::Microseconds(std::min(UpperBoundOf(bucket), max_micros_));
    }
  }
  return max();
}

}  // namespace knob::loadgen

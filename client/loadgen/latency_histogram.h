// LatencyHistogram counts latencies in log-linear buckets, so that a load
// run records millions of calls in constant memory and still reads its
// tail percentiles to within 1/64 (1.6%) of the true value.
//
// Buckets: latencies below 128 us are counted exactly, to the microsecond;
// above, every power of two is split into 64 equal buckets. Latencies
// above about 13 days land in the last bucket.
//
// Thread safety: none; a load generator keeps one per simulated worker and
// merges them when the run is over.
#ifndef KNOB_CLIENT_LOADGEN_LATENCY_HISTOGRAM_H_
#define KNOB_CLIENT_LOADGEN_LATENCY_HISTOGRAM_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"

namespace knob::loadgen {

class LatencyHistogram final {
 public:
  LatencyHistogram();

  // Counts one call that took `latency`; a negative one counts as zero.
  void Record(absl::Duration latency);
  // Adds every sample of `other`.
  void Merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  // The largest latency recorded, exactly; zero when empty.
  absl::Duration max() const { return absl::Microseconds(max_micros_); }

  // The smallest latency that at least `quantile` (clamped to [0, 1]) of
  // the samples do not exceed, as the upper bound of its bucket, so never
  // below the true value and at most 1/64 above it, and never above
  // max(). Zero when empty.
  absl::Duration Quantile(double quantile) const;

 private:
  std::vector<int64_t> buckets_;
  int64_t count_ = 0;
  int64_t max_micros_ = 0;
};

}  // namespace knob::loadgen

#endif  // KNOB_CLIENT_LOADGEN_LATENCY_HISTOGRAM_H_

#include "client/retry.h"

#include <algorithm>

#include "absl/random/distributions.h"

namespace knob {

bool IsRetryableStatus(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kAborted ||
         status.code() == absl::StatusCode::kCancelled ||
         status.code() == absl::StatusCode::kDeadlineExceeded;
}

absl::Duration BackoffDelay(const RetryOptions& options, int retry,
                            absl::BitGenRef rng) {
  const double cap = std::max(0.0, absl::ToDoubleSeconds(options.max_backoff));
  const double growth = std::max(1.0, options.backoff_multiplier);
  double nominal =
      std::max(0.0, absl::ToDoubleSeconds(options.initial_backoff));
  // Stops growing at the cap, so a large retry count cannot overflow.
  for (int i = 1; i < retry && nominal < cap; ++i) nominal *= growth;
  nominal = std::min(nominal, cap);
  const double jitter = std::clamp(options.jitter, 0.0, 1.0);
  double delay = nominal;
  if (jitter > 0 && nominal > 0) {
    delay = absl::Uniform(absl::IntervalClosed, rng, nominal * (1 - jitter),
                          nominal * (1 + jitter));
  }
  return absl::Seconds(std::clamp(delay, 0.0, cap));
}

}  // namespace knob

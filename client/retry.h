// Retry policy of knob::Client: which failures are retried, and how long to
// wait between attempts.
#ifndef KNOB_CLIENT_RETRY_H_
#define KNOB_CLIENT_RETRY_H_

#include "absl/random/bit_gen_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace knob {

struct RetryOptions {
  // Attempts per call, the first one included; 1 disables retries.
  // Default: 8 (about 16 s of back-off with the defaults below).
  int max_attempts = 8;
  // Nominal delay before the first retry. Default: 100 ms.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  // No delay exceeds this. Default: 5 s.
  absl::Duration max_backoff = absl::Seconds(5);
  // Growth of the nominal delay from one retry to the next. Default: 2.
  double backoff_multiplier = 2.0;
  // Each delay is drawn uniformly within ±jitter of its nominal value, so
  // that many workers cut off by the same outage do not retry in lockstep.
  // In [0, 1]. Default: 0.2.
  double jitter = 0.2;
};

// Transient failures: UNAVAILABLE (server or database unreachable),
// ABORTED (a transaction conflict on the server), CANCELLED and
// DEADLINE_EXCEEDED. The client never cancels its own calls, so a
// CANCELLED can only come from the server's side, where gRPC cancels calls
// that arrive while the server shuts down. An attempt that ran out of time
// is safe to repeat because every mutating call carries a request id: the
// retry gets the first attempt's answer if that one landed after all.
// Every other code is an answer.
bool IsRetryableStatus(const absl::Status& status);

// The delay before retry number `retry` (1 for the one after the first
// failed attempt): min(max_backoff, initial_backoff * multiplier^(retry-1))
// with jitter applied, never negative and never above max_backoff.
absl::Duration BackoffDelay(const RetryOptions& options, int retry,
                            absl::BitGenRef rng);

}  // namespace knob

#endif  // KNOB_CLIENT_RETRY_H_

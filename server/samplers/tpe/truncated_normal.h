// The standard-normal arithmetic behind truncated Gaussian kernels: the
// probability mass of an interval, in log space so that kernels far from a
// point still compare, and draws restricted to an interval.
//
// Thread safety: pure functions.
#ifndef KNOB_SERVER_SAMPLERS_TPE_TRUNCATED_NORMAL_H_
#define KNOB_SERVER_SAMPLERS_TPE_TRUNCATED_NORMAL_H_

#include "absl/random/bit_gen_ref.h"

namespace knob {

// log(sqrt(2 pi)): minus the log of the standard normal density at 0.
inline constexpr double kLogSqrtTwoPi = 0.91893853320467274178;

// P(a <= Z <= b) for a standard normal Z, for a <= b (either may be
// infinite); 0 for an empty interval. Both ends are taken from the tail
// they lie in, so the result keeps its relative accuracy far from the mean
// until it underflows (both ends beyond about 37 on one side).
double NormalMass(double a, double b);

// log NormalMass(a, b): -infinity where the mass is 0. Narrow intervals
// (b - a <= 0.05) near enough to the mean are integrated by series, to
// 1e-5 relative and without underflow.
double LogNormalMass(double a, double b);

// A draw from N(mean, sigma^2) conditioned on [low, high], by rejection.
// Requires low <= mean <= high and 0 < sigma <= high - low: then at least a
// third of the untruncated draws land inside, so few are ever needed.
double SampleTruncatedNormal(double mean, double sigma, double low, double high,
                             absl::BitGenRef rng);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_TPE_TRUNCATED_NORMAL_H_

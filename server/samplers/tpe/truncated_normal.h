// The standard-normal arithmetic behind truncated Gaussian kernels: the
// probability mass of an interval, in log space so that kernels far from a
// point still compare, and draws restricted to an interval.
//
// Thread safety: pure functions.
#ifndef KNOB_SERVER_SAMPLERS_TPE_TRUNCATED_NORMAL_H_
#define KNOB_SERVER_SAMPLERS_TPE_TRUNCATED_NORMAL_H_

#include <cmath>

#include "absl/random/bit_gen_ref.h"
#include "absl/types/span.h"

namespace knob {

// log(sqrt(2 pi)): minus the log of the standard normal density at 0.
inline constexpr double kLogSqrtTwoPi = 0.91893853320467274178;

// P(a <= Z <= b) for a standard normal Z, for a <= b (either may be
// infinite); 0 for an empty interval. Both ends are taken from the tail
// they lie in, so the result keeps its relative accuracy far from the mean
// until it underflows (both ends beyond about 37 on one side).
double NormalMass(double a, double b);

// log NormalMass(a, b): -infinity where the mass is 0. Narrow intervals
// (b - a <= 0.25) near enough to the mean (|a + b| (b - a) <= 2) are
// integrated by series, to 1e-5 relative and without underflow.
double LogNormalMass(double a, double b);

// LogNormalMass of the interval of width `width` > 0 centred on `middle`,
// given log(width) as well: callers that scan many intervals of a few
// widths compute each log once, and the series for narrow intervals then
// needs no transcendental function at all.
// Inline: density scans call it once per cell and kernel.
inline double LogNormalMassAround(double middle, double width,
                                  double log_width);

// For Gaussians with means in [0, 1]: the mass each puts on [0, 1], in
// `masses`. One mass per entry of `means` and `inverse_sigmas` (1 / sigma,
// positive). Evaluated in single precision, several at once: each such
// mass is at least 0.34 (the interval holds one side of the mean within
// one sigma), so single precision's absolute error of about 2e-7 is below
// 1e-6 relative.
void UnitIntervalMasses(absl::Span<const double> means,
                        absl::Span<const double> inverse_sigmas,
                        absl::Span<double> masses);

// A draw from N(mean, sigma^2) conditioned on [low, high], by rejection.
// Requires low <= mean <= high and 0 < sigma <= high - low: then at least a
// third of the untruncated draws land inside, so few are ever needed.
double SampleTruncatedNormal(double mean, double sigma, double low, double high,
                             absl::BitGenRef rng);

// Implementation details follow.

inline double LogNormalMassAround(double middle, double width,
                                  double log_width) {
  // A narrow interval, such as one cell of an integer axis under a wide
  // kernel, holds the density at its middle times its width, times the
  // even terms of the Taylor series of the density around the middle:
  //   1 + He2(m) w^2 / 24 + He4(m) w^4 / 1920 + He6(m) w^6 / 322560 + ...
  // with He the Hermite polynomials. Within these bounds (w <= 0.25,
  // |m| w <= 1) the first omitted term is below 4e-6 relative.
  if (width <= 0.25 && std::abs(middle) * width <= 1) {
    const double m2 = middle * middle;
    const double w2 = width * width;
    const double s = w2 * ((m2 - 1) / 24 + w2 * ((m2 - 6) * m2 + 3) / 1920);
    // |s| <= 0.043, so four terms of log(1 + s) leave an error below 1e-7.
    const double log_series = s * (1 - s * (0.5 - s * (1.0 / 3 - s / 4)));
    return -0.5 * m2 - kLogSqrtTwoPi + log_width + log_series;
  }
  const double half = 0.5 * width;
  return std::log(NormalMass(middle - half, middle + half));
}

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_TPE_TRUNCATED_NORMAL_H_

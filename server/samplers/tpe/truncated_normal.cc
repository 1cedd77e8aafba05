#include "server/samplers/tpe/truncated_normal.h"

#include <cmath>

#include "absl/random/distributions.h"

namespace knob {

double NormalMass(double a, double b) {
  if (!(a < b)) return 0;
  // Beyond 8.5 on both sides each tail holds less than 1e-17: the mass is 1
  // to double precision, and kernels far from both ends of their axis are
  // the common case.
  constexpr double kFar = 8.5;
  if (a < -kFar && b > kFar) return 1;
  // Mirror so that the interval does not lie left of zero: the upper tail is
  // then computed directly instead of as a small difference near 1.
  if (b <= 0) return NormalMass(-b, -a);
  const double scale = 1 / std::sqrt(2.0);
  if (a >= 0) return 0.5 * (std::erfc(a * scale) - std::erfc(b * scale));
  // Across zero erf is accurate near zero and the two terms add.
  return 0.5 * (std::erf(b * scale) - std::erf(a * scale));
}

double LogNormalMass(double a, double b) {
  const double width = b - a;
  const double middle = 0.5 * (a + b);
  // A narrow interval, such as one cell of an integer axis under a wide
  // kernel, holds the density at its middle times its width, times
  // 1 + c + O((middle width)^4) with c = (middle^2 - 1) width^2 / 24:
  // within these bounds that is exact to 1e-5 relative, and needs no erfc.
  if (width > 0 && width <= 0.05 && std::abs(middle) * width <= 0.5) {
    const double c = (middle * middle - 1) * width * width / 24;
    // |c| <= 0.011, so three terms of log(1 + c) leave an error below 1e-8.
    const double log_correction = c * (1 - c * (0.5 - c / 3));
    return -0.5 * middle * middle - kLogSqrtTwoPi + std::log(width) +
           log_correction;
  }
  return std::log(NormalMass(a, b));
}

double SampleTruncatedNormal(double mean, double sigma, double low, double high,
                             absl::BitGenRef rng) {
  double x;
  do {
    x = absl::Gaussian<double>(rng, mean, sigma);
  } while (x < low || x > high);
  return x;
}

}  // namespace knob

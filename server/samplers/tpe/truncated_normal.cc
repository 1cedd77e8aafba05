#include "server/samplers/tpe/truncated_normal.h"

#include <cmath>
#include <limits>

#include "Eigen/Core"
#include "absl/random/distributions.h"
#include "unsupported/Eigen/SpecialFunctions"

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
  if (!(width > 0)) return -std::numeric_limits<double>::infinity();
  if (std::isinf(width)) return std::log(NormalMass(a, b));
  return LogNormalMassAround(0.5 * (a + b), width, std::log(width));
}

void UnitIntervalMasses(absl::Span<const double> means,
                        absl::Span<const double> inverse_sigmas,
                        absl::Span<double> masses) {
  const Eigen::Index n = static_cast<Eigen::Index>(means.size());
  const Eigen::Map<const Eigen::ArrayXd> mean(means.data(), n);
  const Eigen::Map<const Eigen::ArrayXd> inverse_sigma(inverse_sigmas.data(),
                                                       n);
  // Phi(x) - 1/2 = erf(x / sqrt(2)) / 2 on each side of the mean.
  const Eigen::ArrayXf below = (mean * inverse_sigma * M_SQRT1_2).cast<float>();
  const Eigen::ArrayXf above =
      ((1 - mean) * inverse_sigma * M_SQRT1_2).cast<float>();
  Eigen::Map<Eigen::ArrayXd>(masses.data(), n) =
      (0.5f * (below.erf() + above.erf())).cast<double>();
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

#include "server/samplers/multi_objective/nsga2_variation.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/random/distributions.h"

namespace knob {
namespace {

// Distribution indices: larger keeps children closer to their parents.
// 20 is the customary value for both operators; on ZDT1 and DTLZ2, values
// from 2 to 40 changed the hypervolume reached by little.
constexpr double kSbxIndex = 20;
constexpr double kMutationIndex = 20;

// Parents closer than this are treated as equal by SBX, whose spread
// divides by their distance.
constexpr double kSameValue = 1e-14;

double Uniform01(absl::BitGenRef rng) { return absl::Uniform(rng, 0.0, 1.0); }

// One SBX child of parent values `a` and `b` in [0, 1], on the side of `b`
// when `toward_b`, bounded so that the child stays in [0, 1]: the spread
// factor's distribution is cut where the child would cross the bound, and
// the cut mass redistributed.
double Sbx(double a, double b, bool toward_b, absl::BitGenRef rng) {
  const double u = Uniform01(rng);
  if (std::abs(a - b) < kSameValue) return toward_b ? b : a;
  const double low = std::min(a, b);
  const double high = std::max(a, b);
  const double gap = high - low;
  const bool toward_low = (toward_b ? b : a) == low;
  const double room = toward_low ? low : 1 - high;
  const double beta = 1 + 2 * room / gap;
  const double alpha = 2 - std::pow(beta, -(kSbxIndex + 1));
  const double exponent = 1 / (kSbxIndex + 1);
  const double spread = u <= 1 / alpha
                            ? std::pow(u * alpha, exponent)
                            : std::pow(1 / (2 - u * alpha), exponent);
  const double middle = (low + high) / 2;
  const double child =
      toward_low ? middle - spread * gap / 2 : middle + spread * gap / 2;
  return std::clamp(child, 0.0, 1.0);
}

double BlxAlpha(double a, double b, absl::BitGenRef rng) {
  const double gap = std::abs(a - b);
  const double low = std::max(0.0, std::min(a, b) - gap / 2);
  const double high = std::min(1.0, std::max(a, b) + gap / 2);
  return low + Uniform01(rng) * (high - low);
}

// Deb's bounded polynomial mutation: a perturbation of `x` in [0, 1] whose
// density peaks at x and whose reach on each side is the room to the
// bound there.
double PolynomialMutation(double x, absl::BitGenRef rng) {
  const double u = Uniform01(rng);
  const double exponent = 1 / (kMutationIndex + 1);
  double shift;
  if (u < 0.5) {
    const double tail = std::pow(1 - x, kMutationIndex + 1);
    shift = std::pow(2 * u + (1 - 2 * u) * tail, exponent) - 1;
  } else {
    const double tail = std::pow(x, kMutationIndex + 1);
    shift = 1 - std::pow(2 * (1 - u) + 2 * (u - 0.5) * tail, exponent);
  }
  return std::clamp(x + shift, 0.0, 1.0);
}

double Cross(bool categorical, double a, double b, bool lean_on_b,
             const VariationOptions& options, absl::BitGenRef rng) {
  if (categorical || options.crossover == CrossoverKind::kUniform) {
    return lean_on_b ? b : a;
  }
  if (options.crossover == CrossoverKind::kBlxAlpha) {
    return BlxAlpha(a, b, rng);
  }
  return Sbx(a, b, lean_on_b, rng);
}

}  // namespace

std::vector<double> MakeChild(const UnitCube& cube,
                              absl::Span<const std::optional<double>> first,
                              absl::Span<const std::optional<double>> second,
                              const VariationOptions& options,
                              absl::BitGenRef rng) {
  const bool crossover = absl::Bernoulli(rng, options.crossover_prob);
  std::vector<double> child(cube.dimensions());
  for (int i = 0; i < cube.dimensions(); ++i) {
    const bool categorical = cube.IsCategorical(i);
    const bool lean_on_second = absl::Bernoulli(rng, options.swapping_prob);
    if (first[i] && second[i]) {
      child[i] = crossover ? Cross(categorical, *first[i], *second[i],
                                   lean_on_second, options, rng)
                           : *first[i];
    } else if (first[i] || second[i]) {
      child[i] = first[i] ? *first[i] : *second[i];
    } else {
      child[i] = Uniform01(rng);
    }
    if (absl::Bernoulli(rng, options.mutation_prob)) {
      child[i] =
          categorical ? Uniform01(rng) : PolynomialMutation(child[i], rng);
    }
  }
  return child;
}

}  // namespace knob

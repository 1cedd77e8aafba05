#include "server/samplers/gp/gp_space.h"

#include <optional>

#include "absl/random/distributions.h"
#include "server/model/search_space.h"

namespace knob::gp {
namespace {

constexpr int64_t kCachedGridSize = 1 << 16;

}  // namespace

GpSpace::GpSpace(const StudyConfig& config) : cube_(config) {
  for (const ParameterSpec& spec : config.parameters) {
    if (spec.condition) has_conditions_ = true;
  }
  for (int i = 0; i < dimensions(); ++i) {
    const std::optional<int64_t> cardinality = cube_.Cardinality(i);
    kinds_.push_back(cube_.IsCategorical(i) ? CoordinateKind::kCategorical
                     : cardinality          ? CoordinateKind::kDiscrete
                                            : CoordinateKind::kContinuous);
    cardinalities_.push_back(cardinality.value_or(0));
    std::vector<double>& grid = grids_.emplace_back();
    if (cardinality && *cardinality <= kCachedGridSize) {
      const Domain& domain = cube_.parameter(i).domain;
      for (int64_t index = 0; index < *cardinality; ++index) {
        grid.push_back(*cube_.EncodeCoordinate(i, DomainPoint(domain, index)));
      }
    }
  }
}

std::vector<bool> GpSpace::categorical() const {
  std::vector<bool> categorical;
  for (CoordinateKind kind : kinds_) {
    categorical.push_back(kind == CoordinateKind::kCategorical);
  }
  return categorical;
}

double GpSpace::GridPoint(int i, int64_t index) const {
  if (!grids_[i].empty()) return grids_[i][index];
  return *cube_.EncodeCoordinate(i,
                                 DomainPoint(cube_.parameter(i).domain, index));
}

int64_t GpSpace::GridIndex(int i, double u) const {
  return *DomainIndex(cube_.parameter(i).domain, cube_.DecodeCoordinate(i, u));
}

double GpSpace::InactiveValue(int i) const {
  return kinds_[i] == CoordinateKind::kCategorical ? kInactiveCategorical
                                                   : kInactiveNumeric;
}

Eigen::VectorXd GpSpace::Encode(const ParamAssignment& params) const {
  const std::vector<std::optional<double>> encoded = cube_.Encode(params);
  Eigen::VectorXd point(dimensions());
  for (int i = 0; i < dimensions(); ++i) {
    point[i] = encoded[i].value_or(InactiveValue(i));
  }
  return point;
}

void GpSpace::Canonicalize(Eigen::VectorXd& point) const {
  if (has_conditions_) {
    point = Encode(Decode(point));
    return;
  }
  for (int i = 0; i < dimensions(); ++i) {
    if (kinds_[i] != CoordinateKind::kContinuous) {
      point[i] = GridPoint(i, GridIndex(i, point[i]));
    }
  }
}

std::vector<bool> GpSpace::ActiveCoordinates(
    const Eigen::VectorXd& point) const {
  std::vector<bool> active(dimensions(), true);
  if (!has_conditions_) return active;
  const ParamAssignment params = Decode(point);
  for (int i = 0; i < dimensions(); ++i) {
    active[i] = params.contains(cube_.parameter(i).name);
  }
  return active;
}

ParamAssignment GpSpace::Decode(const Eigen::VectorXd& point) const {
  return cube_.Decode(absl::MakeConstSpan(point.data(), point.size()));
}

Eigen::VectorXd GpSpace::RandomPoint(absl::BitGenRef rng) const {
  Eigen::VectorXd point(dimensions());
  for (int i = 0; i < dimensions(); ++i)
    point[i] = absl::Uniform(rng, 0.0, 1.0);
  Canonicalize(point);
  return point;
}

}  // namespace knob::gp

#include "server/pruners/learning_curves.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace knob {
namespace {

bool StepBefore(const StepValue& point, int64_t step) {
  return point.step < step;
}

}  // namespace

Curve ExtractCurve(const Trial& trial, absl::string_view metric) {
  Curve curve;
  for (const IntermediateValue& reported : trial.intermediate_values) {
    if (reported.metric != metric || !std::isfinite(reported.value)) continue;
    curve.push_back({reported.step, reported.value});
  }
  std::stable_sort(
      curve.begin(), curve.end(),
      [](const StepValue& a, const StepValue& b) { return a.step < b.step; });
  // Keep the last of equal steps: reverse so that `unique` keeps it.
  std::reverse(curve.begin(), curve.end());
  curve.erase(std::unique(curve.begin(), curve.end(),
                          [](const StepValue& a, const StepValue& b) {
                            return a.step == b.step;
                          }),
              curve.end());
  std::reverse(curve.begin(), curve.end());
  return curve;
}

const StepValue* PointAt(const Curve& curve, int64_t step) {
  const StepValue* point = FirstPointFrom(curve, step);
  return point != nullptr && point->step == step ? point : nullptr;
}

const StepValue* FirstPointFrom(const Curve& curve, int64_t step) {
  if (curve.empty()) return nullptr;
  if (step <= curve.front().step) return &curve.front();
  // Most trials report every step, which puts step s at index
  // s - first step: look there first. Steps are unique and sorted, so a
  // hit is the first point at or after `step`. Pruners look up every
  // trial's curve per call, so a search's scattered reads would dominate.
  const int64_t guess = step - curve.front().step;
  if (guess < static_cast<int64_t>(curve.size()) && curve[guess].step == step) {
    return &curve[guess];
  }
  auto it = std::lower_bound(curve.begin(), curve.end(), step, StepBefore);
  return it == curve.end() ? nullptr : &*it;
}

std::optional<double> BestUpTo(const Curve& curve, int64_t step,
                               Direction direction) {
  std::optional<double> best;
  for (const StepValue& point : curve) {
    if (point.step > step) break;
    if (!best.has_value() || IsBetter(point.value, *best, direction)) {
      best = point.value;
    }
  }
  return best;
}

CurveCache::CurveCache(std::string metric) : metric_(std::move(metric)) {}

const Curve& CurveCache::CurveOf(const Trial& trial) {
  const auto index = static_cast<size_t>(trial.number);
  if (index >= entries_.size()) entries_.resize(index + 1);
  Entry& entry = entries_[index];
  if (entry.id != trial.id || entry.sequence != trial.sequence ||
      entry.value_count != trial.intermediate_values.size()) {
    entry.id = trial.id;
    entry.sequence = trial.sequence;
    entry.value_count = trial.intermediate_values.size();
    entry.curve = ExtractCurve(trial, metric_);
  }
  return entry.curve;
}

}  // namespace knob

// A trial's learning curve for one metric (its intermediate values by
// step), the queries pruners make of it, and a cache of the curves of a
// study's trials, so that a pruner called on every report reads each
// trial's values once per change to the trial rather than once per call.
#ifndef KNOB_SERVER_PRUNERS_LEARNING_CURVES_H_
#define KNOB_SERVER_PRUNERS_LEARNING_CURVES_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/model/study.h"
#include "server/model/trial.h"

namespace knob {

struct StepValue {
  int64_t step = 0;
  double value = 0;
};

// Sorted by step, one point per step, finite values only.
using Curve = std::vector<StepValue>;

// The finite values `trial` reported for `metric`. Should a step appear
// twice, the later report wins, as it does in storage.
Curve ExtractCurve(const Trial& trial, absl::string_view metric);

// The point at exactly `step`, or nullptr.
const StepValue* PointAt(const Curve& curve, int64_t step);

// The first point at or after `step`, or nullptr.
const StepValue* FirstPointFrom(const Curve& curve, int64_t step);

// Whether `a` is strictly better than `b`. Inline: pruners call it per
// value when ranking a step's values.
inline bool IsBetter(double a, double b, Direction direction) {
  return direction == Direction::kMinimize ? a < b : a > b;
}

// The best value at steps <= `step`; nullopt when there is none.
std::optional<double> BestUpTo(const Curve& curve, int64_t step,
                               Direction direction);

// Remembers the curves of one metric for a study's trials.
//
// A cached curve is reused while the trial's id, sequence and number of
// intermediate values are those it was read from. Storage stamps every
// change to a trial with a new study sequence (storage.h), so a reused
// curve is exactly the one a fresh read would give: a cold instance
// answers the same as a warm one.
//
// Thread safety: none; a pruner is called for one study at a time.
class CurveCache {
 public:
  explicit CurveCache(std::string metric);

  // `trial`'s curve. The reference stays valid until CurveOf is next
  // called with the same trial number.
  const Curve& CurveOf(const Trial& trial);

 private:
  struct Entry {
    int64_t id = -1;
    int64_t sequence = 0;
    size_t value_count = 0;
    Curve curve;
  };

  std::string metric_;
  // By trial number; a deque, so that growing it keeps the curves handed
  // out in place.
  std::deque<Entry> entries_;
};

}  // namespace knob

#endif  // KNOB_SERVER_PRUNERS_LEARNING_CURVES_H_

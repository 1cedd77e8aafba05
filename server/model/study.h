// Studies in the server's own terms (the API layer converts from proto).
#ifndef KNOB_SERVER_MODEL_STUDY_H_
#define KNOB_SERVER_MODEL_STUDY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "server/model/value.h"

namespace knob {

struct FloatDomain {
  double min = 0;
  double max = 1;
  bool log_scale = false;
  // Values are min + k * step when set.
  std::optional<double> step;
  bool operator==(const FloatDomain&) const = default;
};

struct IntDomain {
  int64_t min = 0;
  int64_t max = 1;
  bool log_scale = false;
  int64_t step = 1;
  bool operator==(const IntDomain&) const = default;
};

struct CategoricalDomain {
  std::vector<ParamValue> choices;
  bool operator==(const CategoricalDomain&) const = default;
};

struct FixedDomain {
  ParamValue value;
  bool operator==(const FixedDomain&) const = default;
};

using Domain =
    std::variant<FloatDomain, IntDomain, CategoricalDomain, FixedDomain>;

// The parameter is active only when `parent` is active and its value is
// one of `values`.
struct Condition {
  std::string parent;
  std::vector<ParamValue> values;
  bool operator==(const Condition&) const = default;
};

struct ParameterSpec {
  std::string name;
  Domain domain;
  std::optional<Condition> condition;
  bool operator==(const ParameterSpec&) const = default;
};

enum class Direction { kMinimize, kMaximize };

struct Objective {
  std::string metric;
  Direction direction = Direction::kMinimize;
  bool operator==(const Objective&) const = default;
};

// A bound on an extra metric that a COMPLETED trial must respect to be
// feasible (see constraints.h). Both comparisons are inclusive.
struct OutcomeConstraint {
  enum class Kind {
    kMax,  // feasible when metric <= bound
    kMin,  // feasible when metric >= bound
  };
  std::string metric;
  Kind kind = Kind::kMax;
  double bound = 0;
  bool operator==(const OutcomeConstraint&) const = default;
};

// A pluggable algorithm (sampler or pruner) by registered name.
struct AlgorithmSpec {
  std::string name;
  std::map<std::string, ParamValue> options;
  bool operator==(const AlgorithmSpec&) const = default;
};

// Unset members mean "no limit".
struct StoppingCriteria {
  std::optional<int64_t> max_trials;
  std::optional<int64_t> max_failed_trials;
  std::optional<absl::Duration> max_wall_time;
  // One objective only: complete once the best feasible value reaches this
  // (<= when minimizing, >= when maximizing).
  std::optional<double> target_value;
  // One objective only: complete once this many trials finished (COMPLETED
  // or PRUNED) with a number above the best feasible trial's, none of them
  // better.
  std::optional<int64_t> patience;
  bool operator==(const StoppingCriteria&) const = default;
};

struct StudyConfig {
  // In declaration order; a condition's parent may come later.
  std::vector<ParameterSpec> parameters;
  std::vector<Objective> objectives;
  std::vector<std::string> extra_metrics;
  // A trial is feasible when it meets all of them.
  std::vector<OutcomeConstraint> constraints;
  AlgorithmSpec sampler;
  AlgorithmSpec pruner;
  uint64_t seed = 0;
  StoppingCriteria stopping;
  absl::Duration lease_duration = absl::Minutes(5);
  // How many times a STALE trial's parameters are enqueued again, counted
  // along the chain of retries of one point; 0: never.
  int32_t max_stale_retries = 0;
  bool operator==(const StudyConfig&) const = default;
};

enum class StudyState { kRunning, kPaused, kStopped, kCompleted };

// "RUNNING", "PAUSED", "STOPPED", "COMPLETED": the text PostgreSQL stores.
const char* StudyStateName(StudyState state);
std::optional<StudyState> StudyStateFromName(std::string_view name);

struct Study {
  int64_t id = 0;
  std::string name;
  StudyConfig config;
  StudyState state = StudyState::kRunning;
  std::string state_reason;
  std::map<std::string, std::string> metadata;
  absl::Time create_time;
  absl::Time update_time;
  // Bumped by every committed change to the study or its trials.
  int64_t sequence = 0;
  // Number of trials ever created; the next trial gets this number.
  int64_t next_trial_number = 0;
  // What Sampler::SaveState returned when trials were last sampled: opaque
  // bytes that let the sampler resume. Empty when it keeps no state.
  std::string sampler_state;
};

}  // namespace knob

#endif  // KNOB_SERVER_MODEL_STUDY_H_

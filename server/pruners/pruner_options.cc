#include "server/pruners/pruner_options.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", text, "\"");
}

std::vector<std::string> StudyMetrics(const StudyConfig& config) {
  std::vector<std::string> metrics;
  for (const Objective& objective : config.objectives) {
    metrics.push_back(objective.metric);
  }
  metrics.insert(metrics.end(), config.extra_metrics.begin(),
                 config.extra_metrics.end());
  return metrics;
}

const Objective* FindObjective(const StudyConfig& config,
                               const std::string& metric) {
  auto it = std::find_if(
      config.objectives.begin(), config.objectives.end(),
      [&](const Objective& objective) { return objective.metric == metric; });
  return it == config.objectives.end() ? nullptr : &*it;
}

absl::Status ReadMetricAndDirection(const StudyConfig& config,
                                    const AlgorithmSpec& spec,
                                    AlgorithmOptions& reader,
                                    CommonOptionUse use,
                                    PrunerCommonOptions& options) {
  const std::string default_metric =
      config.objectives.empty() ? "" : config.objectives.front().metric;
  ASSIGN_OR_RETURN(options.metric, reader.String("metric", default_metric));
  const std::vector<std::string> metrics = StudyMetrics(config);
  if (std::find(metrics.begin(), metrics.end(), options.metric) ==
      metrics.end()) {
    return InvalidPrunerOption(
        spec, "metric",
        absl::StrCat("an objective or extra metric of the study (",
                     absl::StrJoin(metrics, ", "), ")"),
        Quoted(options.metric));
  }
  if (!use.direction) return absl::OkStatus();

  const Objective* objective = FindObjective(config, options.metric);
  if (!spec.options.contains("direction")) {
    if (objective == nullptr) {
      return InvalidPrunerOption(
          spec, "direction",
          absl::StrCat("\"minimize\" or \"maximize\" for extra metric ",
                       Quoted(options.metric)),
          "none");
    }
    options.direction = objective->direction;
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::string direction, reader.String("direction", ""));
  if (direction == "minimize") {
    options.direction = Direction::kMinimize;
  } else if (direction == "maximize") {
    options.direction = Direction::kMaximize;
  } else {
    return InvalidPrunerOption(
        spec, "direction", "\"minimize\" or \"maximize\"", Quoted(direction));
  }
  // A pruner working against the study's own objective is a mistake.
  if (objective != nullptr && objective->direction != options.direction) {
    return InvalidPrunerOption(
        spec, "direction",
        absl::StrCat(Quoted(DirectionName(objective->direction)),
                     " (the direction of objective ", Quoted(objective->metric),
                     ") or no direction"),
        Quoted(direction));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PrunerCommonOptions> ParseCommonPrunerOptions(
    const StudyConfig& config, const AlgorithmSpec& spec,
    AlgorithmOptions& reader, CommonOptionUse use) {
  PrunerCommonOptions options;
  RETURN_IF_ERROR(ReadMetricAndDirection(config, spec, reader, use, options));
  if (use.peers) {
    ASSIGN_OR_RETURN(options.n_startup_trials,
                     ReadIntAtLeast(spec, reader, "n_startup_trials",
                                    use.default_startup_trials, 0));
    ASSIGN_OR_RETURN(
        options.n_min_trials,
        ReadIntAtLeast(spec, reader, "n_min_trials", options.n_min_trials, 1));
  } else {
    options.n_startup_trials = 0;
    options.n_min_trials = 0;
  }
  if (use.step_schedule) {
    ASSIGN_OR_RETURN(options.n_warmup_steps,
                     ReadIntAtLeast(spec, reader, "n_warmup_steps",
                                    options.n_warmup_steps, 0));
    ASSIGN_OR_RETURN(options.interval_steps,
                     ReadIntAtLeast(spec, reader, "interval_steps",
                                    options.interval_steps, 1));
  }
  return options;
}

absl::StatusOr<int64_t> ReadIntAtLeast(const AlgorithmSpec& spec,
                                       AlgorithmOptions& reader,
                                       const std::string& name,
                                       int64_t default_value, int64_t minimum) {
  ASSIGN_OR_RETURN(int64_t value, reader.Int(name, default_value));
  if (value < minimum) {
    return InvalidPrunerOption(spec, name, absl::StrCat("an int >= ", minimum),
                               absl::StrCat(value));
  }
  return value;
}

absl::Status InvalidPrunerOption(const AlgorithmSpec& spec,
                                 absl::string_view option,
                                 absl::string_view expected,
                                 absl::string_view got) {
  return absl::InvalidArgumentError(absl::StrCat("pruner.options.", option,
                                                 ": ", spec.name, " expects ",
                                                 expected, ", got ", got));
}

const char* DirectionName(Direction direction) {
  return direction == Direction::kMaximize ? "maximize" : "minimize";
}

}  // namespace knob

#include "server/pruners/threshold_pruner.h"

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "server/model/algorithm_options.h"
#include "server/pruners/pruner_options.h"
#include "server/pruners/report_screen.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

class ThresholdPruner final : public Pruner {
 public:
  ThresholdPruner(PrunerCommonOptions options, std::optional<double> lower,
                  std::optional<double> upper)
      : options_(std::move(options)), lower_(lower), upper_(upper) {}

  absl::StatusOr<PruneDecision> ShouldPrune(
      const PruningContext& context) override {
    auto screened = ScreenReport(context, options_);
    if (auto* decision = std::get_if<PruneDecision>(&screened)) {
      return *decision;
    }
    const JudgedReport& report = std::get<JudgedReport>(screened);
    if (lower_.has_value() && report.value < *lower_) {
      return Prune(report, "below the lower", *lower_);
    }
    if (upper_.has_value() && report.value > *upper_) {
      return Prune(report, "above the upper", *upper_);
    }
    return PruneDecision{};
  }

 private:
  PruneDecision Prune(const JudgedReport& report, const char* side,
                      double bound) const {
    return PruneDecision{
        .prune = true,
        .reason = absl::StrCat("step ", report.step, ": ", options_.metric, " ",
                               report.value, " is ", side, " bound ", bound)};
  }

  const PrunerCommonOptions options_;
  const std::optional<double> lower_;
  const std::optional<double> upper_;
};

absl::StatusOr<std::optional<double>> ReadBound(const AlgorithmSpec& spec,
                                                AlgorithmOptions& reader,
                                                const std::string& name) {
  ASSIGN_OR_RETURN(double bound, reader.Double(name, 0));
  if (!spec.options.contains(name)) return std::nullopt;
  if (!std::isfinite(bound)) {
    return InvalidPrunerOption(spec, name, "a finite number",
                               absl::StrCat(bound));
  }
  return bound;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Pruner>> CreateThresholdPruner(
    const StudyConfig& config, const AlgorithmSpec& spec) {
  AlgorithmOptions reader("pruner", spec);
  ASSIGN_OR_RETURN(
      PrunerCommonOptions options,
      ParseCommonPrunerOptions(
          config, spec, reader,
          {.direction = false, .peers = false, .step_schedule = true}));
  ASSIGN_OR_RETURN(std::optional<double> lower,
                   ReadBound(spec, reader, "lower"));
  ASSIGN_OR_RETURN(std::optional<double> upper,
                   ReadBound(spec, reader, "upper"));
  if (!lower.has_value() && !upper.has_value()) {
    return InvalidPrunerOption(
        spec, "lower", "a number in `lower`, `upper` or both", "neither");
  }
  if (lower.has_value() && upper.has_value() && *lower > *upper) {
    return InvalidPrunerOption(spec, "upper",
                               absl::StrCat("a number >= lower (", *lower, ")"),
                               absl::StrCat(*upper));
  }
  RETURN_IF_ERROR(reader.CheckAllUsed());
  return std::make_unique<ThresholdPruner>(std::move(options), lower, upper);
}

}  // namespace knob

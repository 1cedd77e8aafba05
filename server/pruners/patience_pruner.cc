#include "server/pruners/patience_pruner.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "server/model/algorithm_options.h"
#include "server/pruners/learning_curves.h"
#include "server/pruners/pruner_options.h"
#include "server/pruners/pruner_registry.h"
#include "server/pruners/report_screen.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

constexpr absl::string_view kWrappedPrefix = "wrapped.";

struct Stagnation {
  // Reported steps since the last improvement.
  int64_t steps = 0;
  // The value of the last improvement (or the first value).
  double reference = 0;
};

class PatiencePruner final : public Pruner {
 public:
  PatiencePruner(PrunerCommonOptions options, int64_t patience,
                 double min_delta, std::unique_ptr<Pruner> wrapped)
      : options_(std::move(options)),
        patience_(patience),
        min_delta_(min_delta),
        wrapped_(std::move(wrapped)) {}

  absl::StatusOr<PruneDecision> ShouldPrune(
      const PruningContext& context) override {
    auto screened = ScreenReport(context, options_);
    if (auto* decision = std::get_if<PruneDecision>(&screened)) {
      return *decision;
    }
    const JudgedReport& report = std::get<JudgedReport>(screened);
    const Stagnation stagnation = StagnationUpTo(report);
    if (stagnation.steps < patience_) return PruneDecision{};
    std::string reason = absl::StrCat(
        "step ", report.step, ": ", options_.metric, " has not improved on ",
        stagnation.reference,
        min_delta_ > 0 ? absl::StrCat(" by more than ", min_delta_) : "",
        " for ", stagnation.steps, stagnation.steps == 1 ? " step" : " steps");
    if (wrapped_ == nullptr) {
      return PruneDecision{.prune = true, .reason = std::move(reason)};
    }
    ASSIGN_OR_RETURN(PruneDecision wrapped, wrapped_->ShouldPrune(context));
    if (!wrapped.prune) return PruneDecision{};
    return PruneDecision{.prune = true,
                         .reason = absl::StrCat(reason, "; ", wrapped.reason)};
  }

 private:
  Stagnation StagnationUpTo(const JudgedReport& report) const {
    Stagnation stagnation{.steps = 0, .reference = report.curve.front().value};
    for (size_t i = 1;
         i < report.curve.size() && report.curve[i].step <= report.step; ++i) {
      const double value = report.curve[i].value;
      const double margin = options_.direction == Direction::kMinimize
                                ? stagnation.reference - value
                                : value - stagnation.reference;
      if (margin > min_delta_) {
        stagnation = {.steps = 0, .reference = value};
      } else {
        ++stagnation.steps;
      }
    }
    return stagnation;
  }

  const PrunerCommonOptions options_;
  const int64_t patience_;
  const double min_delta_;
  // Null when patience alone decides.
  const std::unique_ptr<Pruner> wrapped_;
};

// Re-targets an error about the wrapped pruner's option `x`, which names
// `pruner.options.x`, at `pruner.options.wrapped.x`, the option the study
// actually set.
absl::Status AsWrappedOptionError(const absl::Status& status) {
  constexpr absl::string_view kOptions = "pruner.options.";
  absl::string_view message = status.message();
  if (absl::ConsumePrefix(&message, kOptions)) {
    return absl::Status(status.code(),
                        absl::StrCat(kOptions, kWrappedPrefix, message));
  }
  return absl::Status(status.code(),
                      absl::StrCat("pruner.options.wrapped: ", message));
}

absl::StatusOr<std::unique_ptr<Pruner>> CreateWrappedPruner(
    const StudyConfig& config, const AlgorithmSpec& spec,
    const std::string& name, AlgorithmSpec wrapped_spec) {
  if (name == "none") {
    if (!wrapped_spec.options.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("pruner.options.", kWrappedPrefix,
                       wrapped_spec.options.begin()->first, ": ", spec.name,
                       " has no wrapped pruner to give it to; set `wrapped`"));
    }
    return nullptr;
  }
  // The built-in pruners; building the registry is cheap and happens once
  // per study.
  const PrunerRegistry registry;
  const std::vector<std::string> names = registry.Names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    return InvalidPrunerOption(
        spec, "wrapped",
        absl::StrCat("a pruner name (", absl::StrJoin(names, ", "), ")"),
        absl::StrCat("\"", name, "\""));
  }
  wrapped_spec.name = name;
  if (auto metric = spec.options.find("metric"); metric != spec.options.end()) {
    wrapped_spec.options.try_emplace("metric", metric->second);
  }
  absl::StatusOr<std::unique_ptr<Pruner>> wrapped =
      registry.Create(config, wrapped_spec);
  if (!wrapped.ok()) return AsWrappedOptionError(wrapped.status());
  return wrapped;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Pruner>> CreatePatiencePruner(
    const StudyConfig& config, const AlgorithmSpec& spec) {
  AlgorithmSpec own{.name = spec.name, .options = {}};
  AlgorithmSpec wrapped_spec;
  for (const auto& [name, value] : spec.options) {
    absl::string_view option = name;
    if (absl::ConsumePrefix(&option, kWrappedPrefix)) {
      wrapped_spec.options.emplace(option, value);
    } else {
      own.options.emplace(name, value);
    }
  }
  AlgorithmOptions reader("pruner", own);
  ASSIGN_OR_RETURN(
      PrunerCommonOptions options,
      ParseCommonPrunerOptions(
          config, own, reader,
          {.direction = true, .peers = false, .step_schedule = true}));
  if (!own.options.contains("patience")) {
    return InvalidPrunerOption(own, "patience", "an int >= 1", "none");
  }
  ASSIGN_OR_RETURN(int64_t patience,
                   ReadIntAtLeast(own, reader, "patience", 1, 1));
  ASSIGN_OR_RETURN(double min_delta, reader.Double("min_delta", 0));
  if (!(min_delta >= 0) || !std::isfinite(min_delta)) {
    return InvalidPrunerOption(own, "min_delta", "a finite number >= 0",
                               absl::StrCat(min_delta));
  }
  ASSIGN_OR_RETURN(std::string wrapped_name, reader.String("wrapped", "none"));
  RETURN_IF_ERROR(reader.CheckAllUsed());
  ASSIGN_OR_RETURN(
      std::unique_ptr<Pruner> wrapped,
      CreateWrappedPruner(config, own, wrapped_name, std::move(wrapped_spec)));
  return std::make_unique<PatiencePruner>(std::move(options), patience,
                                          min_delta, std::move(wrapped));
}

}  // namespace knob

#include "server/pruners/percentile_pruner.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "server/model/algorithm_options.h"
#include "server/pruners/learning_curves.h"
#include "server/pruners/pruner_options.h"
#include "server/pruners/report_screen.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

class PercentilePruner final : public Pruner {
 public:
  // `cutoff_name` names the cut-off in reasons ("the median").
  PercentilePruner(PrunerCommonOptions options, double percentile,
                   std::string cutoff_name)
      : options_(std::move(options)),
        percentile_(percentile),
        cutoff_name_(std::move(cutoff_name)),
        curves_(options_.metric) {}

  absl::StatusOr<PruneDecision> ShouldPrune(
      const PruningContext& context) override {
    auto screened = ScreenReport(context, options_);
    if (auto* decision = std::get_if<PruneDecision>(&screened)) {
      return *decision;
    }
    const JudgedReport& report = std::get<JudgedReport>(screened);
    std::vector<double> peers;
    for (const Trial* trial : context.trials) {
      if (trial == nullptr || trial->number == context.trial.number ||
          !IsCompared(trial->state) || trial->state == TrialState::kPruned) {
        continue;
      }
      if (const StepValue* point =
              PointAt(curves_.CurveOf(*trial), report.step)) {
        peers.push_back(point->value);
      }
    }
    if (static_cast<int64_t>(peers.size()) < options_.n_min_trials) {
      return PruneDecision{};
    }
    const double best =
        *BestUpTo(report.curve, report.step, options_.direction);
    const size_t n_peers = peers.size();
    const double cutoff =
        PercentileFromBest(std::move(peers), percentile_, options_.direction);
    if (!IsBetter(cutoff, best, options_.direction)) return PruneDecision{};
    return PruneDecision{
        .prune = true,
        .reason =
            absl::StrCat("step ", report.step, ": best ", options_.metric, " ",
                         best, " is worse than ", cutoff_name_, " ", cutoff,
                         " of ", n_peers, n_peers == 1 ? " trial" : " trials")};
  }

 private:
  const PrunerCommonOptions options_;
  const double percentile_;
  const std::string cutoff_name_;
  CurveCache curves_;
};

}  // namespace

double PercentileFromBest(std::vector<double> values, double percentile,
                          Direction direction) {
  auto best_first = [direction](double a, double b) {
    return IsBetter(a, b, direction);
  };
  const double rank = percentile / 100 * static_cast<double>(values.size() - 1);
  const auto below = static_cast<size_t>(std::floor(rank));
  const double fraction = rank - static_cast<double>(below);
  std::nth_element(values.begin(), values.begin() + below, values.end(),
                   best_first);
  const double at_rank = values[below];
  if (fraction == 0 || below + 1 == values.size()) return at_rank;
  // After nth_element, the next value in best-first order is the best of
  // those behind `below`.
  const double next =
      *std::min_element(values.begin() + below + 1, values.end(), best_first);
  return at_rank + (next - at_rank) * fraction;
}

absl::StatusOr<std::unique_ptr<Pruner>> CreateMedianPruner(
    const StudyConfig& config, const AlgorithmSpec& spec) {
  AlgorithmOptions reader("pruner", spec);
  ASSIGN_OR_RETURN(PrunerCommonOptions options,
                   ParseCommonPrunerOptions(config, spec, reader, {}));
  RETURN_IF_ERROR(reader.CheckAllUsed());
  return std::make_unique<PercentilePruner>(std::move(options), 50,
                                            "the median");
}

absl::StatusOr<std::unique_ptr<Pruner>> CreatePercentilePruner(
    const StudyConfig& config, const AlgorithmSpec& spec) {
  AlgorithmOptions reader("pruner", spec);
  ASSIGN_OR_RETURN(PrunerCommonOptions options,
                   ParseCommonPrunerOptions(config, spec, reader, {}));
  ASSIGN_OR_RETURN(double percentile, reader.Double("percentile", 25));
  if (!(percentile > 0 && percentile < 100)) {
    return InvalidPrunerOption(spec, "percentile", "a number in (0, 100)",
                               absl::StrCat(percentile));
  }
  RETURN_IF_ERROR(reader.CheckAllUsed());
  return std::make_unique<PercentilePruner>(
      std::move(options), percentile,
      absl::StrCat("the top-", percentile, "% cut-off"));
}

}  // namespace knob

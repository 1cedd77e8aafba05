#include "server/samplers/cmaes/cmaes_sampler.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "Eigen/Core"
#include "absl/random/distributions.h"
#include "absl/strings/str_cat.h"
#include "server/model/algorithm_options.h"
#include "server/model/constraints.h"
#include "server/model/study_config_validation.h"
#include "server/samplers/cmaes/cma_state.h"
#include "server/samplers/cmaes/grid_cells.h"
#include "server/samplers/cmaes/run_state.h"
#include "server/samplers/observations.h"
#include "server/samplers/unit_cube.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

using cmaes::Candidate;
using cmaes::CmaState;
using cmaes::RunState;
using cmaes::Termination;

// Draws that must land inside the cube before one is moved onto it.
constexpr int kDrawsInside = 8;
// Draws that may be spent on avoiding a repeat within the generation.
constexpr int kMaxDraws = 16;

struct Options {
  double sigma0 = 1.0 / 6;
  int popsize = 0;
  bool separable = false;
  bool ipop = true;
  int64_t n_startup_trials = 0;
};

absl::Status BadOption(absl::string_view name, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("sampler.options.", name, ": ", why));
}

absl::StatusOr<Options> ReadOptions(const AlgorithmSpec& spec, int dimension) {
  AlgorithmOptions read("sampler", spec);
  Options options;
  ASSIGN_OR_RETURN(options.sigma0, read.Double("sigma0", options.sigma0));
  if (!(options.sigma0 > 0 && options.sigma0 <= 1)) {
    return BadOption("sigma0",
                     absl::StrCat("must be in (0, 1], a fraction of each "
                                  "parameter's range; got ",
                                  options.sigma0));
  }
  ASSIGN_OR_RETURN(const int64_t popsize,
                   read.Int("popsize", cmaes::DefaultPopsize(dimension)));
  if (popsize < 2 || popsize > cmaes::kMaxPopsize) {
    return BadOption("popsize",
                     absl::StrCat("must be in [2, ", cmaes::kMaxPopsize,
                                  "]; got ", popsize));
  }
  options.popsize = static_cast<int>(popsize);
  ASSIGN_OR_RETURN(options.separable, read.Bool("separable", false));
  ASSIGN_OR_RETURN(const std::string restarts,
                   read.String("restart_strategy", "ipop"));
  if (restarts != "ipop" && restarts != "none") {
    return BadOption(
        "restart_strategy",
        absl::StrCat("must be \"ipop\" or \"none\"; got \"", restarts, "\""));
  }
  options.ipop = restarts == "ipop";
  ASSIGN_OR_RETURN(options.n_startup_trials, read.Int("n_startup_trials", 0));
  if (options.n_startup_trials < 0) {
    return BadOption(
        "n_startup_trials",
        absl::StrCat("must be >= 0; got ", options.n_startup_trials));
  }
  RETURN_IF_ERROR(read.CheckAllUsed());
  return options;
}

// The trial numbered `number`, or null; `trials` are ordered by number.
const Trial* FindTrial(absl::Span<const Trial* const> trials, int64_t number) {
  // Numbers are usually consecutive from 0, so the index is a good guess.
  if (number >= 0 && static_cast<uint64_t>(number) < trials.size() &&
      trials[static_cast<size_t>(number)]->number == number) {
    return trials[static_cast<size_t>(number)];
  }
  auto it = std::lower_bound(
      trials.begin(), trials.end(), number,
      [](const Trial* trial, int64_t n) { return trial->number < n; });
  return it != trials.end() && (*it)->number == number ? *it : nullptr;
}

class CmaEsSampler final : public Sampler {
 public:
  CmaEsSampler(const StudyConfig& config, Options options)
      : options_(options),
        config_(config),
        objective_(config.objectives.front()),
        cube_(config) {
    for (int i = 0; i < cube_.dimensions(); ++i) {
      (cube_.IsCategorical(i) ? categorical_ : numeric_).push_back(i);
    }
  }

  absl::StatusOr<ParamAssignment> Sample(
      const SamplingContext& context) override {
    if (numeric_.empty() || context.trial_number < options_.n_startup_trials) {
      return Decode(nullptr, context.rng);
    }
    if (!run_.has_value()) StartRun(context.trials);
    ForgetCandidatesThatCannotCount(context);
    TellCompletedGeneration(context);
    return Propose(context);
  }

  std::string SaveState() const override {
    return run_.has_value() ? cmaes::EncodeRunState(*run_) : std::string();
  }

  absl::Status LoadState(absl::string_view state) override {
    if (state.empty()) {
      run_.reset();
      return absl::OkStatus();
    }
    // Spares the eigendecomposition when the core hands back what this
    // instance holds already.
    if (run_.has_value() && state == SaveState()) return absl::OkStatus();
    absl::StatusOr<RunState> loaded = cmaes::DecodeRunState(state);
    if (loaded.ok() &&
        (loaded->strategy.dimension() != static_cast<int>(numeric_.size()) ||
         loaded->strategy.separable() != options_.separable)) {
      loaded = absl::InvalidArgumentError(
          absl::StrCat("sampler state: made for ", loaded->strategy.dimension(),
                       loaded->strategy.separable() ? " separable" : "",
                       " numeric coordinates; this study has ", numeric_.size(),
                       options_.separable ? " separable" : ""));
    }
    if (!loaded.ok()) {
      run_.reset();
      return loaded.status();
    }
    run_ = *std::move(loaded);
    return absl::OkStatus();
  }

  std::map<std::string, std::string> StudyMetadata() const override {
    if (numeric_.empty()) {
      return {{"knob.sampler.cmaes",
               "no numeric parameter: every parameter is drawn at random"}};
    }
    std::string facts = absl::StrCat(
        numeric_.size(), " numeric parameters, ",
        options_.separable ? "diagonal" : "full", " covariance, population ",
        options_.popsize, options_.ipop ? ", IPOP restarts" : ", no restarts");
    if (!categorical_.empty()) {
      absl::StrAppend(&facts, "; drawn at random: ");
      for (size_t k = 0; k < categorical_.size(); ++k) {
        absl::StrAppend(&facts, k == 0 ? "" : ", ",
                        cube_.parameter(categorical_[k]).name);
      }
    }
    return {{"knob.sampler.cmaes", facts}};
  }

 private:
  // The loss of a trial the strategy can learn from.
  std::optional<double> LossOf(const Trial& trial) const {
    if (trial.state != TrialState::kCompleted || trial.values.size() != 1 ||
        !std::isfinite(trial.values.front())) {
      return std::nullopt;
    }
    return AsLoss(objective_, trial.values.front());
  }

  // The assignment with the numeric coordinates at `point` (uniformly
  // random when null) and the categorical ones uniformly random.
  ParamAssignment Decode(const Eigen::VectorXd* point,
                         absl::BitGenRef rng) const {
    std::vector<double> u(static_cast<size_t>(cube_.dimensions()));
    for (size_t k = 0; k < numeric_.size(); ++k) {
      u[numeric_[k]] = point != nullptr ? (*point)[static_cast<int>(k)]
                                        : absl::Uniform(rng, 0.0, 1.0);
    }
    for (int i : categorical_) u[i] = absl::Uniform(rng, 0.0, 1.0);
    return cube_.Decode(u);
  }

  // A run from the best completed trial so far (feasible first; an
  // inactive parameter at the centre of its range), or from the centre of
  // the cube.
  void StartRun(absl::Span<const Trial* const> trials) {
    Eigen::VectorXd mean =
        Eigen::VectorXd::Constant(static_cast<int>(numeric_.size()), 0.5);
    const Trial* best = nullptr;
    std::pair<double, double> best_rank;
    for (const Trial* trial : trials) {
      const std::optional<double> loss = LossOf(*trial);
      if (!loss.has_value()) continue;
      const std::pair<double, double> rank = {
          ConstraintViolation(config_, *trial), *loss};
      if (best == nullptr || rank < best_rank) {
        best = trial;
        best_rank = rank;
      }
    }
    if (best != nullptr) {
      const std::vector<std::optional<double>> encoded =
          cube_.Encode(best->params);
      for (size_t k = 0; k < numeric_.size(); ++k) {
        mean[static_cast<int>(k)] = encoded[numeric_[k]].value_or(0.5);
      }
    }
    run_.emplace(RunState{CmaState(std::move(mean), options_.sigma0,
                                   options_.popsize, options_.separable),
                          {}});
    ApplyMargin();
  }

  void ApplyMargin() {
    CmaState& strategy = run_->strategy;
    std::vector<std::optional<cmaes::GridCell>> cells;
    cells.reserve(numeric_.size());
    for (size_t k = 0; k < numeric_.size(); ++k) {
      cells.push_back(cmaes::GridCellAround(
          cube_, numeric_[k], strategy.mean()[static_cast<int>(k)]));
    }
    strategy.ApplyMargin(cells);
  }

  // Drops candidates that will never complete: trials that failed, were
  // pruned or went stale, and trials missing from the history (a suggest
  // call that never committed; the number may be proposed again).
  void ForgetCandidatesThatCannotCount(const SamplingContext& context) {
    std::erase_if(run_->candidates, [&](const Candidate& candidate) {
      if (candidate.trial_number >= context.trial_number) return true;
      const Trial* trial = FindTrial(context.trials, candidate.trial_number);
      return trial == nullptr ||
             (IsFinished(trial->state) && !LossOf(*trial).has_value());
    });
  }

  // Updates the strategy once popsize candidates have completed (the
  // lowest-numbered ones when more have), and restarts it if it is done.
  void TellCompletedGeneration(const SamplingContext& context) {
    CmaState& strategy = run_->strategy;
    const size_t popsize = static_cast<size_t>(strategy.popsize());
    std::vector<Eigen::VectorXd> points;
    std::vector<double> losses;
    std::vector<double> violations;
    for (const Candidate& candidate : run_->candidates) {
      const Trial& trial = *FindTrial(context.trials, candidate.trial_number);
      const std::optional<double> loss = LossOf(trial);
      if (!loss.has_value()) continue;
      points.push_back(candidate.point);
      losses.push_back(*loss);
      violations.push_back(ConstraintViolation(config_, trial));
      if (points.size() == popsize) break;
    }
    if (points.size() < popsize) return;
    RankInfeasibleLast(violations, absl::MakeSpan(losses));
    strategy.Tell(points, losses);
    run_->candidates.clear();
    const std::optional<Termination> termination = strategy.CheckTermination();
    if (termination.has_value() && options_.ipop) {
      absl::BitGenRef rng = context.rng;
      Eigen::VectorXd mean(strategy.dimension());
      for (double& x : mean) x = absl::Uniform(rng, 0.0, 1.0);
      strategy = CmaState(std::move(mean), options_.sigma0,
                          std::min(2 * strategy.popsize(), cmaes::kMaxPopsize),
                          options_.separable);
    } else if (termination == Termination::kIllConditioned) {
      // The mean is a weighted mean of points inside the cube, hence sound.
      strategy = CmaState(strategy.mean(), options_.sigma0, strategy.popsize(),
                          options_.separable);
    }
    ApplyMargin();
  }

  ParamAssignment Propose(const SamplingContext& context) {
    // The trials of the generation, which a new candidate should not repeat.
    std::vector<const ParamAssignment*> generation;
    generation.reserve(run_->candidates.size());
    for (const Candidate& candidate : run_->candidates) {
      generation.push_back(
          &FindTrial(context.trials, candidate.trial_number)->params);
    }
    Eigen::VectorXd point;
    ParamAssignment params;
    for (int draw = 1; draw <= kMaxDraws; ++draw) {
      point = run_->strategy.Sample(context.rng);
      const bool inside =
          (point.array() >= 0).all() && (point.array() <= 1).all();
      if (!inside && draw < kDrawsInside) continue;
      point = point.cwiseMax(0).cwiseMin(1);
      params = Decode(&point, context.rng);
      if (std::none_of(
              generation.begin(), generation.end(),
              [&](const ParamAssignment* other) { return *other == params; })) {
        break;
      }
    }
    run_->candidates.push_back({context.trial_number, std::move(point)});
    return params;
  }

  const Options options_;
  const StudyConfig config_;
  const Objective objective_;
  const UnitCube cube_;
  // The cube's coordinates the strategy covers, and the others.
  std::vector<int> numeric_;
  std::vector<int> categorical_;
  // None before the first proposal from the strategy.
  std::optional<RunState> run_;
};

}  // namespace

void RankInfeasibleLast(absl::Span<const double> violations,
                        absl::Span<double> losses) {
  std::vector<size_t> infeasible;
  double worst_feasible = -std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < losses.size(); ++i) {
    if (violations[i] > 0) {
      infeasible.push_back(i);
    } else {
      worst_feasible = std::max(worst_feasible, losses[i]);
    }
  }
  if (infeasible.empty()) return;
  // With no feasible member the losses still order the generation's
  // infeasible members among equal violations, so they start from the worst.
  const double base = infeasible.size() == losses.size()
                          ? *std::max_element(losses.begin(), losses.end())
                          : worst_feasible;
  std::stable_sort(infeasible.begin(), infeasible.end(),
                   [&](size_t a, size_t b) {
                     return std::make_pair(violations[a], losses[a]) <
                            std::make_pair(violations[b], losses[b]);
                   });
  for (size_t rank = 0; rank < infeasible.size(); ++rank) {
    losses[infeasible[rank]] = base + 1 + static_cast<double>(rank);
  }
}

absl::StatusOr<std::unique_ptr<Sampler>> CreateCmaEsSampler(
    const StudyConfig& config, const AlgorithmSpec& spec) {
  RETURN_IF_ERROR(ValidateStudyConfig(config));
  const auto numeric = std::count_if(
      config.parameters.begin(), config.parameters.end(),
      [](const ParameterSpec& parameter) {
        return std::holds_alternative<FloatDomain>(parameter.domain) ||
               std::holds_alternative<IntDomain>(parameter.domain);
      });
  ASSIGN_OR_RETURN(const Options options,
                   ReadOptions(spec, static_cast<int>(numeric)));
  if (config.objectives.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sampler.name: CMA-ES optimizes one objective and this study has ",
        config.objectives.size(),
        "; use \"nsga2\" or \"tpe\" for several objectives"));
  }
  return std::make_unique<CmaEsSampler>(config, options);
}

}  // namespace knob

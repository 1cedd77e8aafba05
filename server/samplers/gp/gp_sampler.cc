#include "server/samplers/gp/gp_sampler.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "Eigen/Core"
#include "absl/strings/str_cat.h"
#include "server/model/algorithm_options.h"
#include "server/model/study_config_validation.h"
#include "server/samplers/gp/acquisition.h"
#include "server/samplers/gp/acquisition_optimizer.h"
#include "server/samplers/gp/gaussian_process.h"
#include "server/samplers/gp/gp_space.h"
#include "server/samplers/gp/hyperparameter_fit.h"
#include "server/samplers/gp/output_transform.h"
#include "server/samplers/observations.h"
#include "server/samplers/qmc/sobol_sequence.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

using gp::GpHyperparameters;
using gp::GpSpace;

// Best observed points whose neighbourhoods the acquisition optimiser
// searches.
constexpr int kIncumbents = 3;
// Models of up to this many observations get the full acquisition search
// (see Effort).
constexpr Eigen::Index kFullEffortTrials = 250;

struct GpSamplerOptions {
  int64_t n_startup_trials = 10;
  int64_t max_trials_window = 500;
  bool deterministic_objective = false;
  gp::AcquisitionOptimizerOptions acquisition;
};

// The observations the model is built from: encoded points and
// standardised losses, one row per completed trial in the window.
struct TrainingData {
  Eigen::MatrixXd points;
  Eigen::VectorXd values;
};

// The last hyperparameter fit, with exactly the data it was fitted on: a
// cold instance fits the same data to the same result, so reusing it
// (e.g. for the other proposals of one suggest call) changes nothing but
// the time taken.
struct FitCache {
  Eigen::MatrixXd points;
  Eigen::VectorXd values;
  GpHyperparameters hyperparameters;

  bool Holds(const TrainingData& data) const {
    return points.rows() == data.points.rows() &&
           points.cols() == data.points.cols() && points == data.points &&
           values == data.values;
  }
};

absl::Status OutOfRange(const std::string& name, const std::string& range) {
  return absl::InvalidArgumentError(
      absl::StrCat("sampler.options.", name, ": must be ", range));
}

// The completed trials the model uses (indices into `completed`, in trial
// order): all of them within the window, else the best half of the window
// (feasible before infeasible, then by loss) and the most recent others.
std::vector<int> Window(const Eigen::VectorXd& losses,
                        const Eigen::VectorXd& violations, int64_t window) {
  const int n = static_cast<int>(losses.size());
  std::vector<int> rows(n);
  std::iota(rows.begin(), rows.end(), 0);
  if (n <= window) return rows;
  std::vector<int> by_loss = rows;
  std::stable_sort(by_loss.begin(), by_loss.end(), [&](int a, int b) {
    if (violations[a] != violations[b]) return violations[a] < violations[b];
    return losses[a] < losses[b];
  });
  std::vector<bool> chosen(n, false);
  const int64_t best = window / 2;
  for (int64_t k = 0; k < best; ++k) chosen[by_loss[k]] = true;
  int64_t recent = window - best;
  for (int t = n - 1; t >= 0 && recent > 0; --t) {
    if (chosen[t]) continue;
    chosen[t] = true;
    --recent;
  }
  std::vector<int> result;
  for (int t = 0; t < n; ++t) {
    if (chosen[t]) result.push_back(t);
  }
  return result;
}

class GpSampler final : public Sampler {
 public:
  GpSampler(const StudyConfig& config, GpSamplerOptions options)
      : space_(config),
        options_(std::move(options)),
        startup_(
            SobolSequence::CreateScrambled(space_.dimensions(), config.seed)) {}

  absl::StatusOr<ParamAssignment> Sample(
      const SamplingContext& context) override {
    const Observations observations =
        ObserveHistory(context.config, context.trials);
    if (space_.dimensions() == 0 ||
        static_cast<int64_t>(observations.completed.size()) <
            options_.n_startup_trials) {
      return space_.Decode(StartupPoint(context));
    }
    std::optional<Eigen::VectorXd> point = Propose(observations, context.rng);
    if (!point) point = space_.RandomPoint(context.rng);
    return space_.Decode(*point);
  }

 private:
  // Trial n takes point n of the study's scrambled Sobol' sequence, as
  // with the "sobol" sampler: the first trials cover the space evenly, and
  // concurrent ones never coincide. Spaces beyond Sobol's table draw
  // uniformly instead.
  Eigen::VectorXd StartupPoint(const SamplingContext& context) const {
    if (!startup_.ok()) return space_.RandomPoint(context.rng);
    const std::vector<double> coordinates =
        startup_->Point(static_cast<uint64_t>(context.trial_number));
    Eigen::VectorXd point = Eigen::Map<const Eigen::VectorXd>(
        coordinates.data(), coordinates.size());
    space_.Canonicalize(point);
    return point;
  }

  // The point the model proposes, or nullopt when there is no model to
  // speak of: all losses equal, or values too extreme to factorise (no
  // reason to fail the trial; the caller explores instead).
  std::optional<Eigen::VectorXd> Propose(const Observations& observations,
                                         absl::BitGenRef rng) {
    TrainingData data = Training(observations, rng);
    // Losses that are all equal leave nothing to model: explore.
    if (data.values.isZero()) return std::nullopt;
    // A zero-mean model of the values minus the worst one: away from the
    // observations the model expects nothing better than the worst trial.
    // With the plain mean, the far corners of a space of more than a few
    // dimensions (where the variance is highest) keep winning the
    // acquisition; with this pessimistic one, improvement is sought near
    // what worked, which on benchmarks of up to 10 dimensions cut the
    // regret after 100 trials several times over (Rosenbrock,
    // Styblinski-Tang, Levy), multimodal functions included.
    data.values.array() -= data.values.maxCoeff();
    const GpHyperparameters& hyperparameters = Fit(data);
    absl::StatusOr<gp::GaussianProcess> model = gp::GaussianProcess::Condition(
        gp::Matern52Kernel(space_.categorical(), hyperparameters.length_scales,
                           hyperparameters.signal_variance),
        hyperparameters.noise_variance, data.points, data.values);
    if (!model.ok()) return std::nullopt;

    Eigen::MatrixXd pending(observations.pending.size(), space_.dimensions());
    for (size_t k = 0; k < observations.pending.size(); ++k) {
      pending.row(static_cast<Eigen::Index>(k)) =
          space_.Encode(observations.pending[k]->params);
    }
    const Eigen::VectorXd pending_values = PendingValues(*model, pending);
    const Eigen::MatrixXd pruned = PrunedPoints(observations, data);
    Eigen::MatrixXd assumed(pending.rows() + pruned.rows(),
                            space_.dimensions());
    assumed << pending, pruned;
    // Pruned trials were stopped for doing worse than their peers: they
    // count as observed at the worst value seen (0 after the shift), so
    // the search neither returns to them nor expects improvement nearby.
    Eigen::VectorXd assumed_values(assumed.rows());
    assumed_values << pending_values, Eigen::VectorXd::Zero(pruned.rows());
    absl::StatusOr<gp::GaussianProcess> believer =
        model->WithObservations(assumed, assumed_values);
    if (!believer.ok()) return std::nullopt;
    // Pending points count as observed at the values assumed for them, so
    // the improvement is measured from the best of those too.
    double best = data.values.minCoeff();
    if (pending.rows() > 0) best = std::min(best, pending_values.minCoeff());

    const gp::LogExpectedImprovement acquisition(*believer, best);
    gp::AcquisitionSearchPoints points;
    points.incumbents = Incumbents(data);
    for (Eigen::Index k = 0; k < assumed.rows(); ++k) {
      points.excluded.push_back(assumed.row(k).transpose());
    }
    const gp::AcquisitionMaximum maximum = gp::MaximizeAcquisition(
        acquisition, space_, hyperparameters.length_scales, points,
        Effort(data.points.rows()), rng);
    if (!maximum.point.allFinite()) return std::nullopt;
    return maximum.point;
  }

  // The points of the most recent pruned trials, at most as many as the
  // model has observations, so that the cost of adding them stays within
  // that of the model itself.
  Eigen::MatrixXd PrunedPoints(const Observations& observations,
                               const TrainingData& data) const {
    const size_t count = std::min(observations.pruned.size(),
                                  static_cast<size_t>(data.points.rows()));
    Eigen::MatrixXd points(static_cast<Eigen::Index>(count),
                           space_.dimensions());
    const size_t first = observations.pruned.size() - count;
    for (size_t k = 0; k < count; ++k) {
      points.row(static_cast<Eigen::Index>(k)) =
          space_.Encode(observations.pruned[first + k].trial->params);
    }
    return points;
  }

  // What the model assumes trials still being evaluated will return: its
  // own prediction ("kriging believer"), which in batch runs found better
  // points than pessimistic guesses (the worst or the average value seen)
  // that push the batch apart harder.
  Eigen::VectorXd PendingValues(const gp::GaussianProcess& model,
                                const Eigen::MatrixXd& pending) const {
    Eigen::VectorXd means;
    Eigen::VectorXd unused_variances;
    model.PredictBatch(pending, &means, &unused_variances);
    return means;
  }

  // The acquisition search for a model of `observations` points: each
  // point screened or refined costs O(n^2), so beyond kFullEffortTrials
  // the counts shrink with the square of n, keeping the search's cost flat
  // while the model's own O(n^3) factorisation grows.
  gp::AcquisitionOptimizerOptions Effort(Eigen::Index observations) const {
    gp::AcquisitionOptimizerOptions effort = options_.acquisition;
    if (observations <= kFullEffortTrials) return effort;
    const double ratio = static_cast<double>(kFullEffortTrials) /
                         static_cast<double>(observations);
    const double scale = ratio * ratio;
    effort.candidates =
        std::max(1, static_cast<int>(std::lround(scale * effort.candidates)));
    effort.local_searches =
        static_cast<int>(std::lround(scale * effort.local_searches));
    return effort;
  }

  TrainingData Training(const Observations& observations,
                        absl::BitGenRef rng) const {
    std::vector<std::vector<double>> losses;
    losses.reserve(observations.completed.size());
    Eigen::VectorXd violations(observations.completed.size());
    for (size_t t = 0; t < observations.completed.size(); ++t) {
      losses.emplace_back(observations.completed[t].losses.begin(),
                          observations.completed[t].losses.end());
      violations[static_cast<Eigen::Index>(t)] =
          observations.completed[t].violation;
    }
    const Eigen::VectorXd scalar = gp::ScalarizeLosses(losses, rng);
    const std::vector<int> window =
        Window(scalar, violations, options_.max_trials_window);
    TrainingData data;
    data.points.resize(static_cast<Eigen::Index>(window.size()),
                       space_.dimensions());
    for (size_t k = 0; k < window.size(); ++k) {
      data.points.row(static_cast<Eigen::Index>(k)) =
          space_.Encode(observations.completed[window[k]].trial->params);
    }
    data.values = gp::ConstrainedValues(scalar(window), violations(window));
    return data;
  }

  const GpHyperparameters& Fit(const TrainingData& data) {
    if (!cache_ || !cache_->Holds(data)) {
      gp::HyperparameterFitOptions fit;
      fit.deterministic_objective = options_.deterministic_objective;
      cache_ = FitCache{data.points, data.values,
                        gp::FitHyperparameters(data.points, data.values,
                                               space_.categorical(), fit)};
    }
    return cache_->hyperparameters;
  }

  // The best distinct observed points, best first.
  std::vector<Eigen::VectorXd> Incumbents(const TrainingData& data) const {
    std::vector<int> order(data.values.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return data.values[a] < data.values[b];
    });
    std::vector<Eigen::VectorXd> incumbents;
    for (int row : order) {
      if (static_cast<int>(incumbents.size()) == kIncumbents) break;
      const Eigen::VectorXd point = data.points.row(row).transpose();
      if (std::find(incumbents.begin(), incumbents.end(), point) ==
          incumbents.end()) {
        incumbents.push_back(point);
      }
    }
    return incumbents;
  }

  const GpSpace space_;
  const GpSamplerOptions options_;
  const absl::StatusOr<SobolSequence> startup_;
  std::optional<FitCache> cache_;
};

absl::StatusOr<GpSamplerOptions> ReadOptions(const AlgorithmSpec& spec) {
  AlgorithmOptions options("sampler", spec);
  GpSamplerOptions result;
  ASSIGN_OR_RETURN(result.n_startup_trials,
                   options.Int("n_startup_trials", result.n_startup_trials));
  if (result.n_startup_trials < 1) {
    return OutOfRange("n_startup_trials", "at least 1");
  }
  ASSIGN_OR_RETURN(result.max_trials_window,
                   options.Int("max_trials_window", result.max_trials_window));
  if (result.max_trials_window < 10) {
    return OutOfRange("max_trials_window", "at least 10");
  }
  ASSIGN_OR_RETURN(
      result.deterministic_objective,
      options.Bool("deterministic_objective", result.deterministic_objective));
  ASSIGN_OR_RETURN(const int64_t candidates,
                   options.Int("n_candidates", result.acquisition.candidates));
  if (candidates < 1 || candidates > 100000) {
    return OutOfRange("n_candidates", "between 1 and 100000");
  }
  result.acquisition.candidates = static_cast<int>(candidates);
  ASSIGN_OR_RETURN(
      const int64_t local_searches,
      options.Int("n_local_searches", result.acquisition.local_searches));
  if (local_searches < 0 || local_searches > 1000) {
    return OutOfRange("n_local_searches", "between 0 and 1000");
  }
  result.acquisition.local_searches = static_cast<int>(local_searches);
  RETURN_IF_ERROR(options.CheckAllUsed());
  return result;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Sampler>> CreateGpSampler(
    const StudyConfig& config, const AlgorithmSpec& spec) {
  ASSIGN_OR_RETURN(GpSamplerOptions options, ReadOptions(spec));
  RETURN_IF_ERROR(ValidateStudyConfig(config));
  return std::make_unique<GpSampler>(config, std::move(options));
}

}  // namespace knob

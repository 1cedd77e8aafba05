// The "gp" sampler: Bayesian optimisation with a Gaussian-process model of
// the objective and the expected-improvement acquisition function, for
// small budgets of expensive trials on spaces of up to a few dozen
// parameters.
//
// Per proposal, once `n_startup_trials` trials have completed:
//   1. the completed trials' losses (several objectives: a ParEGO
//      scalarisation with weights drawn per trial) are standardised after
//      compressing a heavy upper tail, with trials that miss the outcome
//      constraints ranked behind every feasible one (output_transform.h);
//   2. their parameters are encoded in the unit cube (gp_space.h: log
//      scales linear, ints and steps on their grid, categoricals compared
//      by equality, inactive parameters at a constant);
//   3. a Gaussian process whose prior mean is the worst value seen, so
//      that unexplored regions are not presumed average, gets its
//      Matérn-5/2 kernel's length scales, signal and noise variances by
//      maximum a posteriori (hyperparameter_fit.h);
//   4. trials still running or waiting (those proposed earlier in the same
//      suggest call included) join the model at its own prediction
//      ("kriging believer"): the uncertainty around them vanishes, so a
//      batch spreads out, and their exact points are never proposed again
//      while they are pending;
//      Pruned trials (the most recent, at most as many as the model's
//      observations) join it too, at the worst value seen: the pruner
//      judged them worse than their peers, so the search neither returns
//      to them nor expects improvement right beside them;
//   5. the point maximising log expected improvement
//      (acquisition_optimizer.h) is proposed. Beyond 250 observations the
//      search screens and refines proportionally fewer points, as each
//      costs O(n^2), so that a proposal's cost stays about flat.
// Before that, trial n takes point n of a scrambled Sobol' sequence over
// the unit cube, as the "sobol" sampler does (log scales log-uniformly).
// Failed and stale trials are ignored.
//
// Options:
//   n_startup_trials (int >= 1)   Completed trials before the model is
//                                 used. Default: 10.
//   max_trials_window (int >= 10) The model uses at most this many
//                                 completed trials: the best half of the
//                                 window and the most recent others, so
//                                 that a long study keeps a bounded cost.
//                                 Default: 500.
//   deterministic_objective (bool) Whether the objective has no noise, so
//                                 that the model interpolates. Default:
//                                 false (noise is estimated; small noise
//                                 costs little on deterministic
//                                 objectives).
//   n_candidates (int, 1..100000) Quasi-random points screened per
//                                 proposal.
//                                 Default: 1024.
//   n_local_searches (int, 0..1000) Screened points refined by local
//                                 search per proposal. Default: 8.
//
// Proposals are a pure function of (config, seed, history, trial number):
// the sampler keeps no state but a cache of the last hyperparameter fit,
// keyed by exactly the data it was fitted on.
#ifndef KNOB_SERVER_SAMPLERS_GP_GP_SAMPLER_H_
#define KNOB_SERVER_SAMPLERS_GP_GP_SAMPLER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/model/study.h"
#include "server/samplers/sampler.h"

namespace knob {

// INVALID_ARGUMENT naming `sampler.options.<name>` for an unknown option,
// one of the wrong kind or out of range; or for an invalid config.
absl::StatusOr<std::unique_ptr<Sampler>> CreateGpSampler(
    const StudyConfig& config, const AlgorithmSpec& spec);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_GP_GP_SAMPLER_H_

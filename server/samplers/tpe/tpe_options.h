// The options a study gives the "tpe" sampler (AlgorithmSpec.options), with
// their defaults and the checks that reject bad values.
#ifndef KNOB_SERVER_SAMPLERS_TPE_TPE_OPTIONS_H_
#define KNOB_SERVER_SAMPLERS_TPE_TPE_OPTIONS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "server/model/study.h"

namespace knob {

// How much each observation of the bad group counts in its density.
enum class TpeWeights {
  // "decay_old": the newest 25 count fully, older ones progressively less
  // (down to 1/n for the oldest), so that the bad density follows where
  // the search is now rather than where it started.
  kDecayOld,
  // "uniform": every observation counts the same.
  kUniform,
};

struct TpeOptions {
  // Completed trials needed before the model is used; until then every
  // parameter is drawn uniformly at random.
  // Default: 10.
  int64_t n_startup_trials = 10;
  // Candidates drawn from the good trials' density per proposal; the one
  // where good trials are most likely relative to bad ones wins.
  // Default: 24.
  int64_t n_ei_candidates = 24;
  // One joint density over the parameters that are active together, so
  // that interactions between parameters are learnt; otherwise one
  // density per parameter.
  // Default: true.
  bool multivariate = true;
  // With multivariate, conditional parameters are modelled jointly with
  // the others that share their condition, on the trials where they are
  // active; otherwise each conditional parameter on its own.
  // Default: true.
  bool group = true;
  // Trials still running count as bad observations, so that parallel
  // workers and the trials of one suggest call spread out.
  // Default: true.
  bool constant_liar = true;
  // The share of finished trials in the good group (rounded up), ...
  // Default: 0.1. Larger shares (0.15, 0.2) measured better on problems of
  // two to six parameters at 100 trials but clearly worse on ten, where a
  // wider good group blurs the region worth exploiting.
  double gamma = 0.1;
  // ... capped at this many for single-objective studies, so that the good
  // density stays focused on the best region as the study grows. Studies
  // with several objectives are not capped: their good group is a whole
  // trade-off front.
  // Default: 25.
  int64_t max_good_trials = 25;
  // The weight of the prior component of each density, in observations.
  // Default: 1.
  double prior_weight = 1;
  // See ParzenSettings::consider_endpoints.
  // Default: false.
  bool consider_endpoints = false;
  // Default: kDecayOld.
  TpeWeights weights = TpeWeights::kDecayOld;
};

// Reads and checks `spec`'s options. INVALID_ARGUMENT naming
// `sampler.options.<name>` for an option of the wrong type, out of range
// or unknown.
absl::StatusOr<TpeOptions> ParseTpeOptions(const AlgorithmSpec& spec);

}  // namespace knob

#endif  // KNOB_SERVER_SAMPLERS_TPE_TPE_OPTIONS_H_

#include "server/samplers/tpe/tpe_options.h"

#include <cmath>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/model/algorithm_options.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

absl::Status OutOfRange(const std::string& name, const std::string& expected,
                        const std::string& got) {
  return absl::InvalidArgumentError(absl::StrCat(
      "sampler.options.", name, ": tpe expects ", expected, ", got ", got));
}

}  // namespace

absl::StatusOr<TpeOptions> ParseTpeOptions(const AlgorithmSpec& spec) {
  TpeOptions defaults;
  TpeOptions options;
  AlgorithmOptions reader("sampler", spec);

  ASSIGN_OR_RETURN(options.n_startup_trials,
                   reader.Int("n_startup_trials", defaults.n_startup_trials));
  if (options.n_startup_trials < 0) {
    return OutOfRange("n_startup_trials", "a count >= 0",
                      absl::StrCat(options.n_startup_trials));
  }
  ASSIGN_OR_RETURN(options.n_ei_candidates,
                   reader.Int("n_ei_candidates", defaults.n_ei_candidates));
  // The cost of a proposal grows linearly with the candidates; beyond a few
  // thousand the proposal is no better, only slower.
  constexpr int64_t kMaxCandidates = 10000;
  if (options.n_ei_candidates < 1 || options.n_ei_candidates > kMaxCandidates) {
    return OutOfRange("n_ei_candidates",
                      absl::StrCat("a count in [1, ", kMaxCandidates, "]"),
                      absl::StrCat(options.n_ei_candidates));
  }
  ASSIGN_OR_RETURN(options.multivariate,
                   reader.Bool("multivariate", defaults.multivariate));
  ASSIGN_OR_RETURN(options.group, reader.Bool("group", defaults.group));
  ASSIGN_OR_RETURN(options.constant_liar,
                   reader.Bool("constant_liar", defaults.constant_liar));
  ASSIGN_OR_RETURN(options.gamma, reader.Double("gamma", defaults.gamma));
  if (!(options.gamma > 0 && options.gamma <= 1)) {
    return OutOfRange("gamma", "a fraction in (0, 1]",
                      absl::StrCat(options.gamma));
  }
  ASSIGN_OR_RETURN(options.max_good_trials,
                   reader.Int("max_good_trials", defaults.max_good_trials));
  if (options.max_good_trials < 1) {
    return OutOfRange("max_good_trials", "a count >= 1",
                      absl::StrCat(options.max_good_trials));
  }
  ASSIGN_OR_RETURN(options.prior_weight,
                   reader.Double("prior_weight", defaults.prior_weight));
  if (!(options.prior_weight > 0) || !std::isfinite(options.prior_weight)) {
    return OutOfRange("prior_weight", "a finite weight > 0",
                      absl::StrCat(options.prior_weight));
  }
  ASSIGN_OR_RETURN(
      options.consider_endpoints,
      reader.Bool("consider_endpoints", defaults.consider_endpoints));
  ASSIGN_OR_RETURN(std::string weights, reader.String("weights", "decay_old"));
  if (weights == "decay_old") {
    options.weights = TpeWeights::kDecayOld;
  } else if (weights == "uniform") {
    options.weights = TpeWeights::kUniform;
  } else {
    return OutOfRange("weights", "\"decay_old\" or \"uniform\"",
                      absl::StrCat("\"", weights, "\""));
  }
  RETURN_IF_ERROR(reader.CheckAllUsed());
  return options;
}

}  // namespace knob

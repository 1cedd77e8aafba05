// Reads the options of an AlgorithmSpec with types and defaults, and
// rejects options nobody read, so that a typo in a study spec is an error
// instead of a silently ignored setting.
#ifndef KNOB_SERVER_MODEL_ALGORITHM_OPTIONS_H_
#define KNOB_SERVER_MODEL_ALGORITHM_OPTIONS_H_

#include <map>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/model/study.h"

namespace knob {

// Usage in a factory:
//   AlgorithmOptions options("sampler", spec);
//   ASSIGN_OR_RETURN(int64_t n, options.Int("n_startup_trials", 10));
//   RETURN_IF_ERROR(options.CheckAllUsed());
// Errors are INVALID_ARGUMENT naming `sampler.options.<name>`.
class AlgorithmOptions {
 public:
  // `field` is "sampler" or "pruner"; it prefixes error messages.
  AlgorithmOptions(std::string field, const AlgorithmSpec& spec);

  absl::StatusOr<int64_t> Int(const std::string& name, int64_t default_value);
  // Ints are accepted for doubles.
  absl::StatusOr<double> Double(const std::string& name, double default_value);
  absl::StatusOr<bool> Bool(const std::string& name, bool default_value);
  absl::StatusOr<std::string> String(const std::string& name,
                                     std::string default_value);

  // INVALID_ARGUMENT naming the first option that no getter asked for.
  absl::Status CheckAllUsed() const;

 private:
  const ParamValue* Find(const std::string& name);
  absl::Status WrongKind(const std::string& name, const char* expected,
                         const ParamValue& got) const;

  std::string field_;
  std::string algorithm_;
  const std::map<std::string, ParamValue>& options_;
  std::set<std::string> used_;
};

}  // namespace knob

#endif  // KNOB_SERVER_MODEL_ALGORITHM_OPTIONS_H_

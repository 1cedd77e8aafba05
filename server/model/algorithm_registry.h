// An explicit name → factory registry for one pluggable kind (samplers,
// pruners). Built-ins are registered by the kind's registry constructor; no
// static self-registration. Duplicate names are an error.
//
// Thread safety: Register before sharing; Create and Names are const and
// safe to call concurrently.
#ifndef KNOB_SERVER_MODEL_ALGORITHM_REGISTRY_H_
#define KNOB_SERVER_MODEL_ALGORITHM_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/model/study.h"

namespace knob {

template <typename Interface>
class AlgorithmRegistry {
 public:
  // Builds an instance for a study; validates the options (unknown option
  // or bad value: INVALID_ARGUMENT naming `<field>.options.<name>`).
  using Factory = std::function<absl::StatusOr<std::unique_ptr<Interface>>(
      const StudyConfig& config, const AlgorithmSpec& spec)>;

  // `field` names the spec in errors: "sampler" or "pruner".
  explicit AlgorithmRegistry(std::string field) : field_(std::move(field)) {}

  // ALREADY_EXISTS if `name` is taken.
  absl::Status Register(const std::string& name, Factory factory) {
    if (!factories_.emplace(name, std::move(factory)).second) {
      return absl::AlreadyExistsError(
          absl::StrCat(field_, " \"", name, "\" is already registered"));
    }
    return absl::OkStatus();
  }

  // INVALID_ARGUMENT naming `<field>.name` for an unknown name, and listing
  // the known ones.
  absl::StatusOr<std::unique_ptr<Interface>> Create(
      const StudyConfig& config, const AlgorithmSpec& spec) const {
    auto it = factories_.find(spec.name);
    if (it == factories_.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field_, ".name: unknown ", field_, " \"", spec.name,
                       "\"; known: ", absl::StrJoin(Names(), ", ")));
    }
    return it->second(config, spec);
  }

  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& entry : factories_) names.push_back(entry.first);
    return names;
  }

 private:
  std::string field_;
  std::map<std::string, Factory> factories_;
};

}  // namespace knob

#endif  // KNOB_SERVER_MODEL_ALGORITHM_REGISTRY_H_

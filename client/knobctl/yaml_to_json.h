// YAML documents as JSON trees, with YAML's own typing of scalars: a plain
// `3` is an integer, `3.0` and `1e-3` are floats, `true` a bool, `~` null,
// and anything quoted a string. This is what lets a spec file say
// `choices: [svm, 3, 0.5, true]` and mean four different kinds.
#ifndef KNOB_CLIENT_KNOBCTL_YAML_TO_JSON_H_
#define KNOB_CLIENT_KNOBCTL_YAML_TO_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace knob::knobctl {

// Parses the first document of `text`. INVALID_ARGUMENT naming the line and
// column for a syntax error, an integer beyond 64 bits, a non-scalar map
// key or an unsupported tag. Floats may come out as inf or nan (`.inf`,
// `.nan`), which JSON text cannot hold.
absl::StatusOr<nlohmann::json> YamlToJson(const std::string& text);

}  // namespace knob::knobctl

#endif  // KNOB_CLIENT_KNOBCTL_YAML_TO_JSON_H_

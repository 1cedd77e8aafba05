// Study spec files: what `knobctl create` reads. A spec is a
// CreateStudyRequest in the proto JSON mapping (field names in snake_case
// or lowerCamelCase), written as JSON or YAML, with shorthands that keep
// hand-written specs short:
//   - wherever the API expects a knob.v1.Value (categorical choices,
//     fixed_value, condition values, sampler and pruner options) a bare
//     scalar will do: `choices: [svm, 3, 0.5, true]` holds a string, an
//     int, a double and a bool. In YAML, quote a number to make it a
//     string ('3');
//   - an objective's direction may be `minimize` or `maximize`;
//   - a duration (lease_duration, stopping.max_wall_time) may be a number
//     of seconds or text such as "300s", "5m" or "1h30m".
#ifndef KNOB_CLIENT_KNOBCTL_SPEC_H_
#define KNOB_CLIENT_KNOBCTL_SPEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "knob/v1/service.pb.h"

namespace knob::knobctl {

enum class SpecFormat {
  // JSON when the text starts with '{', YAML otherwise.
  kSniff,
  kJson,
  kYaml,
};

// The format a file name implies: .json → kJson, .yaml/.yml → kYaml,
// anything else → kSniff.
SpecFormat SpecFormatForPath(const std::string& path);

// Parses a spec. Every error is INVALID_ARGUMENT and its message starts
// with `source` (the file name), followed by the place (line and column,
// or the field) and the problem.
absl::StatusOr<v1::CreateStudyRequest> ParseStudySpec(
    const std::string& text, SpecFormat format, const std::string& source);

// Reads and parses the spec file at `path`; NOT_FOUND or PERMISSION_DENIED
// (naming the file) when it cannot be read.
absl::StatusOr<v1::CreateStudyRequest> ReadStudySpecFile(
    const std::string& path);

}  // namespace knob::knobctl

#endif  // KNOB_CLIENT_KNOBCTL_SPEC_H_

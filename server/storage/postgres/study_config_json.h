// StudyConfig as JSON: how knob.study.config stores the complete
// configuration for the server to reload. Round trips are exact: doubles
// (as shortest round-trip text, so -0, NaN and infinities survive),
// int64 and uint64, absent optionals, durations (seconds + nanos), and the
// kind of every ParamValue ({"double": "0.5"}, {"int": 3},
// {"string": "adam"}, {"bool": true}).
//
// The document carries "format": 1 so that a later server can read
// configs written by this one. Outcome constraints ("constraints": [{"metric",
// "kind": "max" or "min", "bound"}]) came later within format 1: a document
// without them reads as a study without constraints.
#ifndef KNOB_SERVER_STORAGE_POSTGRES_STUDY_CONFIG_JSON_H_
#define KNOB_SERVER_STORAGE_POSTGRES_STUDY_CONFIG_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "server/model/study.h"

namespace knob {

nlohmann::json StudyConfigToJson(const StudyConfig& config);

// INVALID_ARGUMENT naming the offending field if `json` is not a document
// StudyConfigToJson writes.
absl::StatusOr<StudyConfig> StudyConfigFromJson(const nlohmann::json& json);
// The same from JSON text.
absl::StatusOr<StudyConfig> ParseStudyConfigJson(absl::string_view text);

// One ParamValue, tagged with its kind.
nlohmann::json ParamValueToJson(const ParamValue& value);
absl::StatusOr<ParamValue> ParamValueFromJson(const nlohmann::json& json);

}  // namespace knob

#endif  // KNOB_SERVER_STORAGE_POSTGRES_STUDY_CONFIG_JSON_H_

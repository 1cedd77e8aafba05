// Text for people: aligned tables and the short forms of states, times,
// durations, parameters and values that knobctl prints.
#ifndef KNOB_CLIENT_KNOBCTL_FORMAT_H_
#define KNOB_CLIENT_KNOBCTL_FORMAT_H_

#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "knob/v1/study.pb.h"
#include "knob/v1/trial.pb.h"

namespace knob::knobctl {

// Left-aligned columns separated by two spaces; no trailing blanks.
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  // Short rows are padded with empty cells; long ones are an error of the
  // caller and are cut to the header's width.
  void AddRow(std::vector<std::string> row);
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// "RUNNING", "COMPLETED", …: the enum name without its prefix.
std::string StudyStateName(v1::StudyState state);
std::string TrialStateName(v1::TrialState state);

// Case-insensitive; accepts the short and the full enum names.
// INVALID_ARGUMENT listing the valid names otherwise.
absl::StatusOr<v1::StudyState> ParseStudyState(const std::string& text);
// A comma-separated list of trial states.
absl::StatusOr<std::vector<v1::TrialState>> ParseTrialStates(
    const std::string& text);

// RFC 3339 in UTC, e.g. "2024-05-01T12:00:03.25Z"; "" when unset.
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp);
// end_time - start_time in seconds; nullopt unless both are set.
std::optional<double> TrialDurationSeconds(const v1::Trial& trial);
// For tables: "850ms", "12.3s", "4m05s", "2h03m".
std::string FormatSeconds(double seconds);

// The metric of objective `index`; "value<index>" past the study's
// objectives.
std::string ObjectiveMetric(const v1::Study& study, int index);

// Six significant digits: enough to tell trials apart in a table, short
// enough to keep its rows on a line. Exports and `best` print exact values.
std::string ShortDouble(double value);

// "lr=0.01 depth=3 kind=svm": parameters in the study's order, then any
// others by name; doubles as ShortDouble.
std::string FormatParameters(const v1::Study& study, const v1::Trial& trial);
// "val_loss=0.25 acc=0.91": objective values named by metric, as
// ShortDouble.
std::string FormatObjectiveValues(const v1::Study& study,
                                  const v1::Trial& trial);
// The proto JSON form of a message, indented, with snake_case field names
// (as spec files and the SQL schema spell them) and zeros printed.
absl::StatusOr<std::string> ProtoToJson(
    const google::protobuf::Message& message);

// Parameter names of the study in order, then names found only in trials
// (sorted); what export and tables use as columns.
std::vector<std::string> ParameterNames(const v1::Study& study,
                                        const std::vector<v1::Trial>& trials);

}  // namespace knob::knobctl

#endif  // KNOB_CLIENT_KNOBCTL_FORMAT_H_

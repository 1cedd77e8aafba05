#include "client/knobctl/format.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "client/values.h"

namespace knob::knobctl {
namespace {

std::string WithoutPrefix(const std::string& name, std::string_view prefix) {
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

template <typename Enum, typename Descriptor>
absl::StatusOr<Enum> ParseEnum(const std::string& text, std::string_view prefix,
                               const Descriptor* descriptor,
                               std::string_view what) {
  const std::string wanted = absl::AsciiStrToUpper(text);
  std::vector<std::string> valid;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const auto* value = descriptor->value(i);
    if (value->number() == 0) continue;
    const std::string short_name = WithoutPrefix(value->name(), prefix);
    if (wanted == short_name || wanted == value->name()) {
      return static_cast<Enum>(value->number());
    }
    valid.push_back(absl::AsciiStrToLower(short_name));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown ", std::string(what), " \"", text,
                   "\"; expected one of ", absl::StrJoin(valid, ", ")));
}

}  // namespace

Table::Table(std::vector<std::string> header) {
  rows_.push_back(std::move(header));
}

void Table::AddRow(std::vector<std::string> row) {
  row.resize(rows_.front().size());
  rows_.push_back(std::move(row));
}

std::string Table::Render() const {
  std::vector<size_t> widths(rows_.front().size(), 0);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += "  ";
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size(), ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string StudyStateName(v1::StudyState state) {
  return WithoutPrefix(v1::StudyState_Name(state), "STUDY_STATE_");
}

std::string TrialStateName(v1::TrialState state) {
  return WithoutPrefix(v1::TrialState_Name(state), "TRIAL_STATE_");
}

absl::StatusOr<v1::StudyState> ParseStudyState(const std::string& text) {
  return ParseEnum<v1::StudyState>(text, "STUDY_STATE_",
                                   v1::StudyState_descriptor(), "study state");
}

absl::StatusOr<std::vector<v1::TrialState>> ParseTrialStates(
    const std::string& text) {
  std::vector<v1::TrialState> states;
  for (absl::string_view part :
       absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    absl::StatusOr<v1::TrialState> state = ParseEnum<v1::TrialState>(
        std::string(absl::StripAsciiWhitespace(part)), "TRIAL_STATE_",
        v1::TrialState_descriptor(), "trial state");
    if (!state.ok()) return state.status();
    states.push_back(*state);
  }
  return states;
}

std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "";
  const absl::Time time = absl::FromUnixSeconds(timestamp.seconds()) +
                          absl::Nanoseconds(timestamp.nanos());
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

std::optional<double> TrialDurationSeconds(const v1::Trial& trial) {
  if (!trial.has_start_time() || !trial.has_end_time()) return std::nullopt;
  // In whole nanoseconds first: epoch seconds as doubles would leave the
  // difference with rounding noise in its last digits.
  const int64_t nanos =
      (trial.end_time().seconds() - trial.start_time().seconds()) * 1000000000 +
      (trial.end_time().nanos() - trial.start_time().nanos());
  return static_cast<double>(nanos) / 1e9;
}

std::string FormatSeconds(double seconds) {
  if (seconds < 1) return absl::StrFormat("%.0fms", seconds * 1000);
  if (seconds < 60) return absl::StrFormat("%.1fs", seconds);
  const int64_t whole = static_cast<int64_t>(seconds);
  if (whole < 3600) {
    return absl::StrFormat("%dm%02ds", whole / 60, whole % 60);
  }
  return absl::StrFormat("%dh%02dm", whole / 3600, (whole % 3600) / 60);
}

absl::StatusOr<std::string> ProtoToJson(
    const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  const auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) return absl::InternalError(std::string(status.message()));
  return json;
}

std::vector<std::string> ParameterNames(const v1::Study& study,
                                        const std::vector<v1::Trial>& trials) {
  std::vector<std::string> names;
  std::set<std::string> known;
  for (const v1::ParameterSpec& spec : study.config().parameters()) {
    if (known.insert(spec.name()).second) names.push_back(spec.name());
  }
  std::set<std::string> extra;
  for (const v1::Trial& trial : trials) {
    for (const auto& [name, value] : trial.parameters()) {
      if (!known.contains(name)) extra.insert(name);
    }
  }
  names.insert(names.end(), extra.begin(), extra.end());
  return names;
}

std::string ObjectiveMetric(const v1::Study& study, int index) {
  return index < study.config().objectives_size()
             ? study.config().objectives(index).metric()
             : absl::StrCat("value", index);
}

std::string ShortDouble(double value) { return absl::StrFormat("%.6g", value); }

std::string FormatParameters(const v1::Study& study, const v1::Trial& trial) {
  std::vector<std::string> parts;
  for (const std::string& name : ParameterNames(study, {trial})) {
    const auto it = trial.parameters().find(name);
    if (it == trial.parameters().end()) continue;
    const v1::Value& value = it->second;
    parts.push_back(absl::StrCat(name, "=",
                                 value.has_double_value()
                                     ? ShortDouble(value.double_value())
                                     : ValueLabel(value)));
  }
  return absl::StrJoin(parts, " ");
}

std::string FormatObjectiveValues(const v1::Study& study,
                                  const v1::Trial& trial) {
  std::vector<std::string> parts;
  for (int i = 0; i < trial.values_size(); ++i) {
    parts.push_back(absl::StrCat(ObjectiveMetric(study, i), "=",
                                 ShortDouble(trial.values(i))));
  }
  return absl::StrJoin(parts, " ");
}

}  // namespace knob::knobctl

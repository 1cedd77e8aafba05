#include "client/knobctl/export.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/knobctl/format.h"
#include "client/values.h"
#include "nlohmann/json.hpp"
#include "server/dashboard/study_json.h"

namespace knob::knobctl {
namespace {

// Keeps keys in the order written, which reads better than sorted.
using json = nlohmann::ordered_json;

std::vector<std::string> ExtraMetricNames(
    const v1::Study& study, const std::vector<v1::Trial>& trials) {
  std::vector<std::string> names(study.config().extra_metrics().begin(),
                                 study.config().extra_metrics().end());
  std::set<std::string> known(names.begin(), names.end());
  std::set<std::string> extra;
  for (const v1::Trial& trial : trials) {
    for (const auto& [name, value] : trial.metrics()) {
      if (!known.contains(name)) extra.insert(name);
    }
  }
  names.insert(names.end(), extra.begin(), extra.end());
  return names;
}

json TimeToJson(const google::protobuf::Timestamp& timestamp) {
  const std::string text = FormatTimestamp(timestamp);
  return text.empty() ? json(nullptr) : json(text);
}

}  // namespace

std::string CsvField(std::string_view text) {
  const bool quote =
      text.find_first_of(",\"\r\n") != std::string_view::npos ||
      (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string TrialsToCsv(const v1::Study& study,
                        const std::vector<v1::Trial>& trials) {
  const std::vector<std::string> params = ParameterNames(study, trials);
  const std::vector<std::string> extras = ExtraMetricNames(study, trials);
  const int objectives = study.config().objectives_size();

  std::vector<std::string> header = {"number", "state"};
  for (const std::string& name : params) header.push_back("param_" + name);
  for (int i = 0; i < objectives; ++i) {
    header.push_back("value_" + ObjectiveMetric(study, i));
  }
  for (const std::string& name : extras) header.push_back("metric_" + name);
  for (const char* column :
       {"worker_id", "start_time", "end_time", "duration_seconds"}) {
    header.push_back(column);
  }

  const auto join = [](const std::vector<std::string>& cells) {
    return absl::StrCat(
        absl::StrJoin(cells, ",",
                      [](std::string* out, const std::string& cell) {
                        out->append(CsvField(cell));
                      }),
        "\n");
  };
  std::string csv = join(header);
  for (const v1::Trial& trial : trials) {
    std::vector<std::string> row = {absl::StrCat(trial.number()),
                                    TrialStateName(trial.state())};
    for (const std::string& name : params) {
      const auto it = trial.parameters().find(name);
      row.push_back(it == trial.parameters().end() ? ""
                                                   : ValueLabel(it->second));
    }
    for (int i = 0; i < objectives; ++i) {
      row.push_back(i < trial.values_size() ? FormatDouble(trial.values(i))
                                            : "");
    }
    for (const std::string& name : extras) {
      const auto it = trial.metrics().find(name);
      row.push_back(it == trial.metrics().end() ? ""
                                                : FormatDouble(it->second));
    }
    row.push_back(trial.worker_id());
    row.push_back(FormatTimestamp(trial.start_time()));
    row.push_back(FormatTimestamp(trial.end_time()));
    const std::optional<double> duration = TrialDurationSeconds(trial);
    row.push_back(duration ? FormatDouble(*duration) : "");
    csv += join(row);
  }
  return csv;
}

std::string TrialsToJson(const v1::Study& study,
                         const std::vector<v1::Trial>& trials) {
  json array = json::array();
  for (const v1::Trial& trial : trials) {
    json params = json::object();
    for (const auto& [name, value] : trial.parameters()) {
      params[name] = dashboard::ValueJson(value);
    }
    json values = json::object();
    for (int i = 0; i < trial.values_size(); ++i) {
      values[ObjectiveMetric(study, i)] = trial.values(i);
    }
    json metrics = json::object();
    for (const auto& [name, value] : trial.metrics()) metrics[name] = value;
    json intermediate = json::array();
    for (const v1::IntermediateValue& value : trial.intermediate_values()) {
      intermediate.push_back({{"step", value.step()},
                              {"metric", value.metric()},
                              {"value", value.value()}});
    }
    json environment = json::object();
    for (const auto& [key, value] : trial.environment()) {
      environment[key] = value;
    }
    const std::optional<double> duration = TrialDurationSeconds(trial);
    array.push_back({
        {"id", trial.id()},
        {"number", trial.number()},
        {"state", TrialStateName(trial.state())},
        {"params", std::move(params)},
        {"values", std::move(values)},
        {"metrics", std::move(metrics)},
        {"intermediate_values", std::move(intermediate)},
        {"worker_id", trial.worker_id()},
        {"environment", std::move(environment)},
        {"fail_reason", trial.fail_reason()},
        {"create_time", TimeToJson(trial.create_time())},
        {"start_time", TimeToJson(trial.start_time())},
        {"end_time", TimeToJson(trial.end_time())},
        {"duration_seconds", duration ? json(*duration) : json(nullptr)},
    });
  }
  return array.dump(2) + "\n";
}

}  // namespace knob::knobctl

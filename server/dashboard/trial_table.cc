#include "server/dashboard/trial_table.h"

#include <algorithm>
#include <optional>
#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "server/util/status_macros.h"

namespace knob::dashboard {
namespace {

using SortKey = TrialTableQuery::SortKey;

absl::StatusOr<int64_t> ParseCount(absl::string_view name,
                                   absl::string_view text, int64_t max) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < 0 || value > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": expected an integer from 0 to ", max, ", got \"", text, "\""));
  }
  return value;
}

absl::StatusOr<v1::TrialState> ParseState(absl::string_view word) {
  for (int state = v1::TRIAL_STATE_WAITING; state <= v1::TRIAL_STATE_STALE;
       ++state) {
    if (StateName(static_cast<v1::TrialState>(state)) == word) {
      return static_cast<v1::TrialState>(state);
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "state: unknown trial state \"", word,
      "\" (expected waiting, running, completed, pruned, failed or stale)"));
}

absl::Status ParseSort(absl::string_view text, const v1::StudyConfig& config,
                       TrialTableQuery& query) {
  if (absl::ConsumePrefix(&text, "param:")) {
    const bool known = std::any_of(
        config.parameters().begin(), config.parameters().end(),
        [text](const v1::ParameterSpec& spec) { return spec.name() == text; });
    if (!known) {
      return absl::InvalidArgumentError(
          absl::StrCat("sort: the study has no parameter \"", text, "\""));
    }
    query.sort = SortKey::kParam;
    query.param = std::string(text);
    return absl::OkStatus();
  }
  static constexpr std::pair<absl::string_view, SortKey> kKeys[] = {
      {"number", SortKey::kNumber},
      {"value", SortKey::kValue},
      {"duration", SortKey::kDuration},
      {"state", SortKey::kState}};
  for (const auto& [name, key] : kKeys) {
    if (text == name) {
      query.sort = key;
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("sort: expected number, value, duration, state or "
                   "param:NAME, got \"",
                   text, "\""));
}

// A sort key: numbers before strings (a categorical may mix them), and a
// missing key is handled apart so that it stays last in either order.
using Key = std::variant<double, std::string>;

std::optional<Key> KeyOf(const v1::Trial& trial, const TrialTableQuery& query) {
  switch (query.sort) {
    case SortKey::kNumber:
      return static_cast<double>(trial.number());
    case SortKey::kValue:
      if (trial.state() != v1::TRIAL_STATE_COMPLETED ||
          trial.values().empty()) {
        return std::nullopt;
      }
      return trial.values(0);
    case SortKey::kDuration:
      if (!trial.has_start_time() || !trial.has_end_time()) {
        return std::nullopt;
      }
      return static_cast<double>(
          google::protobuf::util::TimeUtil::DurationToMicroseconds(
              trial.end_time() - trial.start_time()));
    case SortKey::kState:
      return StateName(trial.state());
    case SortKey::kParam: {
      const auto value = trial.parameters().find(query.param);
      if (value == trial.parameters().end()) return std::nullopt;
      switch (value->second.kind_case()) {
        case v1::Value::kDoubleValue:
          return value->second.double_value();
        case v1::Value::kIntValue:
          return static_cast<double>(value->second.int_value());
        case v1::Value::kBoolValue:
          return value->second.bool_value() ? 1.0 : 0.0;
        case v1::Value::kStringValue:
          return value->second.string_value();
        case v1::Value::KIND_NOT_SET:
          return std::nullopt;
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<TrialTableQuery> ParseTrialTableQuery(
    const std::map<std::string, std::string>& parameters,
    const v1::StudyConfig& config) {
  TrialTableQuery query;
  if (auto it = parameters.find("offset"); it != parameters.end()) {
    ASSIGN_OR_RETURN(query.offset,
                     ParseCount("offset", it->second, int64_t{1} << 40));
  }
  if (auto it = parameters.find("limit"); it != parameters.end()) {
    ASSIGN_OR_RETURN(query.limit,
                     ParseCount("limit", it->second, kMaxTableLimit));
  }
  if (auto it = parameters.find("sort"); it != parameters.end()) {
    RETURN_IF_ERROR(ParseSort(it->second, config, query));
  }
  if (auto it = parameters.find("order"); it != parameters.end()) {
    if (it->second != "asc" && it->second != "desc") {
      return absl::InvalidArgumentError(absl::StrCat(
          "order: expected asc or desc, got \"", it->second, "\""));
    }
    query.descending = it->second == "desc";
  }
  if (auto it = parameters.find("state"); it != parameters.end()) {
    for (absl::string_view word :
         absl::StrSplit(it->second, ',', absl::SkipEmpty())) {
      ASSIGN_OR_RETURN(v1::TrialState state, ParseState(word));
      query.states.push_back(state);
    }
  }
  return query;
}

std::vector<const v1::Trial*> SortedTrials(TrialSpan trials,
                                           const TrialTableQuery& query) {
  struct Row {
    std::optional<Key> key;
    const v1::Trial* trial;
  };
  std::vector<Row> rows;
  rows.reserve(trials.size());
  for (const v1::Trial* trial : trials) {
    if (!query.states.empty() &&
        std::find(query.states.begin(), query.states.end(), trial->state()) ==
            query.states.end()) {
      continue;
    }
    rows.push_back({KeyOf(*trial, query), trial});
  }
  std::sort(rows.begin(), rows.end(), [&query](const Row& a, const Row& b) {
    if (a.key.has_value() != b.key.has_value()) return a.key.has_value();
    if (a.key.has_value() && *a.key != *b.key) {
      return query.descending ? *b.key < *a.key : *a.key < *b.key;
    }
    const bool by_number_descending =
        query.sort == SortKey::kNumber && query.descending;
    return by_number_descending ? a.trial->number() > b.trial->number()
                                : a.trial->number() < b.trial->number();
  });
  std::vector<const v1::Trial*> sorted;
  sorted.reserve(rows.size());
  for (const Row& row : rows) sorted.push_back(row.trial);
  return sorted;
}

nlohmann::json TrialPageJson(TrialSpan trials, const TrialTableQuery& query) {
  const std::vector<const v1::Trial*> sorted = SortedTrials(trials, query);
  nlohmann::json rows = nlohmann::json::array();
  const size_t begin =
      std::min(sorted.size(), static_cast<size_t>(query.offset));
  const size_t end =
      std::min(sorted.size(), begin + static_cast<size_t>(query.limit));
  for (size_t i = begin; i < end; ++i) rows.push_back(TrialRowJson(*sorted[i]));
  return {{"total", sorted.size()},
          {"offset", query.offset},
          {"limit", query.limit},
          {"trials", std::move(rows)}};
}

}  // namespace knob::dashboard

#include "server/storage/postgres/internal/json_rows.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/util/json_string.h"

namespace knob::postgres_internal {

JsonRows& JsonRows::Row() {
  if (row_open_) json_ += "},";
  json_.push_back('{');
  row_open_ = true;
  first_field_ = true;
  return *this;
}

void JsonRows::Key(absl::string_view key) {
  if (!first_field_) json_.push_back(',');
  first_field_ = false;
  AppendJsonString(json_, key);
  json_.push_back(':');
}

JsonRows& JsonRows::Text(absl::string_view key, absl::string_view value) {
  Key(key);
  AppendJsonString(json_, value);
  return *this;
}

JsonRows& JsonRows::Int(absl::string_view key, int64_t value) {
  Key(key);
  absl::StrAppend(&json_, value);
  return *this;
}

JsonRows& JsonRows::Bool(absl::string_view key, bool value) {
  Key(key);
  json_ += value ? "true" : "false";
  return *this;
}

JsonRows& JsonRows::Null(absl::string_view key) {
  Key(key);
  json_ += "null";
  return *this;
}

JsonRows& JsonRows::Object(absl::string_view key,
                           const std::map<std::string, std::string>& value) {
  Key(key);
  json_.push_back('{');
  bool first = true;
  for (const auto& [name, text] : value) {
    if (!first) json_.push_back(',');
    first = false;
    AppendJsonString(json_, name);
    json_.push_back(':');
    AppendJsonString(json_, text);
  }
  json_.push_back('}');
  return *this;
}

std::string JsonRows::Finish() && {
  if (row_open_) json_.push_back('}');
  json_.push_back(']');
  return std::move(json_);
}

}  // namespace knob::postgres_internal

// Writes the JSON array of row objects that a statement reads with
// jsonb_to_recordset, straight into a string. Every suggest and complete
// call adds rows, and building them as a JSON document first cost the
// server more than the statement cost PostgreSQL.
//
//   JsonRows rows;
//   rows.Row().Int("id", 7).Text("name", "lr").Null("label");
//   std::string json = std::move(rows).Finish();  // [{"id":7,...}]
//
// Strings are escaped as JSON requires; bytes that are not UTF-8 pass
// through, and PostgreSQL refuses them (INVALID_ARGUMENT).
#ifndef KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_JSON_ROWS_H_
#define KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_JSON_ROWS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/string_view.h"

namespace knob::postgres_internal {

class JsonRows final {
 public:
  // Starts the next row; the fields below go into it.
  JsonRows& Row();
  JsonRows& Text(absl::string_view key, absl::string_view value);
  JsonRows& Int(absl::string_view key, int64_t value);
  JsonRows& Bool(absl::string_view key, bool value);
  JsonRows& Null(absl::string_view key);
  // A JSON object of strings, e.g. for a jsonb column.
  JsonRows& Object(absl::string_view key,
                   const std::map<std::string, std::string>& value);

  std::string Finish() &&;

 private:
  void Key(absl::string_view key);

  std::string json_ = "[";
  // Whether a row was started: it is closed before the next one and by
  // Finish().
  bool row_open_ = false;
  bool first_field_ = true;
};

}  // namespace knob::postgres_internal

#endif  // KNOB_SERVER_STORAGE_POSTGRES_INTERNAL_JSON_ROWS_H_

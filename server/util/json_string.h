// A string as a JSON string literal, for code that writes JSON text
// directly rather than through a document (log lines, statement rows).
#ifndef KNOB_SERVER_UTIL_JSON_STRING_H_
#define KNOB_SERVER_UTIL_JSON_STRING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace knob {

// Appends `text` quoted, with quotes, backslashes and control characters
// escaped as JSON requires. Other bytes pass through as they are, so text
// that is not UTF-8 stays so.
void AppendJsonString(std::string& out, absl::string_view text);

}  // namespace knob

#endif  // KNOB_SERVER_UTIL_JSON_STRING_H_

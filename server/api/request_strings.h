// Checks every string of a request before it reaches the tuner, so that
// text the database cannot hold is refused where it enters, naming the
// field, and whichever storage runs behind behaves the same:
// - no string may contain a NUL character (PostgreSQL's text and jsonb
//   cannot hold one);
// - identifiers, meaning map keys and fields named `*_id`, `name`,
//   `metric` or `parent`, hold at most kMaxIdentifierBytes bytes:
//   several are indexed, and an index entry has a size limit of its own,
//   far below a request's. Free text (reasons, metadata and environment
//   values, labels) is bounded only by the request size.
#ifndef KNOB_SERVER_API_REQUEST_STRINGS_H_
#define KNOB_SERVER_API_REQUEST_STRINGS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace knob::api {

inline constexpr size_t kMaxIdentifierBytes = 256;

// INVALID_ARGUMENT naming the first offending field by its path in
// `request` (`config.parameters[2].name`, `environment["host"]`), or OK.
absl::Status CheckRequestStrings(const google::protobuf::Message& request);

}  // namespace knob::api

#endif  // KNOB_SERVER_API_REQUEST_STRINGS_H_

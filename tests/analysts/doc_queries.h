// The example queries of a Markdown document, so that tests run exactly
// what readers copy: every fenced ```sql block whose first line is
// `-- query: NAME`. Other blocks (connection snippets, DDL for operators)
// carry no marker and are not queries to run.
#ifndef KNOB_TESTS_ANALYSTS_DOC_QUERIES_H_
#define KNOB_TESTS_ANALYSTS_DOC_QUERIES_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace knob::testing {

// The marked queries of the Markdown file at `path`, by name, each with its
// marker line. NOT_FOUND when the file cannot be read; INVALID_ARGUMENT for
// a name used twice, an empty query or a block that is never closed.
absl::StatusOr<std::map<std::string, std::string>> ReadDocQueries(
    const std::string& path);

}  // namespace knob::testing

#endif  // KNOB_TESTS_ANALYSTS_DOC_QUERIES_H_

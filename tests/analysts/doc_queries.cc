#include "tests/analysts/doc_queries.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace knob::testing {
namespace {

constexpr char kSqlFence[] = "```sql";
constexpr char kFence[] = "```";
constexpr char kMarker[] = "-- query: ";

}  // namespace

absl::StatusOr<std::map<std::string, std::string>> ReadDocQueries(
    const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));

  std::map<std::string, std::string> queries;
  std::string line;
  int line_number = 0;
  while (std::getline(file, line)) {
    ++line_number;
    if (line != kSqlFence) continue;
    const int block_start = line_number;
    std::string block;
    bool closed = false;
    while (std::getline(file, line)) {
      ++line_number;
      if (line == kFence) {
        closed = true;
        break;
      }
      absl::StrAppend(&block, line, "\n");
    }
    if (!closed) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", block_start, ": the sql block is never closed"));
    }
    std::istringstream block_lines(block);
    std::string first_line;
    std::getline(block_lines, first_line);
    absl::string_view name = first_line;
    if (!absl::ConsumePrefix(&name, kMarker)) continue;
    name = absl::StripAsciiWhitespace(name);
    if (name.empty() || block.size() == first_line.size() + 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", block_start, ": a marked query needs a name and SQL"));
    }
    if (!queries.emplace(std::string(name), std::move(block)).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", block_start, ": query \"", name, "\" appears twice"));
    }
  }
  return queries;
}

}  // namespace knob::testing

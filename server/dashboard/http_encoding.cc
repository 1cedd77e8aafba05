#include "server/dashboard/http_encoding.h"

#include <zlib.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace knob::dashboard {

bool HttplibCompresses(std::string_view content_type) {
  // httplib 0.11's rule: text/* but event streams, and these exact types.
  if (content_type.substr(0, 5) == "text/") {
    return content_type != "text/event-stream";
  }
  for (std::string_view compressed :
       {"image/svg+xml", "application/javascript", "application/json",
        "application/xml", "application/xhtml+xml", "application/protobuf"}) {
    if (content_type == compressed) return true;
  }
  return false;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  for (absl::string_view coding : absl::StrSplit(
           absl::string_view(accept_encoding.data(), accept_encoding.size()),
           ',')) {
    coding = absl::StripAsciiWhitespace(coding);
    const size_t semicolon = coding.find(';');
    const absl::string_view name =
        absl::StripAsciiWhitespace(coding.substr(0, semicolon));
    if (!absl::EqualsIgnoreCase(name, "gzip")) continue;
    // "gzip;q=0" refuses it.
    if (semicolon != absl::string_view::npos) {
      absl::string_view weight =
          absl::StripAsciiWhitespace(coding.substr(semicolon + 1));
      if (absl::ConsumePrefix(&weight, "q=") &&
          std::strtod(std::string(weight).c_str(), nullptr) <= 0) {
        return false;
      }
    }
    return true;
  }
  return false;
}

std::optional<std::string> Gzip(std::string_view data, int level) {
  z_stream stream{};
  // 15 + 16: the largest window, with a gzip header and trailer.
  if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  std::string compressed(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_out = static_cast<uInt>(compressed.size());
  // deflateBound leaves room for everything, so one call finishes.
  const int result = deflate(&stream, Z_FINISH);
  compressed.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) return std::nullopt;
  return compressed;
}

}  // namespace knob::dashboard

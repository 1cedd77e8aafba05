// Response compression for the dashboard's HTTP endpoint.
//
// httplib compresses text/* bodies and a few exact content types on its
// own, choosing brotli at its slowest setting whenever the browser accepts
// it: seconds per megabyte, so 20 s for the Plotly bundle and 2 s for the
// plots of a 100,000-trial study. The dashboard therefore serves its large
// bodies (scripts, JSON) with content types httplib leaves alone (kJson;
// "application/javascript; charset=utf-8" for scripts, see assets.cc) and
// gzips them here, which takes milliseconds; the small text/* bodies (the
// page, its stylesheet) are left to httplib.
//
// Thread safety: pure functions.
#ifndef KNOB_SERVER_DASHBOARD_HTTP_ENCODING_H_
#define KNOB_SERVER_DASHBOARD_HTTP_ENCODING_H_

#include <optional>
#include <string>
#include <string_view>

namespace knob::dashboard {

inline constexpr char kJson[] = "application/json; charset=utf-8";

// Bodies smaller than this are sent as they are: compressing them saves
// less than it costs.
inline constexpr size_t kMinCompressedSize = 1024;

// zlib levels: the fastest, for a body made for one response, and zlib's
// default, for a body compressed once and sent many times.
inline constexpr int kGzipFastest = 1;
inline constexpr int kGzipDefault = 6;

// Whether httplib compresses bodies of this content type itself.
bool HttplibCompresses(std::string_view content_type);

// Whether an Accept-Encoding header value admits gzip.
bool AcceptsGzip(std::string_view accept_encoding);

// `data` in gzip format at zlib level `level` (1 fastest, 9 smallest);
// nullopt if zlib fails (out of memory), and the body goes uncompressed.
std::optional<std::string> Gzip(std::string_view data, int level);

}  // namespace knob::dashboard

#endif  // KNOB_SERVER_DASHBOARD_HTTP_ENCODING_H_

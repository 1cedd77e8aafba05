// The dashboard's page and scripts (assets.h) over HTTP, with the
// caching and compression headers a browser needs.
//
// The assets change only with the binary, which the page cannot know: they
// carry a weak ETag (one version has two encodings) and `Cache-Control:
// no-cache`, so the browser revalidates each time and gets 304 while the
// ETag matches. Scripts are gzipped for browsers that accept it, once per
// asset and process (see http_encoding.h).
//
// Thread safety: Serve may be called concurrently.
#ifndef KNOB_SERVER_DASHBOARD_STATIC_FILES_H_
#define KNOB_SERVER_DASHBOARD_STATIC_FILES_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/call_once.h"
#include "httplib.h"
#include "server/dashboard/assets.h"

namespace knob::dashboard {

class StaticFiles {
 public:
  StaticFiles();

  StaticFiles(const StaticFiles&) = delete;
  StaticFiles& operator=(const StaticFiles&) = delete;

  // Answers a GET or HEAD of an asset's path; false, leaving `response`
  // alone, for any other path.
  bool Serve(const httplib::Request& request, httplib::Response& response);

 private:
  struct File {
    const Asset* asset = nullptr;
    std::string etag;
    absl::once_flag gzip_once;
    std::optional<std::string> gzipped;
  };

  std::vector<std::unique_ptr<File>> files_;
};

}  // namespace knob::dashboard

#endif  // KNOB_SERVER_DASHBOARD_STATIC_FILES_H_

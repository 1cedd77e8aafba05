#include "server/dashboard/static_files.h"

#include <functional>
#include <string_view>
#include <utility>

#include "absl/strings/str_format.h"
#include "server/dashboard/http_encoding.h"

namespace knob::dashboard {

StaticFiles::StaticFiles() {
  for (const Asset* asset : {&IndexHtml(), &AppJs(), &AppCss(), &PlotlyJs()}) {
    auto file = std::make_unique<File>();
    file->asset = asset;
    file->etag = absl::StrFormat("W/\"%016x\"",
                                 std::hash<std::string_view>{}(asset->data));
    files_.push_back(std::move(file));
  }
}

bool StaticFiles::Serve(const httplib::Request& request,
                        httplib::Response& response) {
  for (const std::unique_ptr<File>& file : files_) {
    const Asset& asset = *file->asset;
    if (asset.path != request.path) continue;
    const std::string content_type(asset.content_type);
    response.set_header("Cache-Control", "no-cache");
    response.set_header("ETag", file->etag);
    response.set_header("Vary", "Accept-Encoding");
    if (request.get_header_value("If-None-Match") == file->etag) {
      response.status = 304;
      return true;
    }
    if (!HttplibCompresses(content_type) &&
        AcceptsGzip(request.get_header_value("Accept-Encoding"))) {
      // Plotly takes a fifth of a second: once per process.
      absl::call_once(file->gzip_once, [&file] {
        file->gzipped = Gzip(file->asset->data, kGzipDefault);
      });
      if (file->gzipped.has_value()) {
        response.set_header("Content-Encoding", "gzip");
        response.set_content(file->gzipped->data(), file->gzipped->size(),
                             content_type.c_str());
        return true;
      }
    }
    response.set_content(asset.data.data(), asset.data.size(),
                         content_type.c_str());
    return true;
  }
  return false;
}

}  // namespace knob::dashboard

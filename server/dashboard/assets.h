// The dashboard's web page, embedded in the program at build time: the
// page and its stylesheet and script from server/dashboard/web, and
// Plotly's bundle as npm installed it in the build directory. Nothing is
// read from disk at run time, so a server or knobctl binary is complete
// on its own.
//
// Thread safety: the assets are immutable; any thread may read them.
#ifndef KNOB_SERVER_DASHBOARD_ASSETS_H_
#define KNOB_SERVER_DASHBOARD_ASSETS_H_

#include <string_view>

namespace knob::dashboard {

struct Asset {
  // The URL path it is served at, e.g. "/assets/app.js".
  std::string_view path;
  std::string_view content_type;
  std::string_view data;
};

const Asset& IndexHtml();
const Asset& AppJs();
const Asset& AppCss();
const Asset& PlotlyJs();

// The asset served at `path` ("/" is the page); nullptr for any other.
const Asset* FindAsset(std::string_view path);

}  // namespace knob::dashboard

#endif  // KNOB_SERVER_DASHBOARD_ASSETS_H_

#include "server/dashboard/assets.h"

// The build passes each file's absolute path as KNOB_ASSET_<NAME>. The
// assembler copies the bytes into the object file (.incbin), so a
// multi-megabyte script costs no compile time and no generated source.
#define KNOB_EMBED_ASSET(symbol, path)      \
  __asm__(                                  \
      ".pushsection .rodata\n"              \
      ".balign 16\n"                        \
      ".globl " #symbol                     \
      "_begin\n"                            \
      ".hidden " #symbol "_begin\n" #symbol \
      "_begin:\n"                           \
      ".incbin \"" path                     \
      "\"\n"                                \
      ".globl " #symbol                     \
      "_end\n"                              \
      ".hidden " #symbol "_end\n" #symbol   \
      "_end:\n"                             \
      ".byte 0\n"                           \
      ".popsection\n");                     \
  extern "C" const char symbol##_begin[];   \
  extern "C" const char symbol##_end[];

KNOB_EMBED_ASSET(knob_dashboard_index_html, KNOB_ASSET_INDEX_HTML)
KNOB_EMBED_ASSET(knob_dashboard_app_js, KNOB_ASSET_APP_JS)
KNOB_EMBED_ASSET(knob_dashboard_app_css, KNOB_ASSET_APP_CSS)
KNOB_EMBED_ASSET(knob_dashboard_plotly_js, KNOB_ASSET_PLOTLY_JS)

namespace knob::dashboard {
namespace {

constexpr std::string_view Bytes(const char* begin, const char* end) {
  return std::string_view(begin, static_cast<size_t>(end - begin));
}

}  // namespace

const Asset& IndexHtml() {
  static const Asset asset{
      "/", "text/html; charset=utf-8",
      Bytes(knob_dashboard_index_html_begin, knob_dashboard_index_html_end)};
  return asset;
}

// Scripts are not sent as text/javascript: httplib would compress that
// itself, far too slowly for Plotly (see http_encoding.h).
constexpr std::string_view kJavaScript =
    "application/javascript; charset=utf-8";

const Asset& AppJs() {
  static const Asset asset{
      "/assets/app.js", kJavaScript,
      Bytes(knob_dashboard_app_js_begin, knob_dashboard_app_js_end)};
  return asset;
}

const Asset& AppCss() {
  static const Asset asset{
      "/assets/app.css", "text/css; charset=utf-8",
      Bytes(knob_dashboard_app_css_begin, knob_dashboard_app_css_end)};
  return asset;
}

const Asset& PlotlyJs() {
  static const Asset asset{
      "/assets/plotly.min.js", kJavaScript,
      Bytes(knob_dashboard_plotly_js_begin, knob_dashboard_plotly_js_end)};
  return asset;
}

const Asset* FindAsset(std::string_view path) {
  for (const Asset* asset : {&IndexHtml(), &AppJs(), &AppCss(), &PlotlyJs()}) {
    if (asset->path == path) return asset;
  }
  return nullptr;
}

}  // namespace knob::dashboard

#include "client/knobctl/report.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "client/knobctl/commands.h"
#include "server/dashboard/assets.h"
#include "server/dashboard/plots_json.h"
#include "server/dashboard/study_json.h"
#include "server/dashboard/trial_table.h"
#include "server/util/status_macros.h"

namespace knob::knobctl {
namespace {

using nlohmann::json;

// Text inside <script> or <style> ends at the first "</script" or
// "</style"; "<\/" means the same inside the JavaScript strings, regular
// expressions and JSON where such text can occur.
std::string EscapeEmbedded(std::string_view text) {
  return absl::StrReplaceAll(absl::string_view(text.data(), text.size()),
                             {{"</", "<\\/"}});
}

// The <body> element of the dashboard page without its <script> elements,
// which the report inlines itself.
std::string PageBody(std::string_view page) {
  const size_t open = page.find("<body");
  const size_t close = page.rfind("</body>");
  if (open == std::string_view::npos || close == std::string_view::npos ||
      close < open) {
    return "<body>";
  }
  std::string body(page.substr(open, close - open));
  for (size_t script = body.find("<script"); script != std::string::npos;
       script = body.find("<script", script)) {
    const size_t end = body.find("</script>", script);
    if (end == std::string::npos) break;
    body.erase(script, end + std::string_view("</script>").size() - script);
  }
  return body;
}

}  // namespace

absl::StatusOr<json> CollectReportData(Client& client,
                                       const std::string& study_name) {
  ASSIGN_OR_RETURN(v1::Study study, client.FindStudy(study_name));
  v1::ListTrialsRequest request;
  request.set_study_id(study.id());
  request.set_page_size(10000);
  ASSIGN_OR_RETURN(std::vector<v1::Trial> trials,
                   client.ListAllTrials(request));
  std::vector<const v1::Trial*> view;
  view.reserve(trials.size());
  for (const v1::Trial& trial : trials) view.push_back(&trial);

  v1::GetParamImportancesRequest importance_request;
  importance_request.set_study_id(study.id());
  absl::StatusOr<v1::GetParamImportancesResponse> importances =
      client.GetParamImportances(importance_request);
  json importance;
  if (importances.ok()) {
    importance = dashboard::ImportanceJson(*importances);
  } else if (absl::IsFailedPrecondition(importances.status())) {
    importance = dashboard::ImportanceUnavailableJson(
        std::string(importances.status().message()));
  } else {
    return importances.status();
  }

  dashboard::TrialTableQuery table;
  table.limit = kReportMaxTrialRows;
  return json{{"study", dashboard::StudyDetailJson(study, view)},
              {"plots",
               dashboard::PlotsJson(study, view, dashboard::kDefaultMaxPoints)},
              {"trials", dashboard::TrialPageJson(view, table)},
              {"importance", std::move(importance)}};
}

std::string RenderReportHtml(const json& data) {
  const std::string name = data["study"].value("name", "");
  const std::string title =
      absl::StrReplaceAll(absl::StrCat("Knob report: ", name),
                          {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}});
  return absl::StrCat(
      "<!doctype html>\n<html lang=\"en\">\n<head>\n"
      "<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n<title>",
      title, "</title>\n<style>\n", EscapeEmbedded(dashboard::AppCss().data),
      "</style>\n</head>\n", PageBody(dashboard::IndexHtml().data),
      "<script>\n", EscapeEmbedded(dashboard::PlotlyJs().data),
      "</script>\n<script>window.KNOB_REPORT = ",
      EscapeEmbedded(data.dump(-1, ' ', false, json::error_handler_t::replace)),
      ";</script>\n<script>\n", EscapeEmbedded(dashboard::AppJs().data),
      "</script>\n</body>\n</html>\n");
}

absl::Status RunReport(CommandEnv& env, const Args& args) {
  if (env.flags.html.empty()) {
    return absl::InvalidArgumentError("report: --html=FILE is required");
  }
  ASSIGN_OR_RETURN(json data, CollectReportData(env.client, args[0]));
  std::ofstream file(env.flags.html, std::ios::binary | std::ios::trunc);
  if (file) file << RenderReportHtml(data);
  if (file) file.close();
  if (!file) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot write ", env.flags.html, ": ", std::strerror(errno)));
  }
  env.out << "wrote " << env.flags.html << " (study \""
          << data["study"].value("name", "") << "\", "
          << data["trials"].value("total", 0) << " trials)\n";
  return absl::OkStatus();
}

}  // namespace knob::knobctl

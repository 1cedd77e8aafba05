// `knobctl report`: one self-contained HTML file showing a study as the
// dashboard's study page does, readable offline and easy to attach or
// archive. The page, its stylesheet, Plotly and the dashboard script are
// inlined (no URL is fetched), and the data is inlined as
// `window.KNOB_REPORT = {"study", "plots", "trials", "importance"}`, the
// same documents the dashboard's API serves, built by the same code.
#ifndef KNOB_CLIENT_KNOBCTL_REPORT_H_
#define KNOB_CLIENT_KNOBCTL_REPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "client/client.h"
#include "nlohmann/json.hpp"

namespace knob::knobctl {

// The trial table of a report holds at most this many rows, the lowest
// numbers; the charts sample from all trials.
inline constexpr int64_t kReportMaxTrialRows = 5000;

// Reads the study (by id or name), all its trials and the first
// objective's importances through `client`, and builds the report's data.
// The server's errors pass through, except that importances the server
// cannot compute yet (too few trials) become an empty list with the
// reason.
absl::StatusOr<nlohmann::json> CollectReportData(Client& client,
                                                 const std::string& study);

// The HTML document for `data` (as CollectReportData builds it).
std::string RenderReportHtml(const nlohmann::json& data);

}  // namespace knob::knobctl

#endif  // KNOB_CLIENT_KNOBCTL_REPORT_H_

// knob-server's web dashboard: the embedded page (assets.h) and its
// read-only JSON API (dashboard_api.h) over HTTP/1.1.
//
// Only GET and HEAD are served; any other method is 405. Errors are JSON
// documents {"error":{"code":"NOT_FOUND","message":"…"}} with status 400
// (a bad query parameter), 404 (unknown study, trial or path), 405 or
// 500. Server-side failures are logged.
//
// There is no authentication: bind to a loopback address, or put an
// authenticating proxy in front.
#ifndef KNOB_SERVER_DASHBOARD_DASHBOARD_SERVER_H_
#define KNOB_SERVER_DASHBOARD_DASHBOARD_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/storage/storage.h"

namespace knob::dashboard {

struct DashboardOptions {
  // HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080; port 0 picks a free one.
  std::string listen;
  // Requests served at once. Default: 8.
  int threads = 8;
};

// Serves until destroyed; destruction stops accepting, lets the requests
// being served finish, and joins the threads.
class DashboardEndpoint {
 public:
  virtual ~DashboardEndpoint() = default;
  // The port listened on.
  virtual int port() const = 0;
};

// Starts serving `storage`, which must outlive the endpoint.
// INVALID_ARGUMENT for a malformed address; UNAVAILABLE when it cannot be
// bound (in use, no such interface).
absl::StatusOr<std::unique_ptr<DashboardEndpoint>> ServeDashboard(
    Storage& storage, const DashboardOptions& options);

}  // namespace knob::dashboard

#endif  // KNOB_SERVER_DASHBOARD_DASHBOARD_SERVER_H_

#include "server/dashboard/dashboard_server.h"

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "server/dashboard/dashboard_api.h"
#include "server/dashboard/http_encoding.h"
#include "server/dashboard/static_files.h"
#include "server/observability/log.h"

namespace knob::dashboard {
namespace {

using nlohmann::json;

struct HostPort {
  std::string host;
  int port = 0;
};

absl::StatusOr<HostPort> ParseListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("dashboard address \"", listen,
                     "\": expected HOST:PORT, e.g. 127.0.0.1:8080"));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return HostPort{std::move(host), port};
}

int HttpStatus(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    default:
      return 500;
  }
}

// Strings come from users (study names, metadata); invalid UTF-8 is
// replaced rather than failing the whole document.
std::string Dump(const json& document) {
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

void SendError(httplib::Response& response, int http_status,
               absl::string_view code, absl::string_view message) {
  response.status = http_status;
  response.set_header("Cache-Control", "no-store");
  response.set_content(Dump({{"error",
                              {{"code", std::string(code)},
                               {"message", std::string(message)}}}}),
                       kJson);
}

void SendStatus(const httplib::Request& request, httplib::Response& response,
                const absl::Status& status) {
  const int http_status = HttpStatus(status.code());
  if (http_status == 500) {
    Log(LogLevel::kError, "dashboard request failed",
        {{"path", request.path}, {"error", status.ToString()}});
  }
  SendError(response, http_status, absl::StatusCodeToString(status.code()),
            status.message());
}

void SendJson(const httplib::Request& request, httplib::Response& response,
              const absl::StatusOr<json>& document) {
  if (!document.ok()) {
    SendStatus(request, response, document.status());
    return;
  }
  response.set_header("Cache-Control", "no-store");
  std::string body = Dump(*document);
  response.set_header("Vary", "Accept-Encoding");
  if (body.size() >= kMinCompressedSize &&
      AcceptsGzip(request.get_header_value("Accept-Encoding"))) {
    // The fastest level: the body is made for this one response.
    if (std::optional<std::string> compressed = Gzip(body, kGzipFastest)) {
      response.set_header("Content-Encoding", "gzip");
      body = *std::move(compressed);
    }
  }
  response.set_content(std::move(body), kJson);
}

QueryParams ParamsOf(const httplib::Request& request) {
  QueryParams params;
  // A repeated parameter counts once, as its first value.
  for (const auto& [name, value] : request.params) params.emplace(name, value);
  return params;
}

class HttpDashboard final : public DashboardEndpoint {
 public:
  HttpDashboard(Storage& storage, int threads) : api_(storage) {
    server_.new_task_queue = [threads] {
      return new httplib::ThreadPool(threads);
    };
    // httplib's default also sets SO_REUSEPORT, which would let a second
    // server share a port in use instead of failing to start.
    server_.set_socket_options([](socket_t socket) {
      const int yes = 1;
      setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    Route();
  }

  ~HttpDashboard() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  absl::Status Start(const HostPort& address) {
    port_ =
        address.port == 0
            ? server_.bind_to_any_port(address.host)
            : (server_.bind_to_port(address.host, address.port) ? address.port
                                                                : -1);
    if (port_ < 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", address.host, ":", address.port,
                       " (address in use or no such interface)"));
    }
    thread_ = std::thread([this] {
      server_.listen_after_bind();
      listen_returned_ = true;
    });
    // httplib's stop() does nothing until the accept loop runs; waiting
    // for it here makes destruction right after Start safe.
    while (!server_.is_running() && !listen_returned_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return absl::OkStatus();
  }

  int port() const override { return port_; }

 private:
  void Route() {
    // Read-only: anything but GET and HEAD is refused before routing.
    server_.set_pre_routing_handler(
        [](const httplib::Request& request, httplib::Response& response) {
          if (request.method == "GET" || request.method == "HEAD") {
            return httplib::Server::HandlerResponse::Unhandled;
          }
          response.set_header("Allow", "GET, HEAD");
          SendError(response, 405, "METHOD_NOT_ALLOWED",
                    absl::StrCat("the dashboard is read-only; ", request.method,
                                 " is not allowed"));
          return httplib::Server::HandlerResponse::Handled;
        });
    server_.set_exception_handler([](const httplib::Request& request,
                                     httplib::Response& response,
                                     std::exception_ptr error) {
      std::string what = "unknown exception";
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& exception) {
        what = exception.what();
      } catch (...) {
      }
      SendStatus(request, response, absl::InternalError(what));
    });

    // The most specific patterns first: the first match serves.
    server_.Get(R"(/api/studies)", [this](const auto& request, auto& response) {
      SendJson(request, response, api_.Studies());
    });
    server_.Get(R"(/api/studies/([^/]+)/trials/([^/]+))",
                [this](const auto& request, auto& response) {
                  SendJson(request, response,
                           api_.Trial(request.matches[1], request.matches[2]));
                });
    server_.Get(R"(/api/studies/([^/]+)/trials)",
                [this](const auto& request, auto& response) {
                  SendJson(request, response,
                           api_.Trials(request.matches[1], ParamsOf(request)));
                });
    server_.Get(R"(/api/studies/([^/]+)/plots)",
                [this](const auto& request, auto& response) {
                  SendJson(request, response,
                           api_.Plots(request.matches[1], ParamsOf(request)));
                });
    server_.Get(R"(/api/studies/([^/]+)/importance)",
                [this](const auto& request, auto& response) {
                  SendJson(request, response,
                           api_.Importance(request.matches[1]));
                });
    server_.Get(R"(/api/studies/([^/]+))",
                [this](const auto& request, auto& response) {
                  SendJson(request, response, api_.Study(request.matches[1]));
                });
    server_.Get(R"(/api/.*)", [](const auto& request, auto& response) {
      SendError(response, 404, "NOT_FOUND",
                absl::StrCat("no such endpoint: ", request.path));
    });
    server_.Get(R"(.*)", [this](const auto& request, auto& response) {
      if (!static_files_.Serve(request, response)) {
        SendError(response, 404, "NOT_FOUND",
                  absl::StrCat("no such page: ", request.path));
      }
    });
  }

  DashboardApi api_;
  StaticFiles static_files_;
  httplib::Server server_;
  int port_ = -1;
  std::atomic<bool> listen_returned_ = false;
  std::thread thread_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<DashboardEndpoint>> ServeDashboard(
    Storage& storage, const DashboardOptions& options) {
  absl::StatusOr<HostPort> address = ParseListen(options.listen);
  if (!address.ok()) return address.status();
  auto dashboard = std::make_unique<HttpDashboard>(storage, options.threads);
  if (absl::Status started = dashboard->Start(*address); !started.ok()) {
    return started;
  }
  return dashboard;
}

}  // namespace knob::dashboard

// knob-server: the Knob gRPC service.
//
// Every flag can also be set through the environment as KNOB_<FLAG> (upper
// case), e.g. KNOB_DATABASE_URL; a flag on the command line wins.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "knob/v1/service.grpc.pb.h"
#include "server/api/study_service.h"
#include "server/api/trial_service.h"
#include "server/core/lease_reaper.h"
#include "server/core/tuner.h"
#include "server/dashboard/dashboard_server.h"
#include "server/observability/log.h"
#include "server/observability/prometheus_metrics.h"
#include "server/observability/rpc_interceptor.h"
#include "server/pruners/pruner_registry.h"
#include "server/samplers/sampler_registry.h"
#include "server/storage/memory/memory_storage.h"
#include "server/storage/postgres/migrator.h"
#include "server/storage/postgres/postgres_storage.h"
#include "server/util/clock.h"
#include "server/util/status_macros.h"
#include "server/util/thread_pool.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50051",
          "Address to serve gRPC on; port 0 picks a free port.");
ABSL_FLAG(std::string, storage, "postgres",
          "Where studies live: postgres, or memory (lost at exit).");
ABSL_FLAG(std::string, database_url, "",
          "PostgreSQL connection URL, e.g. postgresql://user@host:5432/db.");
ABSL_FLAG(int, pool_size, 16, "PostgreSQL connections in the pool.");
ABSL_FLAG(absl::Duration, default_lease, absl::Minutes(5),
          "Lease of a suggested trial when its study sets none.");
ABSL_FLAG(int, max_request_bytes, 4 << 20,
          "Largest request accepted; larger ones get RESOURCE_EXHAUSTED.");
// A study's concurrent requests wait in its commit group (at most 64 to a
// transaction): twice that lets a full group form while another commits.
ABSL_FLAG(int, handler_threads, 128,
          "Threads serving requests (they wait for their group's commit).");
ABSL_FLAG(absl::Duration, reaper_interval, absl::Seconds(1),
          "How often expired leases are looked for.");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "How long in-flight calls may finish after SIGTERM/SIGINT.");
ABSL_FLAG(bool, migrate_only, false,
          "Apply pending schema migrations and exit.");
ABSL_FLAG(std::string, port_file, "",
          "Write the port actually listened on to this file.");
ABSL_FLAG(std::string, metrics_listen, "",
          "Address to serve Prometheus metrics on at /metrics, e.g. "
          "0.0.0.0:9464; empty serves none.");
ABSL_FLAG(std::string, dashboard_listen, "",
          "Address to serve the read-only web dashboard on, e.g. "
          "127.0.0.1:8080; empty serves none. It has no authentication: "
          "bind to loopback or put an authenticating proxy in front.");
ABSL_FLAG(std::string, log_format, "json",
          "Log lines on stderr: json (one object per line) or text.");

namespace knob {
namespace {

// Environment variables give defaults that the command line may override.
void ApplyEnvironmentDefaults() {
  for (const char* name :
       {"listen", "storage", "database_url", "pool_size", "default_lease",
        "max_request_bytes", "handler_threads", "reaper_interval",
        "shutdown_grace", "migrate_only", "port_file", "metrics_listen",
        "dashboard_listen", "log_format"}) {
    const std::string variable =
        absl::StrCat("KNOB_", absl::AsciiStrToUpper(name));
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    std::string error;
    if (flag == nullptr || !flag->ParseFrom(value, &error)) {
      std::fprintf(stderr, "knob-server: %s=%s: %s\n", variable.c_str(), value,
                   error.c_str());
      std::exit(2);
    }
  }
}

// Flags may be spelled with dashes (--migrate-only) or underscores
// (--migrate_only); absl knows only the latter.
std::vector<char*> NormalizeFlagSpelling(int argc, char** argv,
                                         std::vector<std::string>& storage) {
  storage.assign(argv, argv + argc);
  for (size_t i = 1; i < storage.size(); ++i) {
    std::string& arg = storage[i];
    if (arg == "--") break;
    if (arg.size() < 3 || arg[0] != '-' || arg[1] != '-') continue;
    const size_t name_end = std::min(arg.find('='), arg.size());
    std::replace(arg.begin() + 2, arg.begin() + name_end, '-', '_');
  }
  std::vector<char*> normalized;
  for (std::string& arg : storage) normalized.push_back(arg.data());
  return normalized;
}

absl::StatusOr<std::unique_ptr<Storage>> OpenStorage(Metrics& metrics) {
  const std::string kind = absl::GetFlag(FLAGS_storage);
  if (kind == "memory") return CreateMemoryStorage();
  if (kind != "postgres") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--storage: expected postgres or memory, got \"", kind, "\""));
  }
  const std::string url = absl::GetFlag(FLAGS_database_url);
  if (url.empty()) {
    return absl::InvalidArgumentError(
        "--database_url (or KNOB_DATABASE_URL) is required with "
        "--storage=postgres");
  }
  RETURN_IF_ERROR(ApplyMigrations(url).status());
  PostgresStorageOptions options;
  options.database_url = url;
  options.pool_size = absl::GetFlag(FLAGS_pool_size);
  options.metrics = &metrics;
  return OpenPostgresStorage(options);
}

// Every method the server answers; calls of others are measured as
// "unknown".
absl::flat_hash_set<std::string> ServedMethods() {
  absl::flat_hash_set<std::string> methods =
      MethodsOfServices({v1::StudyService::service_full_name(),
                         v1::TrialService::service_full_name(),
                         "grpc.reflection.v1alpha.ServerReflection"});
  // gRPC's own health service has no protobuf descriptor linked in.
  methods.insert("grpc.health.v1.Health/Check");
  methods.insert("grpc.health.v1.Health/Watch");
  return methods;
}

// Blocks until SIGINT or SIGTERM. The signals must be blocked in every
// thread (see main) so that only this wait receives them.
int WaitForShutdownSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int received = 0;
  sigwait(&signals, &received);
  return received;
}

int Serve() {
  if (absl::GetFlag(FLAGS_migrate_only)) {
    const std::string url = absl::GetFlag(FLAGS_database_url);
    absl::Status status =
        url.empty() ? absl::InvalidArgumentError(
                          "--database_url (or KNOB_DATABASE_URL) is required")
                    : ApplyMigrations(url).status();
    if (!status.ok()) {
      Log(LogLevel::kError, "migration failed", {{"error", status.ToString()}});
      return 1;
    }
    Log(LogLevel::kInfo, "schema is up to date");
    return 0;
  }

  // Declared first: the storage, the Tuner and the server record into it
  // until they are gone.
  std::unique_ptr<PrometheusMetrics> metrics = PrometheusMetrics::Create();
  absl::StatusOr<std::unique_ptr<Storage>> storage = OpenStorage(*metrics);
  if (!storage.ok()) {
    Log(LogLevel::kError, "cannot open storage",
        {{"error", storage.status().ToString()}});
    return 1;
  }
  SamplerRegistry samplers;
  PrunerRegistry pruners;
  TunerOptions tuner_options;
  tuner_options.default_lease = absl::GetFlag(FLAGS_default_lease);
  tuner_options.metrics = metrics.get();
  Tuner tuner(**storage, samplers, pruners, Clock::Real(), tuner_options);
  ThreadPool pool(absl::GetFlag(FLAGS_handler_threads));
  api::StudyService study_service(tuner, pool);
  api::TrialService trial_service(tuner, pool);

  metrics->SetActiveLeasesSource([&tuner] { return tuner.ActiveLeases(); });
  // Stops serving before the Tuner it reads goes away.
  std::unique_ptr<MetricsEndpoint> metrics_endpoint;
  if (const std::string listen = absl::GetFlag(FLAGS_metrics_listen);
      !listen.empty()) {
    absl::StatusOr<std::unique_ptr<MetricsEndpoint>> endpoint =
        metrics->ServeHttp(listen);
    if (!endpoint.ok()) {
      Log(LogLevel::kError, "--metrics_listen: cannot serve metrics",
          {{"address", listen}, {"error", endpoint.status().ToString()}});
      return 1;
    }
    metrics_endpoint = *std::move(endpoint);
  }
  // Reads the storage, so it stops before the storage closes.
  std::unique_ptr<dashboard::DashboardEndpoint> dashboard_endpoint;
  if (const std::string listen = absl::GetFlag(FLAGS_dashboard_listen);
      !listen.empty()) {
    absl::StatusOr<std::unique_ptr<dashboard::DashboardEndpoint>> endpoint =
        dashboard::ServeDashboard(**storage, {.listen = listen});
    if (!endpoint.ok()) {
      Log(LogLevel::kError, "--dashboard_listen: cannot serve the dashboard",
          {{"address", listen}, {"error", endpoint.status().ToString()}});
      return 1;
    }
    dashboard_endpoint = *std::move(endpoint);
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(absl::GetFlag(FLAGS_listen),
                           grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(absl::GetFlag(FLAGS_max_request_bytes));
  builder.RegisterService(&study_service);
  builder.RegisterService(&trial_service);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(
      CreateRpcObservingInterceptorFactory(*metrics, ServedMethods()));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    Log(LogLevel::kError, "cannot listen",
        {{"address", absl::GetFlag(FLAGS_listen)}});
    return 1;
  }
  LeaseReaper reaper(tuner, absl::GetFlag(FLAGS_reaper_interval), *metrics);
  if (const std::string port_file = absl::GetFlag(FLAGS_port_file);
      !port_file.empty()) {
    std::ofstream(port_file) << port << "\n";
  }
  std::vector<LogField> started = {{"port", port},
                                   {"storage", absl::GetFlag(FLAGS_storage)}};
  if (metrics_endpoint != nullptr) {
    started.emplace_back("metrics_port", metrics_endpoint->port());
  }
  if (dashboard_endpoint != nullptr) {
    started.emplace_back("dashboard_port", dashboard_endpoint->port());
  }
  Log(LogLevel::kInfo, "listening", started);
  // The line scripts and people read on stdout.
  std::printf("knob-server: listening on port %d (storage: %s)\n", port,
              absl::GetFlag(FLAGS_storage).c_str());
  std::fflush(stdout);

  const int signal = WaitForShutdownSignal();
  Log(LogLevel::kInfo, "draining in-flight calls", {{"signal", signal}});
  server->Shutdown(
      absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_shutdown_grace)));
  server->Wait();
  // Its open connections end here too, before "stopped" is logged.
  dashboard_endpoint.reset();
  Log(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace
}  // namespace knob

int main(int argc, char** argv) {
  // Blocked before any thread starts, so every thread inherits the mask and
  // the signals wait for WaitForShutdownSignal.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // Debian builds Abseil with its debug-build default, which records every
  // mutex acquisition in a lock graph to detect cycles: a tenth of the
  // server's CPU under load. The tests keep it on.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  absl::SetProgramUsageMessage(
      "knob-server [--listen=ADDR] [--database_url=URL | --storage=memory] "
      "[--metrics_listen=ADDR] [--dashboard_listen=ADDR] "
      "[--log_format=json|text] [--migrate-only]");
  knob::ApplyEnvironmentDefaults();
  std::vector<std::string> arguments;
  std::vector<char*> normalized =
      knob::NormalizeFlagSpelling(argc, argv, arguments);
  absl::ParseCommandLine(static_cast<int>(normalized.size()),
                         normalized.data());
  absl::StatusOr<knob::LogFormat> log_format =
      knob::ParseLogFormat(absl::GetFlag(FLAGS_log_format));
  if (!log_format.ok()) {
    std::fprintf(stderr, "knob-server: %s\n",
                 std::string(log_format.status().message()).c_str());
    return 2;
  }
  knob::SetLogFormat(*log_format);
  return knob::Serve();
}

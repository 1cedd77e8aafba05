#include "client/loadgen/load_run.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <memory>
#include <utility>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "client/client.h"
#include "client/loadgen/cycle_budget.h"

namespace knob::loadgen {
namespace {

absl::Status CheckOptions(const LoadOptions& options) {
  for (const auto& [name, value] :
       {std::pair<const char*, int>{"workers", options.workers},
        {"studies", options.studies},
        {"channels", options.channels}}) {
    if (value < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": must be at least 1, got ", value));
    }
  }
  if (options.duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("duration: must be positive, got ",
                     absl::FormatDuration(options.duration)));
  }
  for (const auto& [name, value] :
       {std::pair<const char*, int64_t>{"trials", options.trials},
        {"reports", options.reports}}) {
    if (value < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": must be 0 or more, got ", value));
    }
  }
  return absl::OkStatus();
}

v1::CreateStudyRequest StudyRequest(const LoadOptions& options, int index) {
  v1::CreateStudyRequest request;
  request.set_name(absl::StrCat(options.prefix, "-", index));
  v1::StudyConfig& config = *request.mutable_config();
  v1::ParameterSpec& x = *config.add_parameters();
  x.set_name("x");
  x.mutable_float_domain()->set_min(-5);
  x.mutable_float_domain()->set_max(5);
  v1::ParameterSpec& rate = *config.add_parameters();
  rate.set_name("rate");
  rate.mutable_float_domain()->set_min(1e-4);
  rate.mutable_float_domain()->set_max(1);
  rate.mutable_float_domain()->set_log_scale(true);
  v1::ParameterSpec& layers = *config.add_parameters();
  layers.set_name("layers");
  layers.mutable_int_domain()->set_min(1);
  layers.mutable_int_domain()->set_max(8);
  v1::Objective& objective = *config.add_objectives();
  objective.set_metric("loss");
  objective.set_direction(v1::DIRECTION_MINIMIZE);
  config.mutable_sampler()->set_name(options.sampler);
  return request;
}

absl::StatusOr<std::vector<int64_t>> CreateStudies(const LoadOptions& options) {
  ClientOptions client_options;
  client_options.target = options.server;
  client_options.call_timeout = options.call_timeout;
  Client client(client_options);
  std::vector<int64_t> ids;
  for (int i = 0; i < options.studies; ++i) {
    absl::StatusOr<v1::Study> study =
        client.CreateStudy(StudyRequest(options, i));
    if (!study.ok()) {
      return absl::Status(study.status().code(),
                          absl::StrCat("creating study ", options.prefix, "-",
                                       i, ": ", study.status().message()));
    }
    ids.push_back(study->id());
  }
  return ids;
}

// Channels with equal arguments share one connection through gRPC's
// global subchannel pool; a local pool gives each its own.
absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectedChannel(
    const LoadOptions& options) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // Every failed call is the load generator's to count, not gRPC's to
  // retry unseen. Without the retry machinery, which buffers each call's
  // messages, a cycle also costs the load generator about 15 % less CPU,
  // which the server it shares the machine with then has.
  arguments.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
      options.server, grpc::InsecureChannelCredentials(), arguments);
  if (!channel->WaitForConnected(
          absl::ToChronoTime(absl::Now() + options.call_timeout))) {
    return absl::UnavailableError(
        absl::StrCat("cannot connect to ", options.server));
  }
  return channel;
}

}  // namespace

double LoadResult::cycles_per_second() const {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds > 0 ? static_cast<double>(stats.cycles) / seconds : 0.0;
}

absl::StatusOr<LoadResult> RunLoad(const LoadOptions& options) {
  if (absl::Status valid = CheckOptions(options); !valid.ok()) return valid;
  LoadResult result;
  result.options = options;
  absl::StatusOr<std::vector<int64_t>> study_ids = CreateStudies(options);
  if (!study_ids.ok()) return study_ids.status();
  result.study_ids = *std::move(study_ids);

  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::TrialService::Stub>> stubs;
  for (int i = 0; i < options.channels; ++i) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        ConnectedChannel(options);
    if (!channel.ok()) return channel.status();
    stubs.push_back(v1::TrialService::NewStub(*channel));
    channels.push_back(*std::move(channel));
  }

  absl::Mutex mu;
  int running = options.workers;
  auto on_done = [&] {
    absl::MutexLock lock(&mu);
    --running;
  };
  std::vector<std::unique_ptr<CycleBudget>> budgets;
  for (int64_t cycles : SplitCycles(options.trials, options.studies)) {
    budgets.push_back(std::make_unique<CycleBudget>(cycles));
  }
  // Request ids unique to this run, so that a run reusing the studies of
  // an earlier one does not replay that run's calls.
  absl::BitGen random;
  const std::string run_token =
      absl::StrCat(absl::Hex(absl::Uniform<uint64_t>(random)));
  const absl::Time start = absl::Now();
  std::vector<std::unique_ptr<SimulatedWorker>> workers;
  for (int i = 0; i < options.workers; ++i) {
    const int study = i % options.studies;
    const std::string worker_id = absl::StrCat(options.prefix, "-worker-", i);
    workers.push_back(std::make_unique<SimulatedWorker>(
        *stubs[i % options.channels], result.study_ids[study], *budgets[study],
        options.reports, worker_id, absl::StrCat(worker_id, "-", run_token),
        start + options.duration, options.call_timeout, on_done));
  }
  for (auto& worker : workers) worker->Start();
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* running) { return *running == 0; }, &running));
  }
  result.elapsed = absl::Now() - start;
  for (const auto& worker : workers) result.stats.Merge(worker->stats());
  return result;
}

}  // namespace knob::loadgen

// scale_probe: the two client-side measurements of tests/bench/scale.sh
// that knobctl and knob-loadgen do not make.
//
//   scale_probe --server=HOST:PORT --study=NAME list [--page_size=10000]
//     Pages through every trial of the study with ListTrials, timing the
//     pages only (the study is looked up first), and prints
//       list: trials=… pages=… page_size=… seconds=… trials_per_s=…
//
//   scale_probe --server=HOST:PORT --study_id=ID --since=UNIX_SECONDS
//               first-suggest [--give_up=120s]
//     For a server started at --since (e.g. `date +%s.%N` just before it
//     was launched): asks the health service every few milliseconds, each
//     time on a new connection (so that the figure is the server's, not
//     gRPC's reconnect back-off), until it answers SERVING; then asks for
//     one trial of the study (SuggestTrials, count 1) and completes it, so
//     that the study holds no RUNNING trial. Prints the times from --since
//       restart: serving_s=… first_suggest_s=…
//     The study is named by id because looking it up by name would be one
//     more call that a restarted server might answer late.
//
// Exit status 1 when the study is missing, a call fails for another reason
// than the server not being up yet, or --give_up passes first.
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/client.h"
#include "client/grpc_status.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "knob/v1/service.grpc.pb.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "knob-server, HOST:PORT");
ABSL_FLAG(std::string, study, "", "list: the study's name");
ABSL_FLAG(int32_t, page_size, 10000, "list: trials per ListTrials page");
ABSL_FLAG(int64_t, study_id, 0, "first-suggest: the study's id");
ABSL_FLAG(double, since, 0,
          "first-suggest: when the server was started, in Unix seconds");
ABSL_FLAG(absl::Duration, give_up, absl::Seconds(120),
          "first-suggest: fail when no suggest succeeded by then");

namespace knob::bench {
namespace {

constexpr absl::Duration kPollPause = absl::Milliseconds(5);
// Long enough for a server that has to read a large study first: such a
// call is slow, not failed.
constexpr absl::Duration kCallTimeout = absl::Seconds(60);

absl::Status ListAll(const std::string& server, const std::string& name,
                     int32_t page_size) {
  ClientOptions options;
  options.target = server;
  Client client(options);
  absl::StatusOr<v1::Study> study = client.GetStudyByName(name);
  if (!study.ok()) return study.status();
  v1::ListTrialsRequest request;
  request.set_study_id(study->id());
  request.set_page_size(page_size);
  int64_t trials = 0;
  int64_t pages = 0;
  const absl::Time start = absl::Now();
  while (true) {
    absl::StatusOr<v1::ListTrialsResponse> page = client.ListTrials(request);
    if (!page.ok()) return page.status();
    ++pages;
    trials += page->trials_size();
    if (page->next_page_token().empty()) break;
    request.set_page_token(page->next_page_token());
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf(
      "list: trials=%lld pages=%lld page_size=%d seconds=%.3f "
      "trials_per_s=%.0f\n",
      static_cast<long long>(trials), static_cast<long long>(pages), page_size,
      seconds, seconds > 0 ? static_cast<double>(trials) / seconds : 0.0);
  return absl::OkStatus();
}

// A channel of its own connection: channels with equal arguments would
// share one through gRPC's global subchannel pool, and with it the
// back-off (a second or more) after a refused connection.
std::shared_ptr<grpc::Channel> FreshChannel(const std::string& server) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(),
                                   arguments);
}

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

// UNAVAILABLE is a server not listening yet; anything else is an answer.
bool NotUpYet(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE;
}

// Polls the health service, each time on a fresh channel, until it
// answers SERVING; returns that channel.
absl::StatusOr<std::shared_ptr<grpc::Channel>> WaitUntilServing(
    const std::string& server, absl::Time give_up_at) {
  while (absl::Now() < give_up_at) {
    std::shared_ptr<grpc::Channel> channel = FreshChannel(server);
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status =
        grpc::health::v1::Health::NewStub(channel)->Check(
            Context(kCallTimeout).get(), grpc::health::v1::HealthCheckRequest(),
            &response);
    if (status.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return channel;
    }
    if (!status.ok() && !NotUpYet(status)) return FromGrpcStatus(status);
    absl::SleepFor(kPollPause);
  }
  return absl::DeadlineExceededError("no SERVING health check in time");
}

absl::Status FirstSuggest(const std::string& server, int64_t study_id,
                          absl::Time since, absl::Duration give_up) {
  const absl::Time give_up_at = since + give_up;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      WaitUntilServing(server, give_up_at);
  if (!channel.ok()) return channel.status();
  const absl::Time serving_at = absl::Now();

  const auto trials = v1::TrialService::NewStub(*channel);
  absl::BitGen random;
  const std::string worker_id =
      absl::StrCat("scale-probe-", absl::Hex(absl::Uniform<uint64_t>(random)));
  v1::SuggestTrialsRequest request;
  request.set_study_id(study_id);
  request.set_count(1);
  request.set_worker_id(worker_id);
  request.set_request_id(absl::StrCat(worker_id, "-suggest"));
  v1::SuggestTrialsResponse response;
  // The same request id on every attempt: a retry after a lost answer
  // gets the trial the server made, not a second one.
  grpc::Status status;
  do {
    if (absl::Now() >= give_up_at) {
      return absl::DeadlineExceededError("no suggest in time");
    }
    status =
        trials->SuggestTrials(Context(kCallTimeout).get(), request, &response);
  } while (NotUpYet(status));
  if (!status.ok()) return FromGrpcStatus(status);
  const absl::Time suggested_at = absl::Now();
  if (response.trials_size() == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("study ", study_id, " suggests no more trials"));
  }

  v1::CompleteTrialRequest complete;
  complete.set_trial_id(response.trials(0).id());
  complete.set_state(v1::TRIAL_STATE_COMPLETED);
  complete.add_values(0);
  complete.set_request_id(absl::StrCat(worker_id, "-complete"));
  v1::Trial completed;
  status =
      trials->CompleteTrial(Context(kCallTimeout).get(), complete, &completed);
  if (!status.ok()) return FromGrpcStatus(status);

  std::printf("restart: serving_s=%.3f first_suggest_s=%.3f\n",
              absl::ToDoubleSeconds(serving_at - since),
              absl::ToDoubleSeconds(suggested_at - since));
  return absl::OkStatus();
}

}  // namespace
}  // namespace knob::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Times paging through a study's trials (list) or how soon a started "
      "server serves a study (first-suggest); see the head of "
      "tests/bench/scale_probe.cc.");
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  const std::string command = positional.size() == 2 ? positional[1] : "";
  const std::string server = absl::GetFlag(FLAGS_server);
  absl::Status status;
  if (command == "list") {
    status = knob::bench::ListAll(server, absl::GetFlag(FLAGS_study),
                                  absl::GetFlag(FLAGS_page_size));
  } else if (command == "first-suggest") {
    status = knob::bench::FirstSuggest(
        server, absl::GetFlag(FLAGS_study_id),
        absl::FromUnixMicros(
            static_cast<int64_t>(absl::GetFlag(FLAGS_since) * 1e6)),
        absl::GetFlag(FLAGS_give_up));
  } else {
    std::fprintf(stderr, "usage: scale_probe [flags] list|first-suggest\n");
    return 2;
  }
  if (!status.ok()) {
    std::fprintf(stderr, "scale_probe: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}

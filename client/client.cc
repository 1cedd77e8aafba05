#include "client/client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/random/distributions.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/grpc_status.h"

namespace knob {
namespace {

std::shared_ptr<grpc::Channel> MakeChannel(const ClientOptions& options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options.max_message_bytes);
  args.SetMaxSendMessageSize(options.max_message_bytes);
  args.SetUserAgentPrefix(absl::StrCat("knob-cpp/", ClientVersion()));
  // gRPC's own reconnect back-off grows to two minutes; a channel that
  // waits that long would fail every retry of ours with UNAVAILABLE long
  // after the server came back. Reconnect at our retry pace instead.
  const int max_backoff_ms = static_cast<int>(std::clamp<int64_t>(
      absl::ToInt64Milliseconds(options.retry.max_backoff), 100, 60000));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, max_backoff_ms);
  auto credentials = options.credentials != nullptr
                         ? options.credentials
                         : grpc::InsecureChannelCredentials();
  return grpc::CreateCustomChannel(options.target, credentials, args);
}

}  // namespace

const char* ClientVersion() { return KNOB_CLIENT_VERSION; }

std::string DefaultServerTarget() {
  const char* server = std::getenv("KNOB_SERVER");
  return server != nullptr && *server != '\0' ? server : "127.0.0.1:50051";
}

Client::Client(ClientOptions options) : Client(MakeChannel(options), options) {}

Client::Client(std::shared_ptr<grpc::Channel> channel, ClientOptions options)
    : options_(std::move(options)),
      channel_(std::move(channel)),
      studies_(v1::StudyService::NewStub(channel_)),
      trials_(v1::TrialService::NewStub(channel_)) {}

template <typename Request, typename Response, typename Rpc>
absl::StatusOr<Response> Client::Call(const Request& request, Rpc rpc) {
  const int attempts = std::max(1, options_.retry.max_attempts);
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(
        absl::ToChronoTime(absl::Now() + options_.call_timeout));
    Response response;
    const absl::Status status =
        FromGrpcStatus(rpc(&context, request, &response));
    if (status.ok()) return response;
    if (!IsRetryableStatus(status) || attempt >= attempts) return status;
    BackOffWatchingChannel(NextBackoff(attempt));
  }
}

template <typename Request, typename Response, typename Rpc>
absl::StatusOr<Response> Client::CallMutating(const Request& request, Rpc rpc) {
  if (!request.request_id().empty()) {
    return Call<Request, Response>(request, rpc);
  }
  Request with_id = request;
  with_id.set_request_id(NewRequestId());
  return Call<Request, Response>(with_id, rpc);
}

std::string Client::NewRequestId() {
  absl::MutexLock lock(&rng_mu_);
  const uint64_t high = absl::Uniform<uint64_t>(rng_);
  const uint64_t low = absl::Uniform<uint64_t>(rng_);
  return absl::StrFormat("%016x%016x", high, low);
}

absl::Duration Client::NextBackoff(int retry) {
  absl::MutexLock lock(&rng_mu_);
  return BackoffDelay(options_.retry, retry, rng_);
}

void Client::BackOffWatchingChannel(absl::Duration delay) {
  const absl::Time deadline = absl::Now() + delay;
  // The retry waits the whole delay even once the channel is ready: the
  // failure may have been the server's (e.g. its database was away).
  while (absl::Now() < deadline) {
    const grpc_connectivity_state state =
        channel_->GetState(/*try_to_connect=*/true);
    channel_->WaitForStateChange(state, absl::ToChronoTime(deadline));
  }
}

// The stubs' methods are overloaded (sync and async), so each RPC names
// the synchronous one through a lambda.
#define KNOB_CLIENT_RPC(stub, method)                                         \
  [this](grpc::ClientContext* context, const auto& request, auto* response) { \
    return stub->method(context, request, response);                          \
  }

absl::StatusOr<v1::Study> Client::CreateStudy(
    const v1::CreateStudyRequest& request) {
  // CreateStudy has no request_id: it is idempotent by itself (same name
  // and config give back the same study).
  return Call<v1::CreateStudyRequest, v1::Study>(
      request, KNOB_CLIENT_RPC(studies_, CreateStudy));
}

absl::StatusOr<v1::Study> Client::GetStudy(const v1::GetStudyRequest& request) {
  return Call<v1::GetStudyRequest, v1::Study>(
      request, KNOB_CLIENT_RPC(studies_, GetStudy));
}

absl::StatusOr<v1::ListStudiesResponse> Client::ListStudies(
    const v1::ListStudiesRequest& request) {
  return Call<v1::ListStudiesRequest, v1::ListStudiesResponse>(
      request, KNOB_CLIENT_RPC(studies_, ListStudies));
}

absl::StatusOr<v1::Study> Client::UpdateStudy(
    const v1::UpdateStudyRequest& request) {
  return Call<v1::UpdateStudyRequest, v1::Study>(
      request, KNOB_CLIENT_RPC(studies_, UpdateStudy));
}

absl::StatusOr<v1::DeleteStudyResponse> Client::DeleteStudy(
    const v1::DeleteStudyRequest& request) {
  return Call<v1::DeleteStudyRequest, v1::DeleteStudyResponse>(
      request, KNOB_CLIENT_RPC(studies_, DeleteStudy));
}

absl::StatusOr<v1::GetParamImportancesResponse> Client::GetParamImportances(
    const v1::GetParamImportancesRequest& request) {
  return Call<v1::GetParamImportancesRequest, v1::GetParamImportancesResponse>(
      request, KNOB_CLIENT_RPC(studies_, GetParamImportances));
}

absl::StatusOr<v1::SuggestTrialsResponse> Client::SuggestTrials(
    const v1::SuggestTrialsRequest& request) {
  return CallMutating<v1::SuggestTrialsRequest, v1::SuggestTrialsResponse>(
      request, KNOB_CLIENT_RPC(trials_, SuggestTrials));
}

absl::StatusOr<v1::HeartbeatResponse> Client::Heartbeat(
    const v1::HeartbeatRequest& request) {
  return Call<v1::HeartbeatRequest, v1::HeartbeatResponse>(
      request, KNOB_CLIENT_RPC(trials_, Heartbeat));
}

absl::StatusOr<v1::ReportIntermediateResponse> Client::ReportIntermediate(
    const v1::ReportIntermediateRequest& request) {
  return CallMutating<v1::ReportIntermediateRequest,
                      v1::ReportIntermediateResponse>(
      request, KNOB_CLIENT_RPC(trials_, ReportIntermediate));
}

absl::StatusOr<v1::Trial> Client::CompleteTrial(
    const v1::CompleteTrialRequest& request) {
  return CallMutating<v1::CompleteTrialRequest, v1::Trial>(
      request, KNOB_CLIENT_RPC(trials_, CompleteTrial));
}

absl::StatusOr<v1::Trial> Client::EnqueueTrial(
    const v1::EnqueueTrialRequest& request) {
  return CallMutating<v1::EnqueueTrialRequest, v1::Trial>(
      request, KNOB_CLIENT_RPC(trials_, EnqueueTrial));
}

absl::StatusOr<v1::Trial> Client::GetTrial(const v1::GetTrialRequest& request) {
  return Call<v1::GetTrialRequest, v1::Trial>(
      request, KNOB_CLIENT_RPC(trials_, GetTrial));
}

absl::StatusOr<v1::ListTrialsResponse> Client::ListTrials(
    const v1::ListTrialsRequest& request) {
  return Call<v1::ListTrialsRequest, v1::ListTrialsResponse>(
      request, KNOB_CLIENT_RPC(trials_, ListTrials));
}

absl::StatusOr<v1::GetBestTrialsResponse> Client::GetBestTrials(
    const v1::GetBestTrialsRequest& request) {
  return Call<v1::GetBestTrialsRequest, v1::GetBestTrialsResponse>(
      request, KNOB_CLIENT_RPC(trials_, GetBestTrials));
}

#undef KNOB_CLIENT_RPC

absl::StatusOr<v1::Study> Client::GetStudyById(int64_t id) {
  v1::GetStudyRequest request;
  request.set_id(id);
  return GetStudy(request);
}

absl::StatusOr<v1::Study> Client::GetStudyByName(std::string_view name) {
  v1::GetStudyRequest request;
  request.set_name(std::string(name));
  return GetStudy(request);
}

absl::StatusOr<v1::Study> Client::FindStudy(std::string_view id_or_name) {
  const std::string text(id_or_name);
  int64_t id = 0;
  const bool all_digits =
      !id_or_name.empty() &&
      std::all_of(id_or_name.begin(), id_or_name.end(),
                  [](char c) { return absl::ascii_isdigit(c); });
  if (all_digits && absl::SimpleAtoi(text, &id)) {
    absl::StatusOr<v1::Study> by_id = GetStudyById(id);
    if (by_id.status().code() != absl::StatusCode::kNotFound) return by_id;
    absl::StatusOr<v1::Study> by_name = GetStudyByName(id_or_name);
    if (by_name.status().code() != absl::StatusCode::kNotFound) return by_name;
    return absl::NotFoundError(
        absl::StrCat("no study has id or name \"", text, "\""));
  }
  return GetStudyByName(id_or_name);
}

absl::StatusOr<std::vector<v1::Study>> Client::ListAllStudies(
    v1::ListStudiesRequest request) {
  std::vector<v1::Study> studies;
  while (true) {
    absl::StatusOr<v1::ListStudiesResponse> page = ListStudies(request);
    if (!page.ok()) return page.status();
    for (v1::Study& study : *page->mutable_studies()) {
      studies.push_back(std::move(study));
    }
    if (page->next_page_token().empty()) return studies;
    request.set_page_token(page->next_page_token());
  }
}

absl::StatusOr<std::vector<v1::Trial>> Client::ListAllTrials(
    v1::ListTrialsRequest request, int64_t limit) {
  std::vector<v1::Trial> trials;
  while (true) {
    if (limit > 0) {
      const int64_t remaining = limit - static_cast<int64_t>(trials.size());
      const int64_t page_size =
          request.page_size() > 0 ? request.page_size() : 1000;
      request.set_page_size(
          static_cast<int32_t>(std::min(remaining, page_size)));
    }
    absl::StatusOr<v1::ListTrialsResponse> page = ListTrials(request);
    if (!page.ok()) return page.status();
    for (v1::Trial& trial : *page->mutable_trials()) {
      if (limit > 0 && static_cast<int64_t>(trials.size()) >= limit) break;
      trials.push_back(std::move(trial));
    }
    if (page->next_page_token().empty() ||
        (limit > 0 && static_cast<int64_t>(trials.size()) >= limit)) {
      return trials;
    }
    request.set_page_token(page->next_page_token());
  }
}

}  // namespace knob

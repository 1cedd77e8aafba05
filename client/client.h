// knob::Client is a connection to a knob-server: one method per RPC of the
// knob.v1 StudyService and TrialService, plus a few helpers built on them.
//
// Thread safety: a Client may be used from any number of threads at once.
// All calls share one gRPC channel, which multiplexes them over one
// HTTP/2 connection and reconnects by itself after the server went away.
//
// Errors: every method returns the server's answer, or its error with the
// same code and message (proto/knob/v1/service.proto says which code means
// what). A client-side failure surfaces with gRPC's code: UNAVAILABLE when
// the server cannot be reached, DEADLINE_EXCEEDED when the last attempt
// outlived ClientOptions::call_timeout.
//
// Retries: attempts that fail with UNAVAILABLE, ABORTED, CANCELLED or
// DEADLINE_EXCEEDED (see IsRetryableStatus) are repeated after an exponential,
// jittered back-off (ClientOptions::retry); the last failure is returned when
// the attempts run out. The mutating calls (SuggestTrials, ReportIntermediate,
// CompleteTrial, EnqueueTrial) carry a `request_id`: when the caller leaves it
// empty, the client draws a random one once, before the first attempt, so that
// every retry of the call carries the same id and the server does the work
// once. CreateStudy needs none: creating a study that exists with an equal
// config returns it.
#ifndef KNOB_CLIENT_CLIENT_H_
#define KNOB_CLIENT_CLIENT_H_

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/retry.h"
#include "knob/v1/service.grpc.pb.h"

namespace knob {

// The version of this client library, e.g. "0.1.0".
const char* ClientVersion();

// $KNOB_SERVER when set, else "127.0.0.1:50051": the server command-line
// tools talk to by default.
std::string DefaultServerTarget();

struct ClientOptions {
  // Address of the server, "host:port". Default: "127.0.0.1:50051".
  std::string target = "127.0.0.1:50051";
  // Deadline of each attempt of a call (retries get a fresh one).
  // Default: 30 s.
  absl::Duration call_timeout = absl::Seconds(30);
  // Which failures are retried and how. Default: see RetryOptions.
  RetryOptions retry;
  // Largest message sent or received, in bytes; a study export or a large
  // ListTrials page may need more than gRPC's 4 MiB. Default: 64 MiB.
  int max_message_bytes = 64 << 20;
  // Transport security. Default: none (plaintext), as knob-server listens.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
};

class Client final {
 public:
  // Creates the channel; does not connect yet, so this never fails: an
  // unreachable server shows as UNAVAILABLE on the first call.
  explicit Client(ClientOptions options);
  // Uses `channel` (e.g. an in-process one); options.target and
  // options.credentials are ignored.
  Client(std::shared_ptr<grpc::Channel> channel, ClientOptions options);

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // StudyService.
  absl::StatusOr<v1::Study> CreateStudy(const v1::CreateStudyRequest& request);
  absl::StatusOr<v1::Study> GetStudy(const v1::GetStudyRequest& request);
  absl::StatusOr<v1::ListStudiesResponse> ListStudies(
      const v1::ListStudiesRequest& request);
  absl::StatusOr<v1::Study> UpdateStudy(const v1::UpdateStudyRequest& request);
  absl::StatusOr<v1::DeleteStudyResponse> DeleteStudy(
      const v1::DeleteStudyRequest& request);
  absl::StatusOr<v1::GetParamImportancesResponse> GetParamImportances(
      const v1::GetParamImportancesRequest& request);

  // TrialService.
  absl::StatusOr<v1::SuggestTrialsResponse> SuggestTrials(
      const v1::SuggestTrialsRequest& request);
  absl::StatusOr<v1::HeartbeatResponse> Heartbeat(
      const v1::HeartbeatRequest& request);
  absl::StatusOr<v1::ReportIntermediateResponse> ReportIntermediate(
      const v1::ReportIntermediateRequest& request);
  absl::StatusOr<v1::Trial> CompleteTrial(
      const v1::CompleteTrialRequest& request);
  absl::StatusOr<v1::Trial> EnqueueTrial(
      const v1::EnqueueTrialRequest& request);
  absl::StatusOr<v1::Trial> GetTrial(const v1::GetTrialRequest& request);
  absl::StatusOr<v1::ListTrialsResponse> ListTrials(
      const v1::ListTrialsRequest& request);
  absl::StatusOr<v1::GetBestTrialsResponse> GetBestTrials(
      const v1::GetBestTrialsRequest& request);

  // Helpers.

  // The study of that id or name. NOT_FOUND when there is none.
  absl::StatusOr<v1::Study> GetStudyById(int64_t id);
  absl::StatusOr<v1::Study> GetStudyByName(std::string_view name);
  // `id_or_name` is a decimal id or a study name. Digits are tried as an id
  // first and then as a name, since names may consist of digits.
  absl::StatusOr<v1::Study> FindStudy(std::string_view id_or_name);
  // Every study matching `request`, following next_page_token to the end
  // (request.page_token is the starting point).
  absl::StatusOr<std::vector<v1::Study>> ListAllStudies(
      v1::ListStudiesRequest request);
  // Every trial matching `request`, in trial-number order, following
  // next_page_token to the end. Stops early once `limit` trials were read
  // when `limit` > 0.
  absl::StatusOr<std::vector<v1::Trial>> ListAllTrials(
      v1::ListTrialsRequest request, int64_t limit = 0);

  const ClientOptions& options() const { return options_; }

 private:
  template <typename Request, typename Response, typename Rpc>
  absl::StatusOr<Response> Call(const Request& request, Rpc rpc);
  // Calls `rpc` with a copy of `request` whose request_id is set.
  template <typename Request, typename Response, typename Rpc>
  absl::StatusOr<Response> CallMutating(const Request& request, Rpc rpc);

  std::string NewRequestId();
  absl::Duration NextBackoff(int retry);
  // Sleeps for `delay` while watching the channel, so that it reconnects
  // in the meantime: gRPC completes a connection attempt only while some
  // thread polls the channel, and an attempt that fails at once on a
  // disconnected channel does not. Unwatched, a server that came back is
  // noticed only by gRPC's backup poller, every 5 s, and the retries
  // fail until then.
  void BackOffWatchingChannel(absl::Duration delay);

  const ClientOptions options_;
  const std::shared_ptr<grpc::Channel> channel_;
  const std::unique_ptr<v1::StudyService::Stub> studies_;
  const std::unique_ptr<v1::TrialService::Stub> trials_;

  absl::Mutex rng_mu_;
  absl::BitGen rng_ ABSL_GUARDED_BY(rng_mu_);
};

}  // namespace knob

#endif  // KNOB_CLIENT_CLIENT_H_

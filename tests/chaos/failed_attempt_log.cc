#include "tests/chaos/failed_attempt_log.h"

#include <grpcpp/support/client_interceptor.h>
#include <grpcpp/support/interceptor.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_replace.h"

namespace knob::chaos {
namespace {

class FailedAttemptLogger final : public grpc::experimental::Interceptor {
 public:
  explicit FailedAttemptLogger(std::string_view method) {
    // "/knob.v1.TrialService/SuggestTrials" -> "SuggestTrials".
    const size_t slash = method.rfind('/');
    method_ = std::string(
        slash == std::string_view::npos ? method : method.substr(slash + 1));
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) final {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::POST_RECV_STATUS)) {
      const grpc::Status* status = methods->GetRecvStatus();
      if (status != nullptr && !status->ok()) {
        const auto code = static_cast<absl::StatusCode>(status->error_code());
        // One line per attempt, whatever the message holds.
        const std::string message = absl::StrReplaceAll(
            status->error_message(), {{"\n", " "}, {"\r", " "}});
        std::fprintf(stderr, "%s: %s (%s); attempt failed\n", method_.c_str(),
                     absl::StatusCodeToString(code).c_str(), message.c_str());
      }
    }
    methods->Proceed();
  }

 private:
  std::string method_;
};

class FailedAttemptLoggerFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) final {
    return new FailedAttemptLogger(info->method());
  }
};

}  // namespace

void LogFailedAttemptsOfAllChannels() {
  // gRPC keeps the factory for the life of the process.
  static auto* factory = new FailedAttemptLoggerFactory();
  grpc::experimental::RegisterGlobalClientInterceptorFactory(factory);
}

}  // namespace knob::chaos

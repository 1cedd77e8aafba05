#include "server/observability/rpc_interceptor.h"

#include <chrono>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "server/observability/log.h"

namespace knob {
namespace {

bool IsServerSideFailure(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DATA_LOSS:
      return true;
    default:
      return false;
  }
}

// One per call; gRPC deletes it when the call ends.
class ObservingInterceptor final : public grpc::experimental::Interceptor {
 public:
  ObservingInterceptor(Metrics& metrics, absl::string_view method)
      : metrics_(metrics),
        method_(method),
        start_(std::chrono::steady_clock::now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const absl::Duration duration =
          absl::FromChrono(std::chrono::steady_clock::now() - start_);
      const absl::string_view code = StatusCodeName(status.error_code());
      metrics_.ObserveRpc(method_, code, duration);
      if (IsServerSideFailure(status.error_code())) {
        Log(LogLevel::kError, "RPC failed",
            {{"method", method_},
             {"code", code},
             {"error", status.error_message()}});
      }
    }
    methods->Proceed();
  }

 private:
  Metrics& metrics_;
  const std::string method_;
  const std::chrono::steady_clock::time_point start_;
};

class ObservingInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  ObservingInterceptorFactory(Metrics& metrics,
                              absl::flat_hash_set<std::string> known_methods)
      : metrics_(metrics), known_methods_(std::move(known_methods)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    const char* path = info->method();
    const absl::string_view method =
        absl::StripPrefix(path == nullptr ? "" : path, "/");
    return new ObservingInterceptor(
        metrics_, known_methods_.contains(method) ? method : "unknown");
  }

 private:
  Metrics& metrics_;
  const absl::flat_hash_set<std::string> known_methods_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
CreateRpcObservingInterceptorFactory(
    Metrics& metrics, absl::flat_hash_set<std::string> known_methods) {
  return std::make_unique<ObservingInterceptorFactory>(
      metrics, std::move(known_methods));
}

absl::flat_hash_set<std::string> MethodsOfServices(
    std::initializer_list<absl::string_view> service_names) {
  absl::flat_hash_set<std::string> methods;
  for (const absl::string_view name : service_names) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            std::string(name));
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      methods.insert(
          absl::StrCat(service->full_name(), "/", service->method(i)->name()));
    }
  }
  return methods;
}

absl::string_view StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

}  // namespace knob

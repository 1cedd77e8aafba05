#include "tests/testing/fault_proxy.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace knob::testing {
namespace {

// "SuggestTrials" of "/knob.v1.TrialService/SuggestTrials".
std::string ShortName(const std::string& method) {
  return method.substr(method.rfind('/') + 1);
}

// The request_id field of a request to `method`; "" when the method is not
// a compiled-in one or its request has no such field. The proxy forwards
// the bytes either way: judging requests is the server's job.
std::string RequestIdOf(const std::string& method,
                        const grpc::ByteBuffer& request) {
  std::string full_name = method.substr(1);
  std::replace(full_name.begin(), full_name.end(), '/', '.');
  const google::protobuf::MethodDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
          full_name);
  if (descriptor == nullptr) return "";
  const google::protobuf::FieldDescriptor* field =
      descriptor->input_type()->FindFieldByName("request_id");
  if (field == nullptr ||
      field->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      field->is_repeated()) {
    return "";
  }
  std::vector<grpc::Slice> slices;
  if (!request.Dump(&slices).ok()) return "";
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(descriptor->input_type())
          ->New());
  if (!message->ParseFromString(bytes)) return "";
  return message->GetReflection()->GetString(*message, field);
}

}  // namespace

// One call from a client: read the request, forward it unless a fault says
// otherwise, and send back the server's answer or the fault's status.
class FaultProxy::ForwardingCall final : public grpc::ServerGenericBidiReactor {
 public:
  ForwardingCall(FaultProxy& proxy, grpc::GenericCallbackServerContext* context)
      : proxy_(proxy), context_(*context) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED,
                          "fault proxy: the client sent no request"));
      return;
    }
    fault_ = proxy_.Admit(context_.method(), request_);
    if (fault_ && !fault_->reaches_server) {
      Finish(fault_->status);
      return;
    }
    // Propagates the client's deadline and cancellation to the server.
    upstream_context_ =
        grpc::ClientContext::FromCallbackServerContext(context_);
    proxy_.upstream_.UnaryCall(
        upstream_context_.get(), context_.method(), grpc::StubOptions(),
        &request_, &response_,
        [this](grpc::Status status) { OnUpstreamDone(std::move(status)); });
  }

  void OnDone() override { delete this; }

 private:
  void OnUpstreamDone(grpc::Status status) {
    if (fault_) {
      Finish(fault_->status);
    } else if (!status.ok()) {
      Finish(status);
    } else {
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    }
  }

  FaultProxy& proxy_;
  grpc::GenericCallbackServerContext& context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::optional<Fault> fault_;
  std::unique_ptr<grpc::ClientContext> upstream_context_;
};

class FaultProxy::ForwardingService final
    : public grpc::CallbackGenericService {
 public:
  explicit ForwardingService(FaultProxy& proxy) : proxy_(proxy) {}

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    return new ForwardingCall(proxy_, context);
  }

 private:
  FaultProxy& proxy_;
};

FaultProxy::FaultProxy(const std::string& target)
    : upstream_(
          grpc::CreateChannel(target, grpc::InsecureChannelCredentials())),
      service_(std::make_unique<ForwardingService>(*this)) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterCallbackGenericService(service_.get());
  server_ = builder.BuildAndStart();
  address_ = absl::StrCat("127.0.0.1:", port);
}

FaultProxy::~FaultProxy() { server_->Shutdown(); }

void FaultProxy::Schedule(const std::string& method, int count, Fault fault) {
  absl::MutexLock lock(&mu_);
  std::deque<Fault>& faults = faults_[method];
  for (int i = 0; i < count; ++i) faults.push_back(fault);
}

void FaultProxy::FailNext(const std::string& method, int count,
                          grpc::Status status) {
  Schedule(method, count,
           Fault{.reaches_server = false, .status = std::move(status)});
}

void FaultProxy::LoseNextReplies(const std::string& method, int count,
                                 grpc::Status status) {
  Schedule(method, count,
           Fault{.reaches_server = true, .status = std::move(status)});
}

std::optional<FaultProxy::Fault> FaultProxy::Admit(
    const std::string& method, const grpc::ByteBuffer& request) {
  Call call{ShortName(method), RequestIdOf(method, request)};
  absl::MutexLock lock(&mu_);
  std::deque<Fault>& faults = faults_[call.method];
  calls_.push_back(std::move(call));
  if (faults.empty()) return std::nullopt;
  Fault fault = std::move(faults.front());
  faults.pop_front();
  return fault;
}

int FaultProxy::Calls(const std::string& method) const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(
      std::count_if(calls_.begin(), calls_.end(),
                    [&](const Call& call) { return call.method == method; }));
}

std::vector<std::string> FaultProxy::RequestIds(
    const std::string& method) const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  for (const Call& call : calls_) {
    if (call.method == method) ids.push_back(call.request_id);
  }
  return ids;
}

}  // namespace knob::testing

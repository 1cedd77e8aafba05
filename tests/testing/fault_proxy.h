// A gRPC proxy on a real loopback socket that forwards every call to a
// server unchanged, except for failures a test schedules per method:
//
//   FailNext         the call never reaches the server (a refused
//                    connection, a crashed replica): nothing happened.
//   LoseNextReplies  the server handles the call and commits its work, but
//                    the client gets an error instead of the answer (a
//                    connection dropped on the way back). Only a server that
//                    recognizes the retry's request_id avoids doing the work
//                    twice.
//
// It also records every call it receives, so that tests see each attempt
// of a retried call and the request_id it carried.
//
// Methods are named by their short name ("SuggestTrials"), which is unique
// across the knob.v1 services. Only unary calls are supported, and request
// metadata is not forwarded: the knob API uses neither streams nor
// metadata.
//
// Thread safety: all methods may be called concurrently, also while calls
// are in flight.
#ifndef KNOB_TESTS_TESTING_FAULT_PROXY_H_
#define KNOB_TESTS_TESTING_FAULT_PROXY_H_

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"

namespace knob::testing {

class FaultProxy final {
 public:
  // Listens on 127.0.0.1 at a free port and forwards to `target`
  // ("host:port"), which must outlive the proxy.
  explicit FaultProxy(const std::string& target);
  // Waits for calls in flight.
  ~FaultProxy();

  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // "127.0.0.1:PORT", for clients.
  const std::string& address() const { return address_; }

  // The next `count` calls of `method` fail with `status` without reaching
  // the server. Scheduled failures of one method apply in the order they
  // were scheduled, FailNext and LoseNextReplies alike.
  void FailNext(const std::string& method, int count, grpc::Status status);
  // The next `count` calls of `method` are handled by the server, and the
  // client gets `status` instead of the server's answer.
  void LoseNextReplies(const std::string& method, int count,
                       grpc::Status status);

  // Calls of `method` received, failed ones included.
  int Calls(const std::string& method) const;
  // The request_id of each call of `method` received, in arrival order;
  // empty for requests without that field.
  std::vector<std::string> RequestIds(const std::string& method) const;

 private:
  // The proxy's gRPC service and the reactor of one forwarded call.
  class ForwardingService;
  class ForwardingCall;

  // What the proxy does to one call instead of forwarding it faithfully.
  struct Fault {
    bool reaches_server = false;
    grpc::Status status;
  };
  struct Call {
    std::string method;
    std::string request_id;
  };

  void Schedule(const std::string& method, int count, Fault fault);
  // Records a call of `method` (the full name, "/package.Service/Method")
  // and takes the fault scheduled for it, if any.
  std::optional<Fault> Admit(const std::string& method,
                             const grpc::ByteBuffer& request);

  grpc::GenericStub upstream_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::deque<Fault>> faults_ ABSL_GUARDED_BY(mu_);
  std::vector<Call> calls_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<grpc::CallbackGenericService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

}  // namespace knob::testing

#endif  // KNOB_TESTS_TESTING_FAULT_PROXY_H_

// Serves unary RPCs: runs each handler on the request thread pool and
// finishes the call with the handler's status, converted in one place. A
// request holding a string the database cannot take is refused before it
// reaches the pool (see request_strings.h).
#ifndef KNOB_SERVER_API_SERVE_H_
#define KNOB_SERVER_API_SERVE_H_

#include <utility>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "server/api/convert.h"
#include "server/api/request_strings.h"
#include "server/util/thread_pool.h"

namespace knob::api {

class UnaryServer final {
 public:
  // `pool` must outlive the server.
  explicit UnaryServer(ThreadPool& pool) : pool_(pool) {}

  // `handler` is an `absl::Status()` callable that fills the response.
  template <typename Handler>
  grpc::ServerUnaryReactor* operator()(grpc::CallbackServerContext* context,
                                       const google::protobuf::Message& request,
                                       Handler handler) const {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (absl::Status strings = CheckRequestStrings(request); !strings.ok()) {
      reactor->Finish(ToGrpcStatus(strings));
      return reactor;
    }
    pool_.Schedule([reactor, handler = std::move(handler)]() mutable {
      reactor->Finish(ToGrpcStatus(handler()));
    });
    return reactor;
  }

 private:
  ThreadPool& pool_;
};

}  // namespace knob::api

#endif  // KNOB_SERVER_API_SERVE_H_

// Runs a unary RPC's handler on the request thread pool and finishes the
// call with the handler's status, converted in one place.
#ifndef KNOB_SERVER_API_SERVE_H_
#define KNOB_SERVER_API_SERVE_H_

#include <utility>

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"
#include "server/api/convert.h"
#include "server/util/thread_pool.h"

namespace knob::api {

// `handler` is an `absl::Status()` callable that fills the response.
template <typename Handler>
grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* context,
                                ThreadPool& pool, Handler handler) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  pool.Schedule([reactor, handler = std::move(handler)]() mutable {
    reactor->Finish(ToGrpcStatus(handler()));
  });
  return reactor;
}

}  // namespace knob::api

#endif  // KNOB_SERVER_API_SERVE_H_

// A gRPC server interceptor that observes every call the server handles:
// its duration and status code go to Metrics (knob_rpc_duration_seconds),
// and calls that fail on the server's side (UNAVAILABLE, INTERNAL,
// ABORTED, UNKNOWN, DATA_LOSS: the database or the server itself is at
// fault, not the caller) are logged as errors with their message.
//
// Calls to a method outside the known ones (gRPC hands the interceptor
// whatever path a client asked for) are labelled "unknown", so that no
// client can make up series.
//
// Register the factory with
// ServerBuilder::experimental().SetInterceptorCreators before the server
// is built.
#ifndef KNOB_SERVER_OBSERVABILITY_RPC_INTERCEPTOR_H_
#define KNOB_SERVER_OBSERVABILITY_RPC_INTERCEPTOR_H_

#include <initializer_list>
#include <memory>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/server_interceptor.h"
#include "grpcpp/support/status.h"
#include "server/observability/metrics.h"

namespace knob {

// `metrics` must outlive every server the factory is registered with.
// `known_methods` are full method names without the leading slash
// ("knob.v1.TrialService/SuggestTrials").
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
CreateRpcObservingInterceptorFactory(
    Metrics& metrics, absl::flat_hash_set<std::string> known_methods);

// The full names of the methods of the named services ("knob.v1.
// StudyService"), as the protobuf descriptors linked into the program
// declare them; a service not linked in contributes none.
absl::flat_hash_set<std::string> MethodsOfServices(
    std::initializer_list<absl::string_view> service_names);

// The name of a gRPC status code as the gRPC documentation spells it:
// "OK", "INVALID_ARGUMENT", …; "UNKNOWN" for a value out of range.
absl::string_view StatusCodeName(grpc::StatusCode code);

}  // namespace knob

#endif  // KNOB_SERVER_OBSERVABILITY_RPC_INTERCEPTOR_H_

// Conversion of gRPC call outcomes into absl::Status, so that callers of
// the client library see one error type. This is the only place where a
// grpc::Status becomes an absl::Status.
#ifndef KNOB_CLIENT_GRPC_STATUS_H_
#define KNOB_CLIENT_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace knob {

// Same code, same message. grpc::StatusCode and absl::StatusCode share
// their numbering (both follow google.rpc.Code); a code outside that range
// becomes UNKNOWN rather than an invalid absl code.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace knob

#endif  // KNOB_CLIENT_GRPC_STATUS_H_

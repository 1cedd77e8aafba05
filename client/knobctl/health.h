// knobctl health: asks a knob-server whether it serves, through the gRPC
// health service (grpc.health.v1.Health/Check) that knob-server enables,
// the same check container health checks and Kubernetes probes make.
#ifndef KNOB_CLIENT_KNOBCTL_HEALTH_H_
#define KNOB_CLIENT_KNOBCTL_HEALTH_H_

#include <grpcpp/channel.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace knob::knobctl {

// One Check call for the server as a whole, with no retry: a health check
// reports the present, and its caller decides how often to ask. OK when
// the server answers SERVING; UNAVAILABLE naming the status it reported
// otherwise; the call's own error when there was no answer within
// `timeout` (UNAVAILABLE, DEADLINE_EXCEEDED, or UNIMPLEMENTED from a
// server without the health service).
absl::Status CheckServing(const std::shared_ptr<grpc::Channel>& channel,
                          absl::Duration timeout);

}  // namespace knob::knobctl

#endif  // KNOB_CLIENT_KNOBCTL_HEALTH_H_

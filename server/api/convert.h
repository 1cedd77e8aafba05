// Conversions between the API's protobuf messages and the server's domain
// types, and the one place where absl::Status becomes grpc::Status.
// Proto → domain conversions reject what the domain cannot represent
// (INVALID_ARGUMENT naming the field); semantic validation is the core's.
#ifndef KNOB_SERVER_API_CONVERT_H_
#define KNOB_SERVER_API_CONVERT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/support/status.h"
#include "knob/v1/service.pb.h"
#include "knob/v1/study.pb.h"
#include "knob/v1/trial.pb.h"
#include "server/core/tuner.h"
#include "server/model/study.h"
#include "server/model/trial.h"

namespace knob::api {

grpc::Status ToGrpcStatus(const absl::Status& status);

absl::StatusOr<ParamValue> FromProto(const v1::Value& value,
                                     const std::string& field);
void ToProto(const ParamValue& value, v1::Value* proto);

absl::StatusOr<StudyConfig> FromProto(const v1::StudyConfig& proto);
void ToProto(const StudyConfig& config, v1::StudyConfig* proto);

absl::StatusOr<ParamAssignment> FromProto(
    const google::protobuf::Map<std::string, v1::Value>& parameters,
    const std::string& field);

// UNSPECIFIED maps to nullopt.
absl::StatusOr<std::optional<StudyState>> FromProto(v1::StudyState state,
                                                    const std::string& field);
v1::StudyState ToProto(StudyState state);
absl::StatusOr<TrialState> FromProto(v1::TrialState state,
                                     const std::string& field);
v1::TrialState ToProto(TrialState state);

void ToProto(const StudyInfo& info, v1::Study* proto);
void ToProto(const Trial& trial, v1::Trial* proto);

void ToProto(absl::Time time, google::protobuf::Timestamp* proto);
absl::Duration FromProto(const google::protobuf::Duration& proto);
void ToProto(absl::Duration duration, google::protobuf::Duration* proto);

}  // namespace knob::api

#endif  // KNOB_SERVER_API_CONVERT_H_

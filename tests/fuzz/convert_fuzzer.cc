// Fuzzes the proto -> domain conversions of server/api/convert.h on
// arbitrary bytes parsed as a knob.v1.EnqueueTrialRequest (a parameter
// map) and a knob.v1.StudyConfig. What converts must convert back to the
// same thing: domain -> proto -> domain is the identity, so nothing a user
// sent is silently altered between the API and the core.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/message.h"
#include "knob/v1/service.pb.h"
#include "knob/v1/study.pb.h"
#include "server/api/convert.h"

namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "convert_fuzzer: %s\n", what.c_str());
  std::abort();
}

void ExpectInvalidArgument(const absl::Status& status) {
  if (!status.ok() && status.code() != absl::StatusCode::kInvalidArgument) {
    Fail("conversion failed with " + status.ToString());
  }
}

// The message's bytes with map entries in key order: plain serialization
// writes maps in hash order, which differs between equal messages.
std::string Canonical(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

// Compared as bytes rather than with ==, so that NaN values (never equal
// to themselves) are compared too.
void CheckConfigRoundTrip(const knob::v1::StudyConfig& proto) {
  absl::StatusOr<knob::StudyConfig> config = knob::api::FromProto(proto);
  ExpectInvalidArgument(config.status());
  if (!config.ok()) return;
  knob::v1::StudyConfig again;
  knob::api::ToProto(*config, &again);
  absl::StatusOr<knob::StudyConfig> back = knob::api::FromProto(again);
  if (!back.ok()) {
    Fail("a converted config does not convert back: " +
         back.status().ToString());
  }
  knob::v1::StudyConfig twice;
  knob::api::ToProto(*back, &twice);
  if (Canonical(again) != Canonical(twice)) {
    Fail("config changed on a round trip:\n" + again.DebugString() + "\n" +
         twice.DebugString());
  }
}

void CheckParametersRoundTrip(const knob::v1::EnqueueTrialRequest& request) {
  absl::StatusOr<knob::ParamAssignment> params =
      knob::api::FromProto(request.parameters(), "parameters");
  ExpectInvalidArgument(params.status());
  if (!params.ok()) return;
  for (const auto& [name, value] : *params) {
    knob::v1::Value proto;
    knob::api::ToProto(value, &proto);
    absl::StatusOr<knob::ParamValue> back =
        knob::api::FromProto(proto, "parameters");
    if (!back.ok()) Fail(name + ": value does not convert back");
    knob::v1::Value twice;
    knob::api::ToProto(*back, &twice);
    if (Canonical(proto) != Canonical(twice)) {
      Fail(name + ": value changed on a round trip");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  knob::v1::EnqueueTrialRequest request;
  if (request.ParseFromArray(data, static_cast<int>(size))) {
    CheckParametersRoundTrip(request);
  }
  knob::v1::StudyConfig config;
  if (config.ParseFromArray(data, static_cast<int>(size))) {
    CheckConfigRoundTrip(config);
  }
  return 0;
}

// Fuzzes the checks the API runs on the requests that create studies and
// drive trials. The first byte picks CreateStudy, SuggestTrials,
// CompleteTrial or ReportIntermediate; the rest is parsed as that request
// and sent through the real gRPC services, wired as in knob-server
// (tests/testing/test_server.h: loopback socket, request size limit, RPC
// interceptor), to a Tuner on memory storage. Requests naming a study or
// trial (id >= 0) are pointed at a fixture study and a freshly suggested
// RUNNING trial, so that the checks past "unknown id" are reached;
// negative ids stay as sent.
//
// Any answer is acceptable except a crash, a sanitizer finding, or a status
// that is not an answer to the caller: INTERNAL, UNKNOWN, DATA_LOSS or
// UNIMPLEMENTED mean malformed input slipped past validation.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"
#include "knob/v1/service.grpc.pb.h"
#include "server/core/tuner.h"
#include "server/storage/memory/memory_storage.h"
#include "tests/testing/test_server.h"

namespace knob {
namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "api_request_fuzzer: %s\n", what.c_str());
  std::abort();
}

// A search space with every kind of domain and a condition, so that the
// requests' values meet every check.
StudyConfig FixtureConfig() {
  StudyConfig config;
  config.parameters = {
      {"lr", FloatDomain{1e-4, 1.0, /*log_scale=*/true, std::nullopt}, {}},
      {"layers", IntDomain{1, 8, false, 1}, {}},
      {"optimizer",
       CategoricalDomain{
           {ParamValue(std::string("adam")), ParamValue(std::string("sgd"))}},
       {}},
      {"momentum", FloatDomain{0.0, 0.9, false, 0.1},
       Condition{"optimizer", {ParamValue(std::string("sgd"))}}},
  };
  config.objectives = {{"loss", Direction::kMinimize}};
  config.extra_metrics = {"latency"};
  return config;
}

// The server under test, built once: starting a gRPC server per input
// would leave little time for the inputs.
class Harness final {
 public:
  void Run(const uint8_t* data, size_t size) {
    if (size == 0) return;
    const uint8_t kind = data[0] % 4;
    ++data;
    --size;
    switch (kind) {
      case 0:
        CreateStudy(data, size);
        break;
      case 1:
        Suggest(data, size);
        break;
      case 2:
        Complete(data, size);
        break;
      default:
        Report(data, size);
        break;
    }
  }

 private:
  static void Check(const grpc::Status& status, const char* method) {
    switch (status.error_code()) {
      case grpc::StatusCode::INTERNAL:
      case grpc::StatusCode::UNKNOWN:
      case grpc::StatusCode::DATA_LOSS:
      case grpc::StatusCode::UNIMPLEMENTED:
        Fail(std::string(method) + " answered " +
             std::to_string(status.error_code()) + ": " +
             status.error_message());
      default:
        return;
    }
  }

  void CreateStudy(const uint8_t* data, size_t size) {
    v1::CreateStudyRequest request;
    if (!request.ParseFromArray(data, static_cast<int>(size))) return;
    v1::Study study;
    grpc::ClientContext context;
    const grpc::Status status =
        server_.studies().CreateStudy(&context, request, &study);
    Check(status, "CreateStudy");
    // Studies the inputs create would pile up in memory.
    if (status.ok() && study.id() != fixture_study_) {
      (void)server_.tuner().DeleteStudy(study.id());
    }
  }

  void Suggest(const uint8_t* data, size_t size) {
    v1::SuggestTrialsRequest request;
    if (!request.ParseFromArray(data, static_cast<int>(size))) return;
    if (request.study_id() >= 0) request.set_study_id(FixtureStudy());
    v1::SuggestTrialsResponse response;
    grpc::ClientContext context;
    Check(server_.trials().SuggestTrials(&context, request, &response),
          "SuggestTrials");
  }

  void Complete(const uint8_t* data, size_t size) {
    v1::CompleteTrialRequest request;
    if (!request.ParseFromArray(data, static_cast<int>(size))) return;
    if (request.trial_id() >= 0) request.set_trial_id(RunningTrial());
    v1::Trial response;
    grpc::ClientContext context;
    Check(server_.trials().CompleteTrial(&context, request, &response),
          "CompleteTrial");
  }

  void Report(const uint8_t* data, size_t size) {
    v1::ReportIntermediateRequest request;
    if (!request.ParseFromArray(data, static_cast<int>(size))) return;
    if (request.trial_id() >= 0) request.set_trial_id(RunningTrial());
    v1::ReportIntermediateResponse response;
    grpc::ClientContext context;
    Check(server_.trials().ReportIntermediate(&context, request, &response),
          "ReportIntermediate");
  }

  // The fixture study, replaced by a fresh one now and then so that the
  // trials the inputs create do not pile up.
  int64_t FixtureStudy() {
    if (fixture_study_ != 0 && ++fixture_uses_ < kFixtureUses) {
      return fixture_study_;
    }
    if (fixture_study_ != 0) (void)server_.tuner().DeleteStudy(fixture_study_);
    CreateStudyInput input;
    input.name = "fuzz_fixture";
    input.config = FixtureConfig();
    absl::StatusOr<StudyInfo> info =
        server_.tuner().CreateStudy(std::move(input));
    if (!info.ok()) Fail("fixture study: " + info.status().ToString());
    fixture_study_ = info->study.id;
    fixture_uses_ = 0;
    return fixture_study_;
  }

  int64_t RunningTrial() {
    SuggestInput input;
    input.study_id = FixtureStudy();
    input.worker_id = "fuzz";
    absl::StatusOr<SuggestResult> result = server_.tuner().Suggest(input);
    if (!result.ok() || result->trials.size() != 1) {
      Fail("fixture trial: " + result.status().ToString());
    }
    return result->trials.front().id;
  }

  static constexpr int kFixtureUses = 20;

  testing::TestServer server_{CreateMemoryStorage()};
  int64_t fixture_study_ = 0;
  int fixture_uses_ = 0;
};

}  // namespace
}  // namespace knob

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Never destroyed: libFuzzer exits without unwinding the harness.
  static knob::Harness* harness = new knob::Harness();
  harness->Run(data, size);
  return 0;
}

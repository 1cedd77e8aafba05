// What an operator scrapes after real calls through a real server: the
// interceptor's RPC series and the Tuner's series, recorded by the code
// that knob-server runs.
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "knob/v1/service.grpc.pb.h"
#include "server/observability/prometheus_metrics.h"
#include "server/storage/memory/memory_storage.h"
#include "tests/testing/faulty_storage.h"
#include "tests/testing/test_server.h"

namespace knob {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class RpcMetricsTest : public ::testing::Test {
 protected:
  RpcMetricsTest()
      : metrics_(PrometheusMetrics::Create()),
        storage_(CreateMemoryStorage()),
        server_(std::make_unique<testing::FaultyStorage>(*storage_),
                testing::TestServerOptions{.metrics = metrics_.get()}) {}

  int64_t CreateStudy() {
    v1::CreateStudyRequest request;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
        R"pb(
          name: "metered"
          config {
            parameters {
              name: "x"
              float_domain { min: 0 max: 1 }
            }
            objectives { metric: "loss" direction: DIRECTION_MINIMIZE }
            sampler { name: "random" }
            seed: 3
          }
        )pb",
        &request));
    grpc::ClientContext context;
    v1::Study study;
    const grpc::Status status =
        server_.studies().CreateStudy(&context, request, &study);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return study.id();
  }

  v1::Trial SuggestOne(int64_t study_id) {
    v1::SuggestTrialsRequest request;
    request.set_study_id(study_id);
    request.set_count(1);
    request.set_worker_id("worker-1");
    grpc::ClientContext context;
    v1::SuggestTrialsResponse response;
    const grpc::Status status =
        server_.trials().SuggestTrials(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.trials_size(), 1);
    return response.trials_size() > 0 ? response.trials(0) : v1::Trial();
  }

  void Complete(int64_t trial_id) {
    v1::CompleteTrialRequest request;
    request.set_trial_id(trial_id);
    request.set_state(v1::TRIAL_STATE_COMPLETED);
    request.add_values(0.5);
    grpc::ClientContext context;
    v1::Trial trial;
    const grpc::Status status =
        server_.trials().CompleteTrial(&context, request, &trial);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }

  testing::FaultyStorage& faults() {
    return static_cast<testing::FaultyStorage&>(server_.storage());
  }

  std::unique_ptr<PrometheusMetrics> metrics_;
  std::unique_ptr<Storage> storage_;
  testing::TestServer server_;
};

TEST_F(RpcMetricsTest, TimesEachCallByMethodAndStatusCode) {
  CreateStudy();
  v1::GetStudyRequest missing;
  missing.set_id(999);
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    v1::Study study;
    EXPECT_EQ(
        server_.studies().GetStudy(&context, missing, &study).error_code(),
        grpc::StatusCode::NOT_FOUND);
  }

  const std::string text = metrics_->RenderText();
  EXPECT_THAT(text, HasSubstr("# TYPE knob_rpc_duration_seconds histogram"));
  EXPECT_THAT(text,
              HasSubstr("knob_rpc_duration_seconds_count{code=\"OK\",method="
                        "\"knob.v1.StudyService/CreateStudy\"} 1"));
  EXPECT_THAT(text, HasSubstr("knob_rpc_duration_seconds_count{code="
                              "\"NOT_FOUND\",method=\"knob.v1.StudyService/"
                              "GetStudy\"} 2"));
  EXPECT_THAT(text, Not(HasSubstr("code=\"OK\",method=\"knob.v1."
                                  "StudyService/GetStudy\"")));
}

TEST_F(RpcMetricsTest, LabelsMethodsTheServerLacksAsUnknown) {
  auto channel = grpc::CreateChannel(server_.address(),
                                     grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse response;
  EXPECT_EQ(health->Check(&context, {}, &response).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  const std::string text = metrics_->RenderText();
  EXPECT_THAT(text, Not(HasSubstr("grpc.health.v1.Health/Check\"")));
  EXPECT_THAT(text, HasSubstr("knob_rpc_duration_seconds_count{code="
                              "\"UNIMPLEMENTED\",method=\"unknown\"} 1"));
}

TEST_F(RpcMetricsTest, CountsTrialTransitionsSamplingAndCacheLookups) {
  const int64_t study_id = CreateStudy();
  const v1::Trial first = SuggestOne(study_id);
  SuggestOne(study_id);
  EXPECT_EQ(server_.tuner().ActiveLeases(), 2);
  Complete(first.id());
  EXPECT_EQ(server_.tuner().ActiveLeases(), 1);

  const std::string text = metrics_->RenderText();
  EXPECT_THAT(text, HasSubstr("knob_trials_total{state=\"RUNNING\"} 2"));
  EXPECT_THAT(text, HasSubstr("knob_trials_total{state=\"COMPLETED\"} 1"));
  EXPECT_THAT(text, HasSubstr("knob_sampler_duration_seconds_count{sampler="
                              "\"random\"} 2"));
  // The first transaction loads the study; the next two find it cached.
  EXPECT_THAT(text,
              HasSubstr("knob_study_cache_lookups_total{result=\"miss\"} 1"));
  EXPECT_THAT(text,
              HasSubstr("knob_study_cache_lookups_total{result=\"hit\"} 2"));
}

TEST_F(RpcMetricsTest, ReportsAFailingDatabaseAndCountsOnlyWhatCommitted) {
  const int64_t study_id = CreateStudy();
  faults().InjectIntoNextTransact({.fail_create_trial = 0});
  v1::SuggestTrialsRequest request;
  request.set_study_id(study_id);
  request.set_count(1);
  grpc::ClientContext context;
  v1::SuggestTrialsResponse response;
  ::testing::internal::CaptureStderr();
  const grpc::Status status =
      server_.trials().SuggestTrials(&context, request, &response);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);

  const std::string text = metrics_->RenderText();
  EXPECT_THAT(text, HasSubstr("knob_rpc_duration_seconds_count{code="
                              "\"UNAVAILABLE\",method=\"knob.v1."
                              "TrialService/SuggestTrials\"} 1"));
  // The trial was rolled back: nothing to count.
  EXPECT_THAT(text, Not(HasSubstr("knob_trials_total{")));
  EXPECT_THAT(log, HasSubstr("\"level\":\"error\",\"message\":\"RPC "
                             "failed\",\"method\":\"knob.v1.TrialService/"
                             "SuggestTrials\",\"code\":\"UNAVAILABLE\""));
  EXPECT_THAT(log, Not(HasSubstr("trial suggested")));
}

TEST_F(RpcMetricsTest, ScrapesActiveLeasesFromTheTuner) {
  const int64_t study_id = CreateStudy();
  SuggestOne(study_id);
  metrics_->SetActiveLeasesSource(
      [this] { return server_.tuner().ActiveLeases(); });
  EXPECT_THAT(metrics_->RenderText(), HasSubstr("knob_active_leases 1"));
}

}  // namespace
}  // namespace knob

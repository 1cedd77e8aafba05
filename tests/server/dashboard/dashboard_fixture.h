// A real server for dashboard tests: the gRPC services over a storage
// (TestServer), and the dashboard's HTTP endpoint over the same storage on
// a free loopback port. Studies and trials are made through gRPC, as
// workers make them; the dashboard is read over HTTP, as a browser reads
// it.
#ifndef KNOB_TESTS_SERVER_DASHBOARD_DASHBOARD_FIXTURE_H_
#define KNOB_TESTS_SERVER_DASHBOARD_DASHBOARD_FIXTURE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "knob/v1/service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "server/dashboard/dashboard_server.h"
#include "tests/testing/test_server.h"

namespace knob::testing {

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
  // The body parsed, or null when it is not JSON.
  nlohmann::json json;
};

class DashboardTest : public ::testing::Test {
 protected:
  // The storage the test runs against.
  virtual std::unique_ptr<Storage> MakeStorage() = 0;

  void SetUp() override {
    server_ = std::make_unique<TestServer>(MakeStorage());
    absl::StatusOr<std::unique_ptr<dashboard::DashboardEndpoint>> endpoint =
        dashboard::ServeDashboard(server_->storage(),
                                  {.listen = "127.0.0.1:0", .threads = 2});
    ASSERT_TRUE(endpoint.ok()) << endpoint.status();
    dashboard_ = *std::move(endpoint);
  }

  HttpReply Request(const std::string& method, const std::string& path,
                    const httplib::Headers& headers = {}) {
    httplib::Client client("127.0.0.1", dashboard_->port());
    httplib::Result result = method == "GET"    ? client.Get(path, headers)
                             : method == "HEAD" ? client.Head(path, headers)
                             : method == "POST"
                                 ? client.Post(path, "{}", "application/json")
                                 : client.Delete(path);
    HttpReply reply;
    if (!result) {
      ADD_FAILURE() << method << " " << path << ": "
                    << httplib::to_string(result.error());
      return reply;
    }
    reply.status = result->status;
    reply.content_type = result->get_header_value("Content-Type");
    reply.body = result->body;
    reply.json = nlohmann::json::parse(result->body, nullptr,
                                       /*allow_exceptions=*/false);
    return reply;
  }

  // GET `path`, expecting 200 and JSON.
  nlohmann::json GetJson(const std::string& path) {
    HttpReply reply = Request("GET", path);
    EXPECT_EQ(reply.status, 200) << path << ": " << reply.body;
    EXPECT_THAT(reply.content_type, ::testing::StartsWith("application/json"))
        << path;
    return reply.json;
  }

  // GET `path` (200 and JSON) until `settled` holds for the document, as
  // the page polls for what the server works out in the background; fails
  // the test if it never does.
  nlohmann::json PollJson(
      const std::string& path,
      const std::function<bool(const nlohmann::json&)>& settled) {
    // Far beyond what the background work takes, even on a busy machine.
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    nlohmann::json document = GetJson(path);
    while (!settled(document) && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
      document = GetJson(path);
    }
    EXPECT_TRUE(settled(document)) << path << ": " << document.dump();
    return document;
  }

  v1::Study CreateStudy(const std::string& name, const std::string& config) {
    v1::CreateStudyRequest request;
    request.set_name(name);
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
        config, request.mutable_config()));
    v1::Study study;
    grpc::ClientContext context;
    grpc::Status status =
        server_->studies().CreateStudy(&context, request, &study);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return study;
  }

  // Suggests one trial and ends it in `state` with `values` (for
  // COMPLETED) and `metrics`.
  v1::Trial RunTrial(int64_t study_id, v1::TrialState state,
                     const std::vector<double>& values,
                     const std::map<std::string, double>& metrics = {}) {
    v1::SuggestTrialsRequest suggest;
    suggest.set_study_id(study_id);
    suggest.set_count(1);
    suggest.set_worker_id("dashboard-test");
    (*suggest.mutable_environment())["gpu"] = "none";
    v1::SuggestTrialsResponse suggested;
    {
      grpc::ClientContext context;
      grpc::Status status =
          server_->trials().SuggestTrials(&context, suggest, &suggested);
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    if (suggested.trials_size() != 1) {
      ADD_FAILURE() << "no trial suggested";
      return v1::Trial();
    }
    v1::CompleteTrialRequest complete;
    complete.set_trial_id(suggested.trials(0).id());
    complete.set_state(state);
    for (double value : values) complete.add_values(value);
    complete.mutable_metrics()->insert(metrics.begin(), metrics.end());
    if (state == v1::TRIAL_STATE_FAILED) complete.set_fail_reason("diverged");
    v1::Trial trial;
    grpc::ClientContext context;
    grpc::Status status =
        server_->trials().CompleteTrial(&context, complete, &trial);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return trial;
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<dashboard::DashboardEndpoint> dashboard_;
};

// x in [-5, 5], layers in 1..8, opt in {adam, sgd}; minimizes "loss",
// records "accuracy".
inline constexpr char kOneObjective[] = R"pb(
  parameters {
    name: "x"
    float_domain { min: -5 max: 5 }
  }
  parameters {
    name: "layers"
    int_domain { min: 1 max: 8 }
  }
  parameters {
    name: "opt"
    categorical_domain {
      choices { string_value: "adam" }
      choices { string_value: "sgd" }
    }
  }
  objectives { metric: "loss" direction: DIRECTION_MINIMIZE }
  extra_metrics: "accuracy"
  sampler { name: "random" }
  seed: 11
)pb";

// x in [0, 1]; minimizes "error", maximizes "speed".
inline constexpr char kTwoObjectives[] = R"pb(
  parameters {
    name: "x"
    float_domain { min: 0 max: 1 }
  }
  objectives { metric: "error" direction: DIRECTION_MINIMIZE }
  objectives { metric: "speed" direction: DIRECTION_MAXIMIZE }
  sampler { name: "random" }
  seed: 5
)pb";

}  // namespace knob::testing

#endif  // KNOB_TESTS_SERVER_DASHBOARD_DASHBOARD_FIXTURE_H_

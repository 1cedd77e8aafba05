// API tests run against a TestServer (real gRPC over loopback), once per
// storage implementation.
#ifndef KNOB_TESTS_SERVER_API_API_FIXTURE_H_
#define KNOB_TESTS_SERVER_API_API_FIXTURE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "knob/v1/service.grpc.pb.h"
#include "tests/testing/test_server.h"

namespace knob::testing {

MATCHER_P2(GrpcStatusIs, code, message_matcher,
           "has gRPC code " + ::testing::PrintToString(code)) {
  *result_listener << "status is " << arg.error_code() << " "
                   << arg.error_message();
  return arg.error_code() == code &&
         ::testing::ExplainMatchResult(message_matcher, arg.error_message(),
                                       result_listener);
}

struct StorageParam {
  std::string name;
  std::function<std::unique_ptr<Storage>()> make;
  friend void PrintTo(const StorageParam& param, std::ostream* out) {
    *out << param.name;
  }
};

template <typename Message>
Message ParseText(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << text;
  return message;
}

// A study over x in [-5, 5], y in 1..10, kind in {a, b}; minimizes "loss",
// records "accuracy".
inline v1::CreateStudyRequest BasicStudyRequest(const std::string& name) {
  v1::CreateStudyRequest request = ParseText<v1::CreateStudyRequest>(R"pb(
    config {
      parameters {
        name: "x"
        float_domain { min: -5 max: 5 }
      }
      parameters {
        name: "y"
        int_domain { min: 1 max: 10 }
      }
      parameters {
        name: "kind"
        categorical_domain {
          choices { string_value: "a" }
          choices { string_value: "b" }
        }
      }
      objectives { metric: "loss" direction: DIRECTION_MINIMIZE }
      extra_metrics: "accuracy"
      seed: 7
    }
  )pb");
  request.set_name(name);
  return request;
}

// A study definition that must be refused, and what the refusal must say.
struct BadStudy {
  std::string name;
  std::string config_text;
  std::vector<std::string> message_parts;
};

class ApiTest : public ::testing::TestWithParam<StorageParam> {
 protected:
  // Creating a study with `bad.config_text` as its config fails with
  // INVALID_ARGUMENT naming every part, and stores nothing.
  void ExpectRefused(const BadStudy& bad) {
    v1::CreateStudyRequest request;
    request.set_name("bad-study");
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
        bad.config_text, request.mutable_config()))
        << bad.name;
    v1::Study study;
    grpc::Status status = CreateStudy(request, &study);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << bad.name << ": " << status.error_message();
    for (const std::string& part : bad.message_parts) {
      EXPECT_THAT(status.error_message(), ::testing::HasSubstr(part))
          << bad.name;
    }
    EXPECT_EQ(StudyCount(), 0) << bad.name << " stored a study";
  }

  void SetUp() override {
    server_ = std::make_unique<TestServer>(GetParam().make());
  }

  grpc::Status CreateStudy(const v1::CreateStudyRequest& request,
                           v1::Study* study) {
    grpc::ClientContext context;
    return server_->studies().CreateStudy(&context, request, study);
  }

  v1::Study MustCreate(const v1::CreateStudyRequest& request) {
    v1::Study study;
    grpc::Status status = CreateStudy(request, &study);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return study;
  }

  grpc::Status Suggest(int64_t study_id, int count,
                       v1::SuggestTrialsResponse* response,
                       const std::string& request_id = "") {
    v1::SuggestTrialsRequest request;
    request.set_study_id(study_id);
    request.set_count(count);
    request.set_worker_id("api-test");
    request.set_request_id(request_id);
    grpc::ClientContext context;
    return server_->trials().SuggestTrials(&context, request, response);
  }

  v1::Trial MustSuggestOne(int64_t study_id) {
    v1::SuggestTrialsResponse response;
    grpc::Status status = Suggest(study_id, 1, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.trials_size(), 1);
    return response.trials_size() > 0 ? response.trials(0) : v1::Trial();
  }

  grpc::Status Complete(const v1::CompleteTrialRequest& request,
                        v1::Trial* trial) {
    grpc::ClientContext context;
    return server_->trials().CompleteTrial(&context, request, trial);
  }

  grpc::Status GetTrial(int64_t trial_id, v1::Trial* trial) {
    v1::GetTrialRequest request;
    request.set_trial_id(trial_id);
    grpc::ClientContext context;
    return server_->trials().GetTrial(&context, request, trial);
  }

  // Trials the study holds, in any state (at most a page of 1000).
  int TrialCount(int64_t study_id) {
    v1::ListTrialsRequest request;
    request.set_study_id(study_id);
    request.set_page_size(1000);
    v1::ListTrialsResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(
        server_->trials().ListTrials(&context, request, &response).ok());
    return response.trials_size();
  }

  int StudyCount() {
    v1::ListStudiesResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(server_->studies()
                    .ListStudies(&context, v1::ListStudiesRequest(), &response)
                    .ok());
    return response.studies_size();
  }

  std::unique_ptr<TestServer> server_;
};

}  // namespace knob::testing

#endif  // KNOB_TESTS_SERVER_API_API_FIXTURE_H_

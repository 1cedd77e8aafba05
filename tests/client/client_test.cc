#include "client/client.h"

#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/fake_knob_server.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::FakeKnobServer;
using ::knob::testing::IsOk;
using ::knob::testing::StatusIs;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::SizeIs;

ClientOptions FastOptions(const std::string& target) {
  ClientOptions options;
  options.target = target;
  options.call_timeout = absl::Seconds(10);
  options.retry.initial_backoff = absl::Milliseconds(1);
  options.retry.max_backoff = absl::Milliseconds(5);
  return options;
}

v1::Study CreateStudy(Client& client, const std::string& name,
                      int64_t max_trials = 0) {
  v1::CreateStudyRequest request;
  request.set_name(name);
  v1::ParameterSpec* x = request.mutable_config()->add_parameters();
  x->set_name("x");
  x->mutable_float_domain()->set_max(1);
  v1::Objective* objective = request.mutable_config()->add_objectives();
  objective->set_metric("loss");
  objective->set_direction(v1::DIRECTION_MINIMIZE);
  request.mutable_config()->mutable_stopping()->set_max_trials(max_trials);
  absl::StatusOr<v1::Study> study = client.CreateStudy(request);
  EXPECT_THAT(study, IsOk());
  return study.value_or(v1::Study());
}

class ClientTest : public ::testing::Test {
 protected:
  FakeKnobServer server_;
  Client client_{FastOptions(server_.target())};
};

TEST_F(ClientTest, RetriesUnavailableWithTheSameRequestId) {
  const v1::Study study = CreateStudy(client_, "retry");
  server_.FailNext("SuggestTrials", 2,
                   grpc::Status(grpc::StatusCode::UNAVAILABLE, "db down"));
  v1::SuggestTrialsRequest request;
  request.set_study_id(study.id());
  request.set_count(1);
  ASSERT_OK_AND_ASSIGN(v1::SuggestTrialsResponse response,
                       client_.SuggestTrials(request));
  EXPECT_THAT(response.trials(), SizeIs(1));
  const std::vector<std::string> ids = server_.RequestIds("SuggestTrials");
  ASSERT_THAT(ids, SizeIs(3));
  EXPECT_THAT(ids[0], MatchesRegex("[0-9a-f]{32}"));
  EXPECT_THAT(ids, Each(Eq(ids[0])));
}

TEST_F(ClientTest, RetriesAbortedAndKeepsTheCallersRequestId) {
  const v1::Study study = CreateStudy(client_, "aborted");
  v1::SuggestTrialsRequest suggest;
  suggest.set_study_id(study.id());
  suggest.set_count(1);
  ASSERT_OK_AND_ASSIGN(auto suggested, client_.SuggestTrials(suggest));
  server_.FailNext("CompleteTrial", 1,
                   grpc::Status(grpc::StatusCode::ABORTED, "conflict"));
  v1::CompleteTrialRequest complete;
  complete.set_trial_id(suggested.trials(0).id());
  complete.set_state(v1::TRIAL_STATE_COMPLETED);
  complete.add_values(0.5);
  complete.set_request_id("mine");
  ASSERT_OK_AND_ASSIGN(v1::Trial trial, client_.CompleteTrial(complete));
  EXPECT_EQ(trial.state(), v1::TRIAL_STATE_COMPLETED);
  EXPECT_THAT(server_.RequestIds("CompleteTrial"), ElementsAre("mine", "mine"));
}

TEST_F(ClientTest, RetriesCallsCancelledByAServerShuttingDown) {
  server_.FailNext("Heartbeat", 1,
                   grpc::Status(grpc::StatusCode::CANCELLED, "CANCELLED"));
  v1::HeartbeatRequest request;
  request.add_trial_ids(5);
  ASSERT_OK_AND_ASSIGN(v1::HeartbeatResponse response,
                       client_.Heartbeat(request));
  EXPECT_THAT(response.directives(), SizeIs(1));
  EXPECT_EQ(server_.Calls("Heartbeat"), 2);
}

TEST_F(ClientTest, EachCallGetsItsOwnRequestId) {
  const v1::Study study = CreateStudy(client_, "ids");
  v1::EnqueueTrialRequest request;
  request.set_study_id(study.id());
  (*request.mutable_parameters())["x"].set_double_value(0.5);
  ASSERT_THAT(client_.EnqueueTrial(request), IsOk());
  ASSERT_THAT(client_.EnqueueTrial(request), IsOk());
  const std::vector<std::string> ids = server_.RequestIds("EnqueueTrial");
  ASSERT_THAT(ids, SizeIs(2));
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_FALSE(ids[0].empty());
}

TEST_F(ClientTest, ReturnsOtherErrorsAtOnceWithCodeAndMessage) {
  server_.FailNext("GetStudy", 5,
                   grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                "id: must be positive, got -1"));
  EXPECT_THAT(client_.GetStudyById(-1),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("id: must be positive, got -1")));
  EXPECT_EQ(server_.Calls("GetStudy"), 1);
}

TEST_F(ClientTest, GivesUpAfterMaxAttempts) {
  ClientOptions options = FastOptions(server_.target());
  options.retry.max_attempts = 3;
  Client client(options);
  server_.FailNext("ListStudies", 10,
                   grpc::Status(grpc::StatusCode::UNAVAILABLE, "still down"));
  EXPECT_THAT(client.ListStudies({}),
              StatusIs(absl::StatusCode::kUnavailable, Eq("still down")));
  EXPECT_EQ(server_.Calls("ListStudies"), 3);
}

TEST(Client, UnreachableServerIsUnavailable) {
  ClientOptions options = FastOptions("127.0.0.1:1");
  options.retry.max_attempts = 2;
  Client client(options);
  EXPECT_THAT(client.GetStudyById(1),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("")));
}

TEST_F(ClientTest, FindStudyByIdByNameAndByDigitName) {
  const v1::Study first = CreateStudy(client_, "first");
  const v1::Study digits = CreateStudy(client_, "12345");
  ASSERT_OK_AND_ASSIGN(v1::Study by_id,
                       client_.FindStudy(std::to_string(first.id())));
  EXPECT_EQ(by_id.name(), "first");
  ASSERT_OK_AND_ASSIGN(v1::Study by_name, client_.FindStudy("first"));
  EXPECT_EQ(by_name.id(), first.id());
  ASSERT_OK_AND_ASSIGN(v1::Study by_digits, client_.FindStudy("12345"));
  EXPECT_EQ(by_digits.id(), digits.id());
  EXPECT_THAT(client_.FindStudy("777"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("777")));
  EXPECT_THAT(client_.FindStudy("nope"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("")));
}

TEST_F(ClientTest, ListAllStudiesFollowsPages) {
  for (const char* name : {"a", "b", "c", "d", "e"}) CreateStudy(client_, name);
  ASSERT_OK_AND_ASSIGN(std::vector<v1::Study> studies,
                       client_.ListAllStudies({}));
  EXPECT_THAT(studies, SizeIs(5));
  EXPECT_GE(server_.Calls("ListStudies"), 3);
}

TEST_F(ClientTest, ListAllTrialsFollowsPagesAndStopsAtTheLimit) {
  const v1::Study study = CreateStudy(client_, "paged");
  for (int i = 0; i < 7; ++i) {
    v1::EnqueueTrialRequest request;
    request.set_study_id(study.id());
    (*request.mutable_parameters())["x"].set_double_value(i / 10.0);
    ASSERT_THAT(client_.EnqueueTrial(request), IsOk());
  }
  v1::ListTrialsRequest request;
  request.set_study_id(study.id());
  ASSERT_OK_AND_ASSIGN(std::vector<v1::Trial> all,
                       client_.ListAllTrials(request));
  ASSERT_THAT(all, SizeIs(7));
  for (int i = 0; i < 7; ++i) EXPECT_EQ(all[i].number(), i);
  ASSERT_OK_AND_ASSIGN(std::vector<v1::Trial> some,
                       client_.ListAllTrials(request, 4));
  ASSERT_THAT(some, SizeIs(4));
  EXPECT_EQ(some[3].number(), 3);
}

TEST_F(ClientTest, OneClientServesManyThreads) {
  const v1::Study study = CreateStudy(client_, "shared");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        v1::SuggestTrialsRequest request;
        request.set_study_id(study.id());
        request.set_count(1);
        if (client_.SuggestTrials(request).ok()) ++ok;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 160);
  const std::vector<std::string> ids = server_.RequestIds("SuggestTrials");
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 160u);
}

}  // namespace
}  // namespace knob

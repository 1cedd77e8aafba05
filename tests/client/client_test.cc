#include "client/client.h"

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "server/storage/memory/memory_storage.h"
#include "tests/testing/direct_calls.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_server.h"

namespace knob {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::knob::testing::IsOk;
using ::knob::testing::IsOkAndHolds;
using ::knob::testing::StatusIs;
using ::knob::testing::TestServer;
using ::testing::DoubleEq;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAreArray;

ClientOptions FastOptions(const std::string& target) {
  ClientOptions options;
  options.target = target;
  options.call_timeout = absl::Seconds(10);
  options.retry.initial_backoff = absl::Milliseconds(1);
  options.retry.max_backoff = absl::Milliseconds(5);
  return options;
}

grpc::Status Unavailable(const std::string& message) {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, message);
}

// A study over x in [0, 1] minimizing "loss".
v1::CreateStudyRequest StudyRequest(const std::string& name) {
  v1::CreateStudyRequest request;
  request.set_name(name);
  v1::ParameterSpec* x = request.mutable_config()->add_parameters();
  x->set_name("x");
  x->mutable_float_domain()->set_max(1);
  v1::Objective* objective = request.mutable_config()->add_objectives();
  objective->set_metric("loss");
  objective->set_direction(v1::DIRECTION_MINIMIZE);
  return request;
}

v1::SuggestTrialsRequest SuggestOne(int64_t study_id) {
  v1::SuggestTrialsRequest request;
  request.set_study_id(study_id);
  request.set_count(1);
  return request;
}

std::vector<int64_t> Ids(const std::vector<v1::Trial>& trials) {
  std::vector<int64_t> ids;
  for (const v1::Trial& trial : trials) ids.push_back(trial.id());
  return ids;
}

// The client under test talks to the server through the fault proxy; the
// tests' own setup and checks call the server directly (direct_calls.h).
class ClientTest : public ::testing::Test {
 protected:
  v1::Study CreateStudy(const std::string& name) {
    absl::StatusOr<v1::Study> study =
        testing::CreateStudy(server_, StudyRequest(name));
    EXPECT_THAT(study, IsOk());
    return study.value_or(v1::Study());
  }

  v1::Trial StartTrial(int64_t study_id) {
    absl::StatusOr<std::vector<v1::Trial>> trials =
        testing::SuggestTrials(server_, study_id);
    EXPECT_THAT(trials, IsOkAndHolds(SizeIs(1)));
    return trials.ok() && !trials->empty() ? trials->front() : v1::Trial();
  }

  // A completion of `trial_id` with one value.
  static v1::CompleteTrialRequest Completion(int64_t trial_id, double value) {
    v1::CompleteTrialRequest complete;
    complete.set_trial_id(trial_id);
    complete.set_state(v1::TRIAL_STATE_COMPLETED);
    complete.add_values(value);
    return complete;
  }

  v1::Study StoredStudy(int64_t study_id) {
    absl::StatusOr<v1::Study> study = testing::GetStudy(server_, study_id);
    EXPECT_THAT(study, IsOk());
    return study.value_or(v1::Study());
  }

  v1::Trial StoredTrial(int64_t trial_id) {
    absl::StatusOr<v1::Trial> trial = testing::GetTrial(server_, trial_id);
    EXPECT_THAT(trial, IsOk());
    return trial.value_or(v1::Trial());
  }

  std::vector<v1::Trial> StoredTrials(int64_t study_id) {
    absl::StatusOr<std::vector<v1::Trial>> trials =
        testing::ListTrials(server_, study_id);
    EXPECT_THAT(trials, IsOk());
    return trials.value_or(std::vector<v1::Trial>());
  }

  TestServer server_{CreateMemoryStorage(), {.fault_proxy = true}};
  Client client_{FastOptions(server_.address())};
};

TEST_F(ClientTest, RetriesUnavailableWithTheSameRequestId) {
  const v1::Study study = CreateStudy("retry");
  server_.faults().FailNext("SuggestTrials", 2, Unavailable("db down"));
  ASSERT_OK_AND_ASSIGN(v1::SuggestTrialsResponse response,
                       client_.SuggestTrials(SuggestOne(study.id())));
  ASSERT_THAT(response.trials(), SizeIs(1));
  const std::vector<std::string> ids =
      server_.faults().RequestIds("SuggestTrials");
  ASSERT_THAT(ids, SizeIs(3));
  EXPECT_THAT(ids[0], MatchesRegex("[0-9a-f]{32}"));
  EXPECT_THAT(ids, Each(Eq(ids[0])));
  EXPECT_THAT(Ids(StoredTrials(study.id())),
              ElementsAre(response.trials(0).id()));
}

TEST_F(ClientTest, ASuggestionWhoseRepliesWereLostHandsOutItsTrialsOnce) {
  const v1::Study study = CreateStudy("lost-suggest");
  v1::EnqueueTrialRequest enqueue;
  enqueue.set_study_id(study.id());
  (*enqueue.mutable_parameters())["x"].set_double_value(0.5);
  ASSERT_OK_AND_ASSIGN(v1::Trial enqueued, client_.EnqueueTrial(enqueue));
  server_.faults().LoseNextReplies("SuggestTrials", 2,
                                   Unavailable("connection reset"));
  v1::SuggestTrialsRequest request = SuggestOne(study.id());
  request.set_count(2);
  ASSERT_OK_AND_ASSIGN(v1::SuggestTrialsResponse response,
                       client_.SuggestTrials(request));
  EXPECT_EQ(server_.faults().Calls("SuggestTrials"), 3);
  // The first attempt started the enqueued trial and sampled another; the
  // retries got those two back.
  const std::vector<v1::Trial> stored = StoredTrials(study.id());
  ASSERT_THAT(stored, SizeIs(2));
  EXPECT_EQ(stored[0].id(), enqueued.id());
  const std::vector<v1::Trial> returned(response.trials().begin(),
                                        response.trials().end());
  EXPECT_THAT(Ids(returned), UnorderedElementsAreArray(Ids(stored)));
  const v1::Study after = StoredStudy(study.id());
  EXPECT_EQ(after.trial_counts().running(), 2);
  EXPECT_EQ(after.trial_counts().waiting(), 0);
}

TEST_F(ClientTest, RetriesAbortedAndKeepsTheCallersRequestId) {
  const v1::Study study = CreateStudy("aborted");
  const v1::Trial trial = StartTrial(study.id());
  server_.faults().FailNext(
      "CompleteTrial", 1, grpc::Status(grpc::StatusCode::ABORTED, "conflict"));
  v1::CompleteTrialRequest complete = Completion(trial.id(), 0.5);
  complete.set_request_id("mine");
  ASSERT_OK_AND_ASSIGN(v1::Trial completed, client_.CompleteTrial(complete));
  EXPECT_EQ(completed.state(), v1::TRIAL_STATE_COMPLETED);
  EXPECT_THAT(server_.faults().RequestIds("CompleteTrial"),
              ElementsAre("mine", "mine"));
  const v1::Trial stored = StoredTrial(trial.id());
  EXPECT_EQ(stored.state(), v1::TRIAL_STATE_COMPLETED);
  EXPECT_THAT(stored.values(), ElementsAre(DoubleEq(0.5)));
}

TEST_F(ClientTest, ACompletionThatTimedOutAfterLandingIsRetriedOnce) {
  const v1::Study study = CreateStudy("timed-out-complete");
  const v1::Trial trial = StartTrial(study.id());
  server_.faults().LoseNextReplies(
      "CompleteTrial", 1,
      grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "too slow"));
  v1::CompleteTrialRequest complete = Completion(trial.id(), 0.75);
  ASSERT_OK_AND_ASSIGN(v1::Trial completed, client_.CompleteTrial(complete));
  EXPECT_EQ(server_.faults().Calls("CompleteTrial"), 2);
  EXPECT_EQ(completed.state(), v1::TRIAL_STATE_COMPLETED);
  EXPECT_THAT(StoredTrial(trial.id()).values(), ElementsAre(DoubleEq(0.75)));
}

TEST_F(ClientTest, ACompletionWhoseReplyWasLostReturnsTheTrialAsRecorded) {
  const v1::Study study = CreateStudy("lost-complete");
  const v1::Trial trial = StartTrial(study.id());
  server_.faults().LoseNextReplies("CompleteTrial", 1,
                                   Unavailable("connection reset"));
  v1::CompleteTrialRequest complete = Completion(trial.id(), 0.25);
  ASSERT_OK_AND_ASSIGN(v1::Trial completed, client_.CompleteTrial(complete));
  EXPECT_EQ(server_.faults().Calls("CompleteTrial"), 2);
  EXPECT_EQ(completed.state(), v1::TRIAL_STATE_COMPLETED);
  EXPECT_THAT(completed.values(), ElementsAre(DoubleEq(0.25)));
  // The retry got the record of the first completion, end time included.
  EXPECT_TRUE(MessageDifferencer::Equals(completed, StoredTrial(trial.id())));
  EXPECT_EQ(StoredStudy(study.id()).trial_counts().completed(), 1);
  // Another call, with an id of its own, is a second completion.
  EXPECT_THAT(client_.CompleteTrial(complete),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("is COMPLETED; cannot complete it")));
}

TEST_F(ClientTest, AnEnqueueWhoseReplyWasLostEnqueuesOnce) {
  const v1::Study study = CreateStudy("lost-enqueue");
  server_.faults().LoseNextReplies("EnqueueTrial", 1,
                                   Unavailable("connection reset"));
  v1::EnqueueTrialRequest request;
  request.set_study_id(study.id());
  (*request.mutable_parameters())["x"].set_double_value(0.5);
  ASSERT_OK_AND_ASSIGN(v1::Trial enqueued, client_.EnqueueTrial(request));
  EXPECT_EQ(server_.faults().Calls("EnqueueTrial"), 2);
  const std::vector<v1::Trial> stored = StoredTrials(study.id());
  ASSERT_THAT(stored, SizeIs(1));
  EXPECT_EQ(stored[0].id(), enqueued.id());
  EXPECT_EQ(stored[0].state(), v1::TRIAL_STATE_WAITING);
  EXPECT_DOUBLE_EQ(stored[0].parameters().at("x").double_value(), 0.5);
}

TEST_F(ClientTest, RetriesCallsCancelledByAServerShuttingDown) {
  const v1::Study study = CreateStudy("cancelled");
  const v1::Trial trial = StartTrial(study.id());
  server_.faults().FailNext(
      "Heartbeat", 1, grpc::Status(grpc::StatusCode::CANCELLED, "CANCELLED"));
  v1::HeartbeatRequest request;
  request.add_trial_ids(trial.id());
  ASSERT_OK_AND_ASSIGN(v1::HeartbeatResponse response,
                       client_.Heartbeat(request));
  ASSERT_THAT(response.directives(), SizeIs(1));
  EXPECT_EQ(response.directives(0).trial_id(), trial.id());
  EXPECT_FALSE(response.directives(0).stop());
  EXPECT_TRUE(response.directives(0).has_lease_deadline());
  EXPECT_EQ(server_.faults().Calls("Heartbeat"), 2);
}

TEST_F(ClientTest, EachCallGetsItsOwnRequestId) {
  const v1::Study study = CreateStudy("ids");
  v1::EnqueueTrialRequest request;
  request.set_study_id(study.id());
  (*request.mutable_parameters())["x"].set_double_value(0.5);
  ASSERT_THAT(client_.EnqueueTrial(request), IsOk());
  ASSERT_THAT(client_.EnqueueTrial(request), IsOk());
  const std::vector<std::string> ids =
      server_.faults().RequestIds("EnqueueTrial");
  ASSERT_THAT(ids, SizeIs(2));
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_FALSE(ids[0].empty());
  EXPECT_THAT(StoredTrials(study.id()), SizeIs(2));
}

TEST_F(ClientTest, ReturnsOtherErrorsAtOnceWithCodeAndMessage) {
  EXPECT_THAT(client_.CreateStudy(StudyRequest("has space")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("name \"has space\": contains ' ' at "
                                 "position 3")));
  EXPECT_EQ(server_.faults().Calls("CreateStudy"), 1);
  EXPECT_THAT(client_.GetStudyById(42),
              StatusIs(absl::StatusCode::kNotFound,
                       Eq("study_id: no study with id 42")));
  EXPECT_EQ(server_.faults().Calls("GetStudy"), 1);
}

TEST_F(ClientTest, GivesUpAfterMaxAttempts) {
  ClientOptions options = FastOptions(server_.address());
  options.retry.max_attempts = 3;
  Client client(options);
  server_.faults().FailNext("ListStudies", 10, Unavailable("still down"));
  EXPECT_THAT(client.ListStudies({}),
              StatusIs(absl::StatusCode::kUnavailable, Eq("still down")));
  EXPECT_EQ(server_.faults().Calls("ListStudies"), 3);
}

TEST(Client, UnreachableServerIsUnavailable) {
  ClientOptions options = FastOptions("127.0.0.1:1");
  options.retry.max_attempts = 2;
  Client client(options);
  EXPECT_THAT(client.GetStudyById(1),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("")));
}

TEST_F(ClientTest, FindStudyByIdByNameAndByDigitName) {
  const v1::Study first = CreateStudy("first");
  const v1::Study digits = CreateStudy("12345");
  ASSERT_OK_AND_ASSIGN(v1::Study by_id,
                       client_.FindStudy(std::to_string(first.id())));
  EXPECT_EQ(by_id.name(), "first");
  ASSERT_OK_AND_ASSIGN(v1::Study by_name, client_.FindStudy("first"));
  EXPECT_EQ(by_name.id(), first.id());
  ASSERT_OK_AND_ASSIGN(v1::Study by_digits, client_.FindStudy("12345"));
  EXPECT_EQ(by_digits.id(), digits.id());
  EXPECT_THAT(client_.FindStudy("777"),
              StatusIs(absl::StatusCode::kNotFound,
                       Eq("no study has id or name \"777\"")));
  EXPECT_THAT(client_.FindStudy("nope"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("\"nope\"")));
}

TEST_F(ClientTest, ListAllStudiesFollowsPages) {
  for (const char* name : {"a", "b", "c", "d", "e"}) CreateStudy(name);
  v1::ListStudiesRequest request;
  request.set_page_size(2);
  ASSERT_OK_AND_ASSIGN(std::vector<v1::Study> studies,
                       client_.ListAllStudies(request));
  std::vector<std::string> names;
  for (const v1::Study& study : studies) names.push_back(study.name());
  EXPECT_THAT(names, ElementsAre("a", "b", "c", "d", "e"));
  EXPECT_EQ(server_.faults().Calls("ListStudies"), 3);
}

TEST_F(ClientTest, ListAllTrialsFollowsPagesAndStopsAtTheLimit) {
  const v1::Study study = CreateStudy("paged");
  for (int i = 0; i < 7; ++i) {
    v1::EnqueueTrialRequest request;
    request.set_study_id(study.id());
    (*request.mutable_parameters())["x"].set_double_value(i / 10.0);
    ASSERT_THAT(client_.EnqueueTrial(request), IsOk());
  }
  v1::ListTrialsRequest request;
  request.set_study_id(study.id());
  request.set_page_size(3);
  ASSERT_OK_AND_ASSIGN(std::vector<v1::Trial> all,
                       client_.ListAllTrials(request));
  ASSERT_THAT(all, SizeIs(7));
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(all[i].number(), i);
    EXPECT_DOUBLE_EQ(all[i].parameters().at("x").double_value(), i / 10.0);
  }
  EXPECT_EQ(server_.faults().Calls("ListTrials"), 3);
  ASSERT_OK_AND_ASSIGN(std::vector<v1::Trial> some,
                       client_.ListAllTrials(request, 4));
  ASSERT_THAT(some, SizeIs(4));
  EXPECT_EQ(some[3].number(), 3);
  EXPECT_EQ(server_.faults().Calls("ListTrials"), 5);
}

TEST_F(ClientTest, OneClientServesManyThreads) {
  const v1::Study study = CreateStudy("shared");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        if (client_.SuggestTrials(SuggestOne(study.id())).ok()) ++ok;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 160);
  const std::vector<std::string> ids =
      server_.faults().RequestIds("SuggestTrials");
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 160u);
  const std::vector<v1::Trial> stored = StoredTrials(study.id());
  ASSERT_THAT(stored, SizeIs(160));
  for (int i = 0; i < 160; ++i) {
    EXPECT_EQ(stored[i].number(), i);
    EXPECT_EQ(stored[i].state(), v1::TRIAL_STATE_RUNNING);
  }
}

}  // namespace
}  // namespace knob

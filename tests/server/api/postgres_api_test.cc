// The API suites over PostgreSQL storage, each test in a database of its
// own, and what only PostgreSQL storage does.
#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
#include "tests/server/api/api_fixture.h"
#include "tests/server/storage/postgres/test_database.h"

namespace knob::testing {
namespace {

const StorageParam kPostgres{"Postgres", [] { return NewTestStorage(); }};

INSTANTIATE_TEST_SUITE_P(Postgres, ApiTest, ::testing::Values(kPostgres),
                         [](const auto& info) { return info.param.name; });

// Concurrent suggestions of a study share a transaction, whose new trials
// PostgreSQL storage writes when it commits. One it cannot store (jsonb
// holds no NUL) must fail alone, not take its group down with it.
TEST(PostgresApiTest, AnUnstorableSuggestionFailsAloneAmongConcurrentOnes) {
  std::unique_ptr<Storage> storage = NewTestStorage();
  ASSERT_NE(storage, nullptr);
  TestServer server(std::move(storage));
  v1::Study study;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(
        server.studies()
            .CreateStudy(&context, BasicStudyRequest("concurrent"), &study)
            .ok());
  }
  constexpr int kCalls = 24;
  constexpr int kUnstorable = 11;
  std::vector<grpc::Status> statuses(kCalls);
  std::vector<v1::SuggestTrialsResponse> responses(kCalls);
  absl::Barrier* start = new absl::Barrier(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      v1::SuggestTrialsRequest request;
      request.set_study_id(study.id());
      request.set_count(1);
      request.set_worker_id(absl::StrCat("worker-", i));
      if (i == kUnstorable) {
        (*request.mutable_environment())["host"] = std::string("a\0b", 3);
      }
      if (start->Block()) delete start;
      grpc::ClientContext context;
      statuses[i] =
          server.trials().SuggestTrials(&context, request, &responses[i]);
    });
  }
  for (std::thread& thread : threads) thread.join();

  std::vector<int64_t> numbers;
  for (int i = 0; i < kCalls; ++i) {
    SCOPED_TRACE(::testing::Message() << "call " << i);
    if (i == kUnstorable) {
      EXPECT_EQ(statuses[i].error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << statuses[i].error_message();
      continue;
    }
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    ASSERT_EQ(responses[i].trials_size(), 1);
    numbers.push_back(responses[i].trials(0).number());
  }
  // Every other call got a trial of its own, numbered without gaps.
  std::sort(numbers.begin(), numbers.end());
  for (size_t i = 0; i < numbers.size(); ++i) {
    EXPECT_EQ(numbers[i], static_cast<int64_t>(i));
  }
  v1::ListTrialsRequest list;
  list.set_study_id(study.id());
  list.set_page_size(100);
  v1::ListTrialsResponse listed;
  grpc::ClientContext context;
  ASSERT_TRUE(server.trials().ListTrials(&context, list, &listed).ok());
  EXPECT_EQ(listed.trials_size(), kCalls - 1);
}

}  // namespace
}  // namespace knob::testing

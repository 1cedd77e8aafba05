// Concurrent calls of a study share one transaction, whose new trials
// PostgreSQL storage writes at its end. A call whose data PostgreSQL
// refuses must fail alone, not take the calls it was grouped with down
// with it. The API refuses such text at its edge (request_strings.h), so
// this drives the Tuner directly, as a future unstorable input would.
#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
#include "gtest/gtest.h"
#include "server/core/tuner.h"
#include "server/util/clock.h"
#include "tests/server/storage/postgres/test_database.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {
namespace {

TEST(PostgresGroupTest, AnUnstorableSuggestionFailsAloneAmongConcurrentOnes) {
  std::unique_ptr<Storage> storage = NewTestStorage();
  ASSERT_NE(storage, nullptr);
  SamplerRegistry samplers;
  PrunerRegistry pruners;
  Tuner tuner(*storage, samplers, pruners, Clock::Real(), TunerOptions{});
  StudyConfig config;
  config.parameters.push_back({"x", FloatDomain{-5, 5, false, std::nullopt}});
  config.objectives.push_back({"loss", Direction::kMinimize});
  ASSERT_OK_AND_ASSIGN(
      StudyInfo study,
      tuner.CreateStudy({"concurrent", config, false, false, {}}));

  constexpr int kCalls = 24;
  constexpr int kUnstorable = 11;
  std::vector<absl::StatusOr<SuggestResult>> results(
      kCalls, absl::UnknownError("not run"));
  absl::Barrier* start = new absl::Barrier(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      SuggestInput input{study.study.id, 1, absl::StrCat("worker-", i), "", {}};
      // jsonb holds no NUL character.
      if (i == kUnstorable) input.environment["host"] = std::string("a\0b", 3);
      if (start->Block()) delete start;
      results[i] = tuner.Suggest(input);
    });
  }
  for (std::thread& thread : threads) thread.join();

  std::vector<int64_t> numbers;
  for (int i = 0; i < kCalls; ++i) {
    SCOPED_TRACE(::testing::Message() << "call " << i);
    if (i == kUnstorable) {
      EXPECT_EQ(results[i].status().code(), absl::StatusCode::kInvalidArgument)
          << results[i].status();
      continue;
    }
    ASSERT_OK(results[i]);
    ASSERT_EQ(results[i]->trials.size(), 1u);
    numbers.push_back(results[i]->trials[0].number);
  }
  // Every other call got a trial of its own, numbered without gaps, and
  // the study holds those trials only.
  std::sort(numbers.begin(), numbers.end());
  for (size_t i = 0; i < numbers.size(); ++i) {
    EXPECT_EQ(numbers[i], static_cast<int64_t>(i));
  }
  TrialQuery query;
  query.study_id = study.study.id;
  ASSERT_OK_AND_ASSIGN(Page<Trial> stored, storage->ListTrials(query));
  EXPECT_EQ(stored.items.size(), static_cast<size_t>(kCalls - 1));
}

}  // namespace
}  // namespace knob::testing

// Reading trials outside transactions: by id, and listed with filters and
// pages.
#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/storage/storage_conformance.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::Not;

// Every page of `query` (from its token on) and the size of each.
struct Listing {
  std::vector<Trial> trials;
  std::vector<size_t> page_sizes;
};

absl::StatusOr<Listing> ListAllPages(Storage& storage, TrialQuery query) {
  Listing listing;
  do {
    absl::StatusOr<Page<Trial>> page = storage.ListTrials(query);
    if (!page.ok()) return page.status();
    listing.page_sizes.push_back(page->items.size());
    for (Trial& trial : page->items) listing.trials.push_back(trial);
    query.page_token = page->next_page_token;
    if (listing.page_sizes.size() > 100) {
      return absl::InternalError("paging does not end");
    }
  } while (!query.page_token.empty());
  return listing;
}

std::vector<int64_t> Range(int64_t from, int64_t to, int64_t stride = 1) {
  std::vector<int64_t> numbers;
  for (int64_t n = from; n < to; n += stride) numbers.push_back(n);
  return numbers;
}

TEST_P(StorageConformanceTest, GetTrialAndStudyOfTrial) {
  ASSERT_OK_AND_ASSIGN(Study a, CreateStudy("a"));
  ASSERT_OK_AND_ASSIGN(Study b, CreateStudy("b"));
  ASSERT_OK_AND_ASSIGN(Trial in_a,
                       CreateTrial(a.id, RunningTrial("w", At(60)), At(1)));
  ASSERT_OK_AND_ASSIGN(Trial in_b, CreateTrial(b.id, WaitingTrial(1), At(2)));
  ASSERT_OK_AND_ASSIGN(Trial got_a, storage_->GetTrial(in_a.id));
  ExpectSameTrial(got_a, in_a);
  ASSERT_OK_AND_ASSIGN(Trial got_b, storage_->GetTrial(in_b.id));
  ExpectSameTrial(got_b, in_b);
  EXPECT_THAT(storage_->StudyOfTrial(in_a.id), IsOkAndHolds(a.id));
  EXPECT_THAT(storage_->StudyOfTrial(in_b.id), IsOkAndHolds(b.id));

  const int64_t unknown = in_b.id + kUnknownId;
  EXPECT_THAT(storage_->GetTrial(unknown),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(storage_->StudyOfTrial(unknown),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST_P(StorageConformanceTest, ListTrialsPagesByNumber) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(Study other, CreateStudy("other"));
  ASSERT_OK(CreateTrial(other.id, WaitingTrial(0), At(1)).status());
  std::vector<Trial> created;
  for (int batch = 0; batch < 5; ++batch) {
    ASSERT_OK_AND_ASSIGN(
        std::vector<Trial> trials,
        CreateTrials(study.id, std::vector<NewTrial>(5, WaitingTrial(batch)),
                     At(batch)));
    created.insert(created.end(), trials.begin(), trials.end());
  }
  TrialQuery query;
  query.study_id = study.id;
  query.page_size = 10;
  ASSERT_OK_AND_ASSIGN(Listing listing, ListAllPages(*storage_, query));
  EXPECT_THAT(listing.page_sizes, ElementsAre(10, 10, 5));
  ExpectSameTrials(listing.trials, created);

  query.page_size = 5;
  ASSERT_OK_AND_ASSIGN(listing, ListAllPages(*storage_, query));
  EXPECT_THAT(listing.page_sizes, ElementsAre(5, 5, 5, 5, 5));
  EXPECT_THAT(NumbersOf(listing.trials), ElementsAreArray(Range(0, 25)));

  query.page_size = 25;
  ASSERT_OK_AND_ASSIGN(Page<Trial> whole, storage_->ListTrials(query));
  EXPECT_EQ(whole.items.size(), 25u);
  EXPECT_THAT(whole.next_page_token, IsEmpty());
}

TEST_P(StorageConformanceTest, ListTrialsFiltersByStates) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  std::vector<NewTrial> new_trials;
  for (int i = 0; i < 12; ++i) {
    new_trials.push_back(i % 3 == 0 ? WaitingTrial(i)
                                    : RunningTrial("w", At(60)));
  }
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> trials,
                       CreateTrials(study.id, new_trials, At(1)));
  TrialOutcome failed;
  failed.state = TrialState::kFailed;
  for (int number : {1, 5}) {
    ASSERT_OK(Finish(trials[number], {}, At(2)).status());
  }
  ASSERT_OK(Finish(trials[8], failed, At(2)).status());

  TrialQuery query;
  query.study_id = study.id;
  query.page_size = 2;
  query.states = {TrialState::kWaiting};
  ASSERT_OK_AND_ASSIGN(Listing listing, ListAllPages(*storage_, query));
  EXPECT_THAT(NumbersOf(listing.trials), ElementsAre(0, 3, 6, 9));
  EXPECT_THAT(listing.page_sizes, ElementsAre(2, 2));

  query.states = {TrialState::kFailed, TrialState::kCompleted};
  ASSERT_OK_AND_ASSIGN(listing, ListAllPages(*storage_, query));
  EXPECT_THAT(NumbersOf(listing.trials), ElementsAre(1, 5, 8));

  query.states = {TrialState::kRunning};
  ASSERT_OK_AND_ASSIGN(listing, ListAllPages(*storage_, query));
  EXPECT_THAT(NumbersOf(listing.trials), ElementsAre(2, 4, 7, 10, 11));
  for (const Trial& trial : listing.trials) {
    EXPECT_EQ(TrialStateName(trial.state),
              TrialStateName(TrialState::kRunning));
  }

  query.states = {TrialState::kPruned, TrialState::kStale};
  ASSERT_OK_AND_ASSIGN(Page<Trial> none, storage_->ListTrials(query));
  EXPECT_THAT(none.items, IsEmpty());
  EXPECT_THAT(none.next_page_token, IsEmpty());
}

TEST_P(StorageConformanceTest, ListTrialsChangedSince) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK_AND_ASSIGN(
      std::vector<Trial> trials,
      CreateTrials(study.id,
                   std::vector<NewTrial>(10, RunningTrial("w", At(60))),
                   At(1)));
  for (int number : {7, 2, 9, 4}) {
    ASSERT_OK(Finish(trials[number], {}, At(2)).status());
  }
  ASSERT_OK(CreateTrial(study.id, WaitingTrial(1), At(3)).status());

  TrialQuery query;
  query.study_id = study.id;
  query.changed_since = 1;
  query.page_size = 2;
  ASSERT_OK_AND_ASSIGN(Listing listing, ListAllPages(*storage_, query));
  EXPECT_THAT(NumbersOf(listing.trials), ElementsAre(2, 4, 7, 9, 10));
  EXPECT_THAT(listing.page_sizes, ElementsAre(2, 2, 1));
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> in_transaction,
                       ChangedSince(study.id, 1));
  ExpectSameTrials(listing.trials, in_transaction);

  query.changed_since = 3;
  ASSERT_OK_AND_ASSIGN(listing, ListAllPages(*storage_, query));
  EXPECT_THAT(NumbersOf(listing.trials), ElementsAre(4, 9, 10));

  query.states = {TrialState::kCompleted};
  ASSERT_OK_AND_ASSIGN(listing, ListAllPages(*storage_, query));
  EXPECT_THAT(NumbersOf(listing.trials), ElementsAre(4, 9));

  query.states.clear();
  query.changed_since = 6;
  ASSERT_OK_AND_ASSIGN(Page<Trial> none, storage_->ListTrials(query));
  EXPECT_THAT(none.items, IsEmpty());
  EXPECT_THAT(none.next_page_token, IsEmpty());
}

TEST_P(StorageConformanceTest, ListTrialsOfAStudyWithoutTrials) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  TrialQuery query;
  query.study_id = study.id;
  ASSERT_OK_AND_ASSIGN(Page<Trial> page, storage_->ListTrials(query));
  EXPECT_THAT(page.items, IsEmpty());
  EXPECT_THAT(page.next_page_token, IsEmpty());
}

TEST_P(StorageConformanceTest, ListTrialsRejectsBadQueries) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK(
      CreateTrials(study.id, std::vector<NewTrial>(3, WaitingTrial(1)), At(1))
          .status());
  TrialQuery query;
  query.study_id = study.id;
  query.page_size = 1;
  ASSERT_OK_AND_ASSIGN(Page<Trial> first, storage_->ListTrials(query));
  ASSERT_THAT(first.next_page_token, Not(IsEmpty()));

  query.page_token = "garbage!";
  EXPECT_THAT(storage_->ListTrials(query),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  query.page_token = "";
  query.page_size = 0;
  EXPECT_THAT(storage_->ListTrials(query),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  query.page_size = 1;
  query.study_id = study.id + kUnknownId;
  EXPECT_THAT(storage_->ListTrials(query),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

}  // namespace
}  // namespace knob::testing

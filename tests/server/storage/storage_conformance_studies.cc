// Studies: create, read back exactly, list, delete.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <variant>
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

TEST_P(StorageConformanceTest, CreateStudyStartsRunningWithNoTrials) {
  const std::map<std::string, std::string> metadata = {{"owner", "ana"}};
  ASSERT_OK_AND_ASSIGN(Study study, storage_->CreateStudy(
                                        "mnist", SmallConfig(), metadata, kT0));
  EXPECT_GT(study.id, 0);
  EXPECT_EQ(study.name, "mnist");
  EXPECT_EQ(StudyStateName(study.state), StudyStateName(StudyState::kRunning));
  EXPECT_EQ(study.state_reason, "");
  EXPECT_EQ(study.metadata, metadata);
  EXPECT_EQ(study.create_time, kT0);
  EXPECT_EQ(study.update_time, kT0);
  EXPECT_EQ(study.sequence, 0);
  EXPECT_EQ(study.next_trial_number, 0);
  ExpectSameConfig(study.config, SmallConfig());

  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  ExpectSameStudy(stored, study);
  ASSERT_OK_AND_ASSIGN(TrialCounts counts, storage_->CountTrials(study.id));
  EXPECT_TRUE(counts == TrialCounts{});
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> trials, AllTrials(study.id));
  EXPECT_THAT(trials, IsEmpty());
}

TEST_P(StorageConformanceTest, CreateStudyGivesFreshIds) {
  ASSERT_OK_AND_ASSIGN(Study a, CreateStudy("a"));
  ASSERT_OK_AND_ASSIGN(Study b, CreateStudy("b"));
  EXPECT_NE(a.id, b.id);
  ASSERT_OK_AND_ASSIGN(Study stored_b, storage_->GetStudy(b.id));
  EXPECT_EQ(stored_b.name, "b");
}

TEST_P(StorageConformanceTest, CreateStudyRejectsATakenName) {
  ASSERT_OK_AND_ASSIGN(Study original, CreateStudy("taken"));
  EXPECT_THAT(storage_->CreateStudy("taken", FullConfig(), {}, At(5)),
              StatusIs(absl::StatusCode::kAlreadyExists, Not(IsEmpty())));

  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudyByName("taken"));
  ExpectSameStudy(stored, original);
  ASSERT_OK_AND_ASSIGN(Page<Study> page, storage_->ListStudies({}));
  EXPECT_EQ(page.items.size(), 1u);
}

TEST_P(StorageConformanceTest, ConfigRoundTripsExactly) {
  const StudyConfig config = FullConfig();
  ASSERT_OK_AND_ASSIGN(Study created,
                       storage_->CreateStudy("full", config, {}, kT0));
  ExpectSameConfig(created.config, config);

  ASSERT_OK_AND_ASSIGN(Study by_id, storage_->GetStudy(created.id));
  ExpectSameConfig(by_id.config, config);
  ASSERT_OK_AND_ASSIGN(Study by_name, storage_->GetStudyByName("full"));
  ExpectSameConfig(by_name.config, config);
  ASSERT_OK_AND_ASSIGN(Page<Study> page, storage_->ListStudies({}));
  ASSERT_EQ(page.items.size(), 1u);
  ExpectSameConfig(page.items[0].config, config);
  ASSERT_OK(storage_->Transact(created.id, [&](StudyTransaction& txn) {
    ExpectSameConfig(txn.study().config, config);
    return absl::OkStatus();
  }));
}

TEST_P(StorageConformanceTest, SeedsRoundTripOverTheWholeRange) {
  const std::vector<uint64_t> seeds = {0, 1, uint64_t{1} << 63,
                                       (uint64_t{1} << 63) - 1,
                                       std::numeric_limits<uint64_t>::max()};
  for (uint64_t seed : seeds) {
    StudyConfig config = SmallConfig();
    config.seed = seed;
    const std::string name = "seed-" + std::to_string(seed);
    ASSERT_OK_AND_ASSIGN(Study created,
                         storage_->CreateStudy(name, config, {}, kT0));
    ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(created.id));
    EXPECT_EQ(stored.config.seed, seed);
  }
}

TEST_P(StorageConformanceTest, UnsetOptionalsStayUnset) {
  StudyConfig config = SmallConfig();
  config.extra_metrics.clear();
  config.stopping = {};
  ASSERT_OK_AND_ASSIGN(Study created,
                       storage_->CreateStudy("bare", config, {}, kT0));
  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(created.id));
  EXPECT_EQ(stored.config.stopping.max_trials, std::nullopt);
  EXPECT_EQ(stored.config.stopping.max_failed_trials, std::nullopt);
  EXPECT_EQ(stored.config.stopping.max_wall_time, std::nullopt);
  ASSERT_EQ(stored.config.parameters.size(), 1u);
  EXPECT_EQ(stored.config.parameters[0].condition, std::nullopt);
  const auto& domain =
      std::get<FloatDomain>(stored.config.parameters[0].domain);
  EXPECT_EQ(domain.step, std::nullopt);
  ExpectSameConfig(stored.config, config);
}

TEST_P(StorageConformanceTest, MetadataRoundTrips) {
  const std::map<std::string, std::string> metadata = {
      {"owner", "ana"},
      {"note", "λ-sweep, \"quoted\", 'single' ✓"},
      {"empty", ""},
      {"team/area", "vision"}};
  ASSERT_OK_AND_ASSIGN(
      Study with, storage_->CreateStudy("with", SmallConfig(), metadata, kT0));
  ASSERT_OK_AND_ASSIGN(Study without, CreateStudy("without"));
  ASSERT_OK_AND_ASSIGN(Study stored_with, storage_->GetStudy(with.id));
  EXPECT_EQ(stored_with.metadata, metadata);
  ASSERT_OK_AND_ASSIGN(Study stored_without, storage_->GetStudy(without.id));
  EXPECT_THAT(stored_without.metadata, IsEmpty());
}

TEST_P(StorageConformanceTest, GetStudyByNameFindsOnlyThatName) {
  ASSERT_OK_AND_ASSIGN(Study a, CreateStudy("alpha"));
  ASSERT_OK_AND_ASSIGN(Study b, CreateStudy("beta"));
  ASSERT_OK_AND_ASSIGN(Study found, storage_->GetStudyByName("beta"));
  EXPECT_EQ(found.id, b.id);
  ASSERT_OK_AND_ASSIGN(found, storage_->GetStudyByName("alpha"));
  EXPECT_EQ(found.id, a.id);
  EXPECT_THAT(storage_->GetStudyByName("Alpha"),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(storage_->GetStudyByName(""),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST_P(StorageConformanceTest, UnknownStudyIsNotFoundEverywhere) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("known"));
  const int64_t unknown = study.id + kUnknownId;
  const auto kNotFound = StatusIs(absl::StatusCode::kNotFound, ::testing::_);
  EXPECT_THAT(storage_->GetStudy(unknown), kNotFound);
  EXPECT_THAT(storage_->GetStudyByName("unknown"), kNotFound);
  EXPECT_THAT(storage_->CountTrials(unknown), kNotFound);
  EXPECT_THAT(storage_->DeleteStudy(unknown), kNotFound);
  TrialQuery query;
  query.study_id = unknown;
  EXPECT_THAT(storage_->ListTrials(query), kNotFound);
  bool called = false;
  EXPECT_THAT(storage_->Transact(unknown,
                                 [&](StudyTransaction&) {
                                   called = true;
                                   return absl::OkStatus();
                                 }),
              kNotFound);
  EXPECT_FALSE(called);
}

TEST_P(StorageConformanceTest, ListStudiesPagesInIdOrder) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 7; ++i) {
    ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s" + std::to_string(i)));
    ids.push_back(study.id);
  }
  std::sort(ids.begin(), ids.end());

  StudyQuery query;
  query.page_size = 3;
  std::vector<int64_t> listed;
  std::vector<size_t> page_sizes;
  do {
    ASSERT_OK_AND_ASSIGN(Page<Study> page, storage_->ListStudies(query));
    page_sizes.push_back(page.items.size());
    for (const Study& study : page.items) listed.push_back(study.id);
    query.page_token = page.next_page_token;
    ASSERT_LE(page_sizes.size(), 10u) << "paging does not end";
  } while (!query.page_token.empty());
  EXPECT_THAT(page_sizes, ElementsAre(3, 3, 1));
  EXPECT_THAT(listed, ElementsAreArray(ids));
}

TEST_P(StorageConformanceTest, ListStudiesEndsWithAFullLastPage) {
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK(CreateStudy("s" + std::to_string(i)).status());
  }
  StudyQuery query;
  query.page_size = 2;
  ASSERT_OK_AND_ASSIGN(Page<Study> first, storage_->ListStudies(query));
  EXPECT_EQ(first.items.size(), 2u);
  ASSERT_THAT(first.next_page_token, Not(IsEmpty()));
  query.page_token = first.next_page_token;
  ASSERT_OK_AND_ASSIGN(Page<Study> second, storage_->ListStudies(query));
  EXPECT_EQ(second.items.size(), 2u);
  EXPECT_THAT(second.next_page_token, IsEmpty());

  query = {};
  query.page_size = 4;
  ASSERT_OK_AND_ASSIGN(Page<Study> whole, storage_->ListStudies(query));
  EXPECT_EQ(whole.items.size(), 4u);
  EXPECT_THAT(whole.next_page_token, IsEmpty());
}

TEST_P(StorageConformanceTest, ListStudiesOfAnEmptyStorage) {
  ASSERT_OK_AND_ASSIGN(Page<Study> page, storage_->ListStudies({}));
  EXPECT_THAT(page.items, IsEmpty());
  EXPECT_THAT(page.next_page_token, IsEmpty());
}

TEST_P(StorageConformanceTest, ListStudiesFiltersByStateAcrossPages) {
  std::vector<int64_t> paused;
  for (int i = 0; i < 6; ++i) {
    ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s" + std::to_string(i)));
    if (i % 2 == 1) continue;
    ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
      return txn.SetStudyState(StudyState::kPaused, "maintenance", At(1));
    }));
    paused.push_back(study.id);
  }
  StudyQuery query;
  query.state = StudyState::kPaused;
  query.page_size = 1;
  std::vector<int64_t> listed;
  do {
    ASSERT_OK_AND_ASSIGN(Page<Study> page, storage_->ListStudies(query));
    ASSERT_LE(page.items.size(), 1u);
    for (const Study& study : page.items) {
      EXPECT_EQ(StudyStateName(study.state),
                StudyStateName(StudyState::kPaused));
      EXPECT_EQ(study.state_reason, "maintenance");
      listed.push_back(study.id);
    }
    query.page_token = page.next_page_token;
    ASSERT_LE(listed.size(), 10u) << "paging does not end";
  } while (!query.page_token.empty());
  EXPECT_THAT(listed, ElementsAreArray(paused));

  query = {};
  query.state = StudyState::kCompleted;
  ASSERT_OK_AND_ASSIGN(Page<Study> none, storage_->ListStudies(query));
  EXPECT_THAT(none.items, IsEmpty());
  query.state = StudyState::kRunning;
  ASSERT_OK_AND_ASSIGN(Page<Study> running, storage_->ListStudies(query));
  EXPECT_EQ(running.items.size(), 3u);
}

TEST_P(StorageConformanceTest, ListStudiesRejectsBadQueries) {
  ASSERT_OK(CreateStudy("s").status());
  StudyQuery query;
  query.page_token = "not a page token";
  EXPECT_THAT(storage_->ListStudies(query),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  query.page_token = "";
  query.page_size = 0;
  EXPECT_THAT(storage_->ListStudies(query),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

TEST_P(StorageConformanceTest, DeleteStudyRemovesItAndItsTrials) {
  ASSERT_OK_AND_ASSIGN(Study doomed, CreateStudy("doomed"));
  ASSERT_OK_AND_ASSIGN(Study kept, CreateStudy("kept"));
  ASSERT_OK_AND_ASSIGN(
      std::vector<Trial> doomed_trials,
      CreateTrials(doomed.id, {RunningTrial("w", At(60)), WaitingTrial(1)},
                   At(1)));
  ASSERT_OK_AND_ASSIGN(Trial kept_trial,
                       CreateTrial(kept.id, RunningTrial("w", At(60)), At(1)));

  ASSERT_OK(storage_->DeleteStudy(doomed.id));

  const auto kNotFound = StatusIs(absl::StatusCode::kNotFound, ::testing::_);
  EXPECT_THAT(storage_->GetStudy(doomed.id), kNotFound);
  EXPECT_THAT(storage_->GetStudyByName("doomed"), kNotFound);
  EXPECT_THAT(storage_->CountTrials(doomed.id), kNotFound);
  EXPECT_THAT(storage_->DeleteStudy(doomed.id), kNotFound);
  EXPECT_THAT(
      storage_->Transact(doomed.id,
                         [](StudyTransaction&) { return absl::OkStatus(); }),
      kNotFound);
  for (const Trial& trial : doomed_trials) {
    EXPECT_THAT(storage_->GetTrial(trial.id), kNotFound);
    EXPECT_THAT(storage_->StudyOfTrial(trial.id), kNotFound);
  }
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> expired,
                       storage_->StudiesWithExpiredLeases(At(3600)));
  EXPECT_THAT(expired, ElementsAre(kept.id));

  ASSERT_OK_AND_ASSIGN(Page<Study> page, storage_->ListStudies({}));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].id, kept.id);
  ASSERT_OK_AND_ASSIGN(Trial still_there, storage_->GetTrial(kept_trial.id));
  ExpectSameTrial(still_there, kept_trial);
}

TEST_P(StorageConformanceTest, DeletedStudyNameCanBeReused) {
  ASSERT_OK_AND_ASSIGN(Study first, CreateStudy("again"));
  ASSERT_OK(CreateTrial(first.id, WaitingTrial(1), At(1)).status());
  ASSERT_OK(storage_->DeleteStudy(first.id));
  ASSERT_OK_AND_ASSIGN(Study second, CreateStudy("again"));
  EXPECT_NE(second.id, first.id);
  EXPECT_EQ(second.sequence, 0);
  EXPECT_EQ(second.next_trial_number, 0);
  ASSERT_OK_AND_ASSIGN(Study by_name, storage_->GetStudyByName("again"));
  EXPECT_EQ(by_name.id, second.id);
  ASSERT_OK_AND_ASSIGN(Trial trial,
                       CreateTrial(second.id, WaitingTrial(2), At(2)));
  EXPECT_EQ(trial.number, 0);
}

}  // namespace
}  // namespace knob::testing

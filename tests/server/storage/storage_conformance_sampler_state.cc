// The sampler state stored with a study: any bytes, written in a study
// transaction with the trials sampled from it, read back with the study.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/util/status_macros.h"
#include "tests/server/storage/storage_conformance.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {
namespace {

using ::testing::IsEmpty;

// Every byte value, NUL and bytes that are not UTF-8 included, plus text
// that an escaping bug would mangle.
std::string AwkwardBytes() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  bytes += std::string("\0\0\xff\xfe", 4);
  bytes += "\\x00 '' \\\\ E'\\n' NULL";
  return bytes;
}

// `size` bytes of fixed pseudo-random content.
std::string RandomBytes(size_t size) {
  std::mt19937_64 rng(20240601);
  std::string bytes(size, '\0');
  for (char& byte : bytes) byte = static_cast<char>(rng() & 0xff);
  return bytes;
}

absl::Status StoreSamplerState(Storage& storage, int64_t study_id,
                               const std::string& state) {
  return storage.Transact(study_id, [&](StudyTransaction& txn) {
    return txn.SetSamplerState(state);
  });
}

TEST_P(StorageConformanceTest, NewStudyHasNoSamplerState) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  EXPECT_THAT(study.sampler_state, IsEmpty());
  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  EXPECT_THAT(stored.sampler_state, IsEmpty());
}

TEST_P(StorageConformanceTest, SamplerStateRoundTripsAnyBytes) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  const std::string state = AwkwardBytes();
  ASSERT_OK(StoreSamplerState(*storage_, study.id, state));

  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  EXPECT_EQ(stored.sampler_state, state);
  ASSERT_OK_AND_ASSIGN(Study by_name, storage_->GetStudyByName("s"));
  EXPECT_EQ(by_name.sampler_state, state);
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    EXPECT_EQ(txn.study().sampler_state, state);
    return absl::OkStatus();
  }));
}

TEST_P(StorageConformanceTest, SetSamplerStateIsAChangeButNotAnUpdate) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    RETURN_IF_ERROR(txn.SetSamplerState("v1"));
    // The snapshot stays the one the transaction started from.
    EXPECT_THAT(txn.study().sampler_state, IsEmpty());
    return absl::OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  EXPECT_EQ(stored.sampler_state, "v1");
  EXPECT_EQ(stored.sequence, 1);
  EXPECT_EQ(stored.update_time, kT0);
  EXPECT_EQ(StudyStateName(stored.state), StudyStateName(StudyState::kRunning));
  EXPECT_THAT(ChangedSince(study.id, 0), IsOkAndHolds(IsEmpty()));

  ASSERT_OK(StoreSamplerState(*storage_, study.id, "v2"));
  ASSERT_OK_AND_ASSIGN(stored, storage_->GetStudy(study.id));
  EXPECT_EQ(stored.sampler_state, "v2");
  EXPECT_EQ(stored.sequence, 2);
}

TEST_P(StorageConformanceTest, SamplerStateCommitsWithTheSampledTrials) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK(CreateTrial(study.id, WaitingTrial(1), At(1)).status());
  Trial sampled;
  ASSERT_OK(
      storage_->Transact(study.id, [&](StudyTransaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(sampled,
                         txn.CreateTrial(RunningTrial("w", At(60)), At(2)));
        return txn.SetSamplerState("after trial 1");
      }));
  EXPECT_EQ(sampled.sequence, 2);
  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  EXPECT_EQ(stored.sampler_state, "after trial 1");
  EXPECT_EQ(stored.sequence, 2);
  EXPECT_EQ(stored.next_trial_number, 2);
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> changed, ChangedSince(study.id, 1));
  ExpectSameTrials(changed, {sampled});
}

TEST_P(StorageConformanceTest, EmptySamplerStateClearsIt) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK(StoreSamplerState(*storage_, study.id, "something"));
  ASSERT_OK(StoreSamplerState(*storage_, study.id, ""));
  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  EXPECT_THAT(stored.sampler_state, IsEmpty());
  EXPECT_EQ(stored.sequence, 2);
}

TEST_P(StorageConformanceTest, RolledBackSamplerStateIsDiscarded) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK(StoreSamplerState(*storage_, study.id, "committed"));
  const absl::Status failure = absl::AbortedError("try again");
  EXPECT_EQ(
      storage_->Transact(
          study.id,
          [&](StudyTransaction& txn) -> absl::Status {
            RETURN_IF_ERROR(
                txn.CreateTrial(RunningTrial("w", At(60)), At(1)).status());
            RETURN_IF_ERROR(txn.SetSamplerState("uncommitted"));
            return failure;
          }),
      failure);
  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  EXPECT_EQ(stored.sampler_state, "committed");
  EXPECT_EQ(stored.sequence, 1);
  EXPECT_EQ(stored.next_trial_number, 0);
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    EXPECT_EQ(txn.study().sampler_state, "committed");
    return absl::OkStatus();
  }));
}

TEST_P(StorageConformanceTest, LargeSamplerStateRoundTrips) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  const std::string state = RandomBytes(1 << 20);
  ASSERT_OK(StoreSamplerState(*storage_, study.id, state));
  ASSERT_OK_AND_ASSIGN(Study stored, storage_->GetStudy(study.id));
  // Compared without printing a megabyte on failure.
  EXPECT_EQ(stored.sampler_state.size(), state.size());
  EXPECT_TRUE(stored.sampler_state == state);
  ASSERT_OK(storage_->Transact(study.id, [&](StudyTransaction& txn) {
    EXPECT_TRUE(txn.study().sampler_state == state);
    return absl::OkStatus();
  }));
}

TEST_P(StorageConformanceTest, ListedStudiesLeaveTheSamplerStateOut) {
  ASSERT_OK_AND_ASSIGN(Study study, CreateStudy("s"));
  ASSERT_OK(StoreSamplerState(*storage_, study.id, "state"));
  ASSERT_OK_AND_ASSIGN(Page<Study> page, storage_->ListStudies({}));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_THAT(page.items[0].sampler_state, IsEmpty());
  EXPECT_EQ(page.items[0].sequence, 1);
}

}  // namespace
}  // namespace knob::testing

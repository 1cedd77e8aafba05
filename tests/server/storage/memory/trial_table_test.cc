#include "server/storage/memory/trial_table.h"

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace knob::memory_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

Trial MakeTrial(int64_t number, TrialState state, int64_t sequence) {
  Trial trial;
  trial.id = 100 + number;
  trial.number = number;
  trial.state = state;
  trial.sequence = sequence;
  if (state == TrialState::kRunning) {
    trial.lease_deadline = kT0 + absl::Seconds(number);
  }
  return trial;
}

TEST(TrialTable, IndexesFollowReplacedTrials) {
  TrialTable table;
  table.Put(MakeTrial(0, TrialState::kRunning, 1));
  table.Put(MakeTrial(1, TrialState::kWaiting, 1));
  table.Put(MakeTrial(2, TrialState::kRunning, 2));
  Trial started = MakeTrial(1, TrialState::kRunning, 3);
  started.suggest_request_id = "r";
  started.lease_deadline = kT0;
  table.Put(started);
  table.Put(MakeTrial(2, TrialState::kCompleted, 4));

  EXPECT_EQ(table.size(), 3);
  EXPECT_THAT(table.waiting(), IsEmpty());
  EXPECT_THAT(table.ChangedSince(0), ElementsAre(0, 1, 2));
  EXPECT_THAT(table.ChangedSince(1), ElementsAre(1, 2));
  EXPECT_THAT(table.ChangedSince(3), ElementsAre(2));
  EXPECT_THAT(table.ChangedSince(4), IsEmpty());
  EXPECT_THAT(table.BySuggestRequest("r"), ElementsAre(1));
  EXPECT_THAT(table.BySuggestRequest("other"), IsEmpty());
  EXPECT_THAT(table.LeasesExpiredBefore(kT0 + absl::Seconds(5)),
              ElementsAre(0, 1));
  EXPECT_THAT(table.LeasesExpiredBefore(kT0), IsEmpty());
  EXPECT_TRUE(table.AnyLeaseExpiredBefore(kT0 + absl::Nanoseconds(1)));
  EXPECT_FALSE(table.AnyLeaseExpiredBefore(kT0));
  EXPECT_EQ(table.counts().running, 2);
  EXPECT_EQ(table.counts().completed, 1);
  EXPECT_EQ(table.counts().waiting, 0);
  EXPECT_EQ(table.at(1).suggest_request_id, "r");
}

}  // namespace
}  // namespace knob::memory_internal

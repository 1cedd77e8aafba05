// Reads of many trials at once (a study's history, listing pages) gather
// each trial's children from statements of their own; every child must
// land on its own trial, in order, exactly as a trial read alone has it.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/storage/postgres/postgres_storage.h"
#include "server/util/status_macros.h"
#include "tests/server/storage/postgres/test_database.h"
#include "tests/server/storage/storage_conformance.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {
namespace {

StudyConfig TwoObjectiveConfig() {
  StudyConfig config = SmallConfig();
  config.objectives = {{"loss", Direction::kMinimize},
                       {"accuracy", Direction::kMaximize}};
  return config;
}

NewTrial Running(ParamAssignment params) {
  return NewTrial{.state = TrialState::kRunning,
                  .params = std::move(params),
                  .worker_id = "worker",
                  .lease_deadline = At(600)};
}

IntermediateValue Report(int64_t step, const std::string& metric, double value,
                         bool should_prune = false) {
  return IntermediateValue{.step = step,
                           .metric = metric,
                           .value = value,
                           .request_id = absl::StrCat("r-", metric, step),
                           .should_prune = should_prune,
                           .prune_reason = should_prune ? "below median" : ""};
}

class TrialReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = NewTestStorage();
    ASSERT_NE(storage_, nullptr);
    ASSERT_OK_AND_ASSIGN(
        Study study,
        storage_->CreateStudy("reads", TwoObjectiveConfig(), {}, kT0));
    study_id_ = study.id;
  }

  // Trials whose children interleave: reports alternate between trials,
  // one replaces an earlier report, and the ends differ in values and
  // metrics; one trial has no children at all.
  void MakeTrials() {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    ASSERT_OK(storage_->Transact(study_id_, [&](StudyTransaction& txn) {
      // Each trial as this transaction last returned it.
      std::vector<Trial> trials;
      for (ParamAssignment params : std::vector<ParamAssignment>{
               {{"x", 0.1}, {"layers", int64_t{3}}, {"act", "relu"}},
               {{"x", -1e-300}, {"bias", true}},
               {{"x", 2.5}, {"act", "tanh"}, {"bias", false}},
               {},
               {{"x", 7.0}}}) {
        ASSIGN_OR_RETURN(Trial trial, txn.CreateTrial(Running(params), At(1)));
        trials.push_back(trial);
      }
      ASSIGN_OR_RETURN(trials[0], txn.AddIntermediateValue(
                                      trials[0], Report(0, "loss", 0.9)));
      ASSIGN_OR_RETURN(trials[2], txn.AddIntermediateValue(
                                      trials[2], Report(0, "loss", 0.8)));
      ASSIGN_OR_RETURN(trials[0], txn.AddIntermediateValue(
                                      trials[0], Report(1, "loss", 0.7)));
      ASSIGN_OR_RETURN(trials[0], txn.AddIntermediateValue(
                                      trials[0], Report(0, "accuracy", 0.5)));
      ASSIGN_OR_RETURN(
          trials[2],
          txn.AddIntermediateValue(trials[2], Report(1, "loss", 0.95, true)));
      ASSIGN_OR_RETURN(trials[0], txn.AddIntermediateValue(
                                      trials[0], Report(1, "loss", 0.6)));
      RETURN_IF_ERROR(
          txn.FinishTrial(trials[0],
                          {.state = TrialState::kCompleted,
                           .values = {0.6, kInf},
                           .metrics = {{"seconds", 12.25}, {"memory", 1e9}},
                           .request_id = "done-0"},
                          At(2))
              .status());
      RETURN_IF_ERROR(txn.FinishTrial(trials[1],
                                      {.state = TrialState::kFailed,
                                       .fail_reason = "out of memory"},
                                      At(3))
                          .status());
      RETURN_IF_ERROR(txn.FinishTrial(trials[2],
                                      {.state = TrialState::kPruned,
                                       .metrics = {{"seconds", -kInf}}},
                                      At(4))
                          .status());
      return txn
          .FinishTrial(
              trials[4],
              {.state = TrialState::kCompleted, .values = {-3.5, 0.125}}, At(5))
          .status();
    }));
  }

  // Each trial as a read of that trial alone returns it.
  std::vector<Trial> EachAlone(const std::vector<Trial>& trials) {
    std::vector<Trial> alone;
    for (const Trial& trial : trials) {
      absl::StatusOr<Trial> read = storage_->GetTrial(trial.id);
      EXPECT_OK(read.status());
      if (read.ok()) alone.push_back(*read);
    }
    return alone;
  }

  std::unique_ptr<Storage> storage_;
  int64_t study_id_ = 0;
};

TEST_F(TrialReadsTest, HistoryCarriesEveryChildOfEveryTrial) {
  MakeTrials();
  std::vector<Trial> history;
  ASSERT_OK(storage_->Transact(study_id_, [&](StudyTransaction& txn) {
    ASSIGN_OR_RETURN(history, txn.TrialsChangedSince(0));
    return absl::OkStatus();
  }));
  ASSERT_EQ(history.size(), 5u);
  ExpectSameTrials(history, EachAlone(history));
  EXPECT_EQ(
      history[0].values,
      (std::vector<double>{0.6, std::numeric_limits<double>::infinity()}));
  EXPECT_THAT(
      history[0].intermediate_values,
      ::testing::ElementsAre(Report(0, "loss", 0.9), Report(1, "loss", 0.6),
                             Report(0, "accuracy", 0.5)));
  EXPECT_TRUE(history[3].params.empty());
}

TEST_F(TrialReadsTest, PagesCarryTheChildrenOfTheirTrialsOnly) {
  MakeTrials();
  std::vector<Trial> listed;
  TrialQuery query{.study_id = study_id_, .page_size = 2};
  do {
    ASSERT_OK_AND_ASSIGN(Page<Trial> page, storage_->ListTrials(query));
    EXPECT_LE(page.items.size(), 2u);
    listed.insert(listed.end(), page.items.begin(), page.items.end());
    query.page_token = page.next_page_token;
  } while (!query.page_token.empty());
  ASSERT_EQ(listed.size(), 5u);
  ExpectSameTrials(listed, EachAlone(listed));

  ASSERT_OK_AND_ASSIGN(Page<Trial> finished,
                       storage_->ListTrials({.study_id = study_id_,
                                             .states = {TrialState::kCompleted,
                                                        TrialState::kPruned},
                                             .page_size = 10}));
  EXPECT_THAT(NumbersOf(finished.items), ::testing::ElementsAre(0, 2, 4));
  ExpectSameTrials(finished.items, EachAlone(finished.items));
}

TEST_F(TrialReadsTest, TimesReadBackToTheMicrosecond) {
  // Odd microseconds from 1901 to 2106, the range the stored seconds keep
  // whole microseconds in.
  std::vector<absl::Time> times;
  for (int64_t micros = -2'147'483'647'999'999; micros < 4'294'967'295'000'000;
       micros += 21'474'836'470'001) {
    times.push_back(absl::FromUnixMicros(micros));
  }
  ASSERT_OK(storage_->Transact(study_id_, [&](StudyTransaction& txn) {
    for (absl::Time time : times) {
      NewTrial trial = Running({});
      trial.lease_deadline = time + absl::Microseconds(1);
      RETURN_IF_ERROR(txn.CreateTrial(trial, time).status());
    }
    return absl::OkStatus();
  }));
  std::vector<Trial> history;
  ASSERT_OK(storage_->Transact(study_id_, [&](StudyTransaction& txn) {
    ASSIGN_OR_RETURN(history, txn.TrialsChangedSince(0));
    return absl::OkStatus();
  }));
  ASSERT_EQ(history.size(), times.size());
  for (size_t i = 0; i < times.size(); ++i) {
    EXPECT_EQ(history[i].create_time, times[i]) << i;
    EXPECT_EQ(history[i].start_time, times[i]) << i;
    EXPECT_EQ(history[i].lease_deadline, times[i] + absl::Microseconds(1)) << i;
  }
}

}  // namespace
}  // namespace knob::testing

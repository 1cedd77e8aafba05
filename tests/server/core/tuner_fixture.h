// A Tuner over in-memory storage with a manual clock, and small builders
// for study configs, shared by the core tests.
#ifndef KNOB_TESTS_SERVER_CORE_TUNER_FIXTURE_H_
#define KNOB_TESTS_SERVER_CORE_TUNER_FIXTURE_H_

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "server/core/tuner.h"
#include "server/storage/memory/memory_storage.h"
#include "server/util/clock.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {

// x in [-5, 5], y in 1..10 and a categorical "kind": one minimized "loss".
inline StudyConfig BasicConfig() {
  StudyConfig config;
  config.parameters.push_back({"x", FloatDomain{-5, 5, false, std::nullopt}});
  config.parameters.push_back({"y", IntDomain{1, 10, false, 1}});
  config.parameters.push_back(
      {"kind", CategoricalDomain{{std::string("a"), std::string("b")}}});
  config.objectives.push_back({"loss", Direction::kMinimize});
  config.extra_metrics.push_back("accuracy");
  return config;
}

// 3 × 4 = 12 points.
inline StudyConfig GridConfig() {
  StudyConfig config;
  config.parameters.push_back(
      {"kind", CategoricalDomain{
                   {std::string("a"), std::string("b"), std::string("c")}}});
  config.parameters.push_back({"y", IntDomain{1, 4, false, 1}});
  config.objectives.push_back({"loss", Direction::kMinimize});
  config.sampler.name = "grid";
  return config;
}

class TunerTest : public ::testing::Test {
 protected:
  TunerTest()
      : storage_(CreateMemoryStorage()),
        clock_(absl::FromUnixSeconds(1'700'000'000)),
        tuner_(std::make_unique<Tuner>(*storage_, samplers_, pruners_, clock_,
                                       TunerOptions{})) {}

  StudyInfo Create(const std::string& name, StudyConfig config,
                   bool seed_given = true) {
    CreateStudyInput input{name, std::move(config), seed_given, false, {}};
    auto study = tuner_->CreateStudy(std::move(input));
    EXPECT_OK(study);
    return study.ok() ? *study : StudyInfo{};
  }

  SuggestResult SuggestOne(int64_t study_id,
                           const std::string& request_id = "") {
    auto result = tuner_->Suggest({study_id, 1, "worker-1", request_id, {}});
    EXPECT_OK(result);
    return result.ok() ? *result : SuggestResult{};
  }

  absl::StatusOr<Trial> CompleteWith(int64_t trial_id, double value,
                                     const std::string& request_id = "") {
    CompleteInput input;
    input.trial_id = trial_id;
    input.outcome.state = TrialState::kCompleted;
    input.outcome.values = {value};
    input.outcome.request_id = request_id;
    return tuner_->Complete(input);
  }

  std::unique_ptr<Storage> storage_;
  ManualClock clock_;
  SamplerRegistry samplers_;
  PrunerRegistry pruners_;
  std::unique_ptr<Tuner> tuner_;
};

}  // namespace knob::testing

#endif  // KNOB_TESTS_SERVER_CORE_TUNER_FIXTURE_H_

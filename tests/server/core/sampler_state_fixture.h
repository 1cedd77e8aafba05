// Tuners running a stateful test sampler ("counting", which puts its
// proposal count into the "count" parameter) over one storage, as the
// server processes that share a database: several Tuners are replicas, a
// new Tuner is a restarted server. Instantiated once per storage
// implementation (memory_sampler_state_test.cc,
// postgres_sampler_state_test.cc).
#ifndef KNOB_TESTS_SERVER_CORE_SAMPLER_STATE_FIXTURE_H_
#define KNOB_TESTS_SERVER_CORE_SAMPLER_STATE_FIXTURE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "gtest/gtest.h"
#include "server/core/tuner.h"
#include "server/util/clock.h"
#include "tests/testing/faulty_storage.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_samplers.h"

namespace knob::testing {

struct TunerStorageParam {
  // A valid test name.
  std::string name;
  // An empty storage, fresh for each test.
  std::function<std::unique_ptr<Storage>()> make;
  friend void PrintTo(const TunerStorageParam& param, std::ostream* out) {
    *out << param.name;
  }
};

// "count" in 0..1000 (the counting sampler's) and a float "x".
inline StudyConfig CountingConfig() {
  StudyConfig config;
  config.parameters.push_back({"count", IntDomain{0, 1000, false, 1}});
  config.parameters.push_back({"x", FloatDomain{-1, 1, false, std::nullopt}});
  config.objectives.push_back({"loss", Direction::kMinimize});
  config.sampler.name = kCountingSampler;
  config.seed = 7;
  return config;
}

class SamplerStateTest : public ::testing::TestWithParam<TunerStorageParam> {
 protected:
  SamplerStateTest() : clock_(absl::FromUnixSeconds(1'700'000'000)) {}

  void SetUp() override {
    storage_ = GetParam().make();
    ASSERT_NE(storage_, nullptr) << GetParam().name << " made no storage";
    faulty_ = std::make_unique<FaultyStorage>(*storage_);
    ASSERT_OK(RegisterTestSamplers(samplers_));
  }

  // One server process over the shared storage, with its own caches.
  std::unique_ptr<Tuner> NewTuner() {
    return std::make_unique<Tuner>(*faulty_, samplers_, pruners_, clock_,
                                   TunerOptions{});
  }

  int64_t CreateStudy(Tuner& tuner, const std::string& name,
                      StudyConfig config = CountingConfig()) {
    absl::StatusOr<StudyInfo> study =
        tuner.CreateStudy({name, std::move(config), true, false, {}});
    EXPECT_OK(study.status());
    return study.ok() ? study->study.id : 0;
  }

  // The "count" parameters of `count` trials suggested in one call; empty
  // (and a test failure) if the call fails.
  std::vector<int64_t> SuggestCounts(Tuner& tuner, int64_t study_id,
                                     int count = 1) {
    absl::StatusOr<SuggestResult> result =
        tuner.Suggest({study_id, count, "worker", "", {}});
    EXPECT_OK(result.status());
    std::vector<int64_t> counts;
    if (!result.ok()) return counts;
    for (const Trial& trial : result->trials) {
      counts.push_back(std::get<int64_t>(trial.params.at("count")));
    }
    return counts;
  }

  // The study as stored.
  Study Stored(int64_t study_id) {
    absl::StatusOr<Study> study = storage_->GetStudy(study_id);
    EXPECT_OK(study.status());
    return study.ok() ? *study : Study{};
  }

  std::unique_ptr<Storage> storage_;
  // What the Tuners use: storage_ with faults on request.
  std::unique_ptr<FaultyStorage> faulty_;
  ManualClock clock_;
  SamplerRegistry samplers_;
  PrunerRegistry pruners_;
};

}  // namespace knob::testing

#endif  // KNOB_TESTS_SERVER_CORE_SAMPLER_STATE_FIXTURE_H_

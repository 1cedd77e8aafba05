// The conformance suite that every Storage implementation must pass: the
// whole contract of server/storage/storage.h, as value-parameterized tests.
//
// An implementation's test binary links `knob_storage_conformance` and
// instantiates the suite with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(
//       Memory, StorageConformanceTest,
//       ::testing::Values(StorageFactory{
//           "Memory", [] { return CreateMemoryStorage(); }}),
//       [](const auto& info) { return info.param.name; });
//
// Times are whole microseconds, the precision PostgreSQL keeps.
#ifndef KNOB_TESTS_SERVER_STORAGE_STORAGE_CONFORMANCE_H_
#define KNOB_TESTS_SERVER_STORAGE_STORAGE_CONFORMANCE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/model/study.h"
#include "server/model/trial.h"
#include "server/storage/storage.h"
#include "tests/testing/status_matchers.h"

namespace knob::testing {

struct StorageFactory {
  // A valid test name: letters, digits and underscores.
  std::string name;
  // Returns an EMPTY storage, fresh for each test.
  std::function<std::unique_ptr<Storage>()> make;
};

inline void PrintTo(const StorageFactory& factory, std::ostream* os) {
  *os << factory.name;
}

class StorageConformanceTest : public ::testing::TestWithParam<StorageFactory> {
 protected:
  void SetUp() override {
    storage_ = GetParam().make();
    ASSERT_NE(storage_, nullptr) << GetParam().name << " made no storage";
  }

  // A study with a small config, created at kT0.
  absl::StatusOr<Study> CreateStudy(const std::string& name);

  // Creates the trials in one transaction at `now`.
  absl::StatusOr<std::vector<Trial>> CreateTrials(
      int64_t study_id, const std::vector<NewTrial>& trials, absl::Time now);
  absl::StatusOr<Trial> CreateTrial(int64_t study_id, const NewTrial& trial,
                                    absl::Time now);

  // Finishes `trial`, as the caller last saw it, in its own transaction.
  absl::StatusOr<Trial> Finish(const Trial& trial, const TrialOutcome& outcome,
                               absl::Time now);

  absl::StatusOr<std::vector<Trial>> ChangedSince(int64_t study_id,
                                                  int64_t after);

  // Every trial of a study (all pages), by number.
  absl::StatusOr<std::vector<Trial>> AllTrials(int64_t study_id);

  std::unique_ptr<Storage> storage_;
};

// Fixed instants, microsecond precision.
inline const absl::Time kT0 = absl::FromUnixMicros(1'700'000'000'123'456);
inline absl::Time At(int64_t seconds_after_t0) {
  return kT0 + absl::Seconds(seconds_after_t0);
}

// Added to an id a storage handed out, makes one it has not (yet).
inline constexpr int64_t kUnknownId = 987'654'321;

// A config that uses every feature a config can have.
StudyConfig FullConfig();

// A config with one float parameter and one objective.
StudyConfig SmallConfig();

// A RUNNING trial for a worker, leased until `lease_deadline`.
NewTrial RunningTrial(const std::string& worker_id, absl::Time lease_deadline,
                      const std::string& request_id = "");

// A WAITING trial with user-given parameters.
NewTrial WaitingTrial(double x, const std::string& request_id = "");

// Field-by-field comparisons, so that a failure names the field.
void ExpectSameConfig(const StudyConfig& actual, const StudyConfig& expected);
void ExpectSameStudy(const Study& actual, const Study& expected);
void ExpectSameTrial(const Trial& actual, const Trial& expected);
void ExpectSameTrials(const std::vector<Trial>& actual,
                      const std::vector<Trial>& expected);

std::vector<int64_t> NumbersOf(const std::vector<Trial>& trials);
std::vector<int64_t> IdsOf(const std::vector<Trial>& trials);

}  // namespace knob::testing

#endif  // KNOB_TESTS_SERVER_STORAGE_STORAGE_CONFORMANCE_H_

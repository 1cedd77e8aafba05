// Calls on a TestServer's own stubs, for a test's setup and checks: they
// bypass the fault proxy and do not depend on the client library that
// client tests put under test.
#ifndef KNOB_TESTS_TESTING_DIRECT_CALLS_H_
#define KNOB_TESTS_TESTING_DIRECT_CALLS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "knob/v1/service.pb.h"
#include "tests/testing/test_server.h"

namespace knob::testing {

// Each returns the server's answer, or its error with the same code and
// message.
absl::StatusOr<v1::Study> CreateStudy(TestServer& server,
                                      const v1::CreateStudyRequest& request);
absl::StatusOr<v1::Study> GetStudy(TestServer& server, int64_t study_id);
absl::StatusOr<v1::Study> SetStudyState(TestServer& server, int64_t study_id,
                                        v1::StudyState state);
// Up to `count` trials for worker "direct-calls".
absl::StatusOr<std::vector<v1::Trial>> SuggestTrials(TestServer& server,
                                                     int64_t study_id,
                                                     int count = 1);
absl::StatusOr<v1::Trial> CompleteTrial(
    TestServer& server, const v1::CompleteTrialRequest& request);
absl::StatusOr<v1::Trial> GetTrial(TestServer& server, int64_t trial_id);
// Every trial of the study, by number.
absl::StatusOr<std::vector<v1::Trial>> ListTrials(TestServer& server,
                                                  int64_t study_id);

}  // namespace knob::testing

#endif  // KNOB_TESTS_TESTING_DIRECT_CALLS_H_

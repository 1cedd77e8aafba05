// Outcome constraints through the API: refused definitions, the round trip
// through storage, required metrics and feasible best trials.
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "tests/server/api/api_fixture.h"

namespace knob::testing {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// BasicStudyRequest with "latency_ms" declared and bounded to <= 50.
v1::CreateStudyRequest ConstrainedStudyRequest(const std::string& name) {
  v1::CreateStudyRequest request = BasicStudyRequest(name);
  v1::StudyConfig* config = request.mutable_config();
  config->add_extra_metrics("latency_ms");
  v1::OutcomeConstraint* latency = config->add_constraints();
  latency->set_metric("latency_ms");
  latency->set_max(50);
  v1::OutcomeConstraint* accuracy = config->add_constraints();
  accuracy->set_metric("accuracy");
  accuracy->set_min(0.5);
  return request;
}

// Suggests a trial and completes it with `values` and `metrics`.
grpc::Status CompleteNew(TestServer& server, int64_t study_id,
                         const std::vector<double>& values,
                         const std::map<std::string, double>& metrics) {
  v1::SuggestTrialsRequest suggest;
  suggest.set_study_id(study_id);
  suggest.set_count(1);
  suggest.set_worker_id("constraints-test");
  v1::SuggestTrialsResponse suggested;
  grpc::ClientContext suggest_context;
  grpc::Status status =
      server.trials().SuggestTrials(&suggest_context, suggest, &suggested);
  if (!status.ok()) return status;
  if (suggested.trials_size() != 1) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "no trial suggested");
  }
  v1::CompleteTrialRequest complete;
  complete.set_trial_id(suggested.trials(0).id());
  complete.set_state(v1::TRIAL_STATE_COMPLETED);
  for (double value : values) complete.add_values(value);
  complete.mutable_metrics()->insert(metrics.begin(), metrics.end());
  v1::Trial trial;
  grpc::ClientContext complete_context;
  return server.trials().CompleteTrial(&complete_context, complete, &trial);
}

std::vector<int64_t> BestNumbers(TestServer& server, int64_t study_id) {
  v1::GetBestTrialsRequest request;
  request.set_study_id(study_id);
  v1::GetBestTrialsResponse best;
  grpc::ClientContext context;
  EXPECT_TRUE(server.trials().GetBestTrials(&context, request, &best).ok());
  std::vector<int64_t> numbers;
  for (const v1::Trial& trial : best.trials()) {
    numbers.push_back(trial.number());
  }
  return numbers;
}

TEST_P(ApiTest, BadConstraintsAreRefused) {
  const std::string base =
      "objectives { metric: 'loss' direction: DIRECTION_MINIMIZE } "
      "parameters { name: 'x' float_domain { max: 1 } } "
      "extra_metrics: 'latency_ms' ";
  const std::vector<BadStudy> cases = {
      {"no bound",
       base + "constraints { metric: 'latency_ms' }",
       {"config.constraints[0] \"latency_ms\"", "set max", "or min"}},
      {"undeclared metric",
       base + "constraints { metric: 'memory_mb' max: 100 }",
       {"constraints[0].metric \"memory_mb\"", "extra_metrics"}},
      {"objective metric",
       base + "constraints { metric: 'latency_ms' max: 50 } "
              "constraints { metric: 'loss' max: 1 }",
       {"constraints[1].metric \"loss\"", "is an objective"}},
      {"infinite bound",
       base + "constraints { metric: 'latency_ms' max: inf }",
       {"constraints[0].max", "finite", "inf"}},
      {"NaN bound",
       base + "constraints { metric: 'latency_ms' min: nan }",
       {"constraints[0].min", "finite", "nan"}},
      {"second max",
       base + "constraints { metric: 'latency_ms' max: 50 } "
              "constraints { metric: 'latency_ms' max: 60 }",
       {"constraints[1] \"latency_ms <= 60\"", "duplicate max"}},
      {"empty range",
       base + "constraints { metric: 'latency_ms' max: 50 } "
              "constraints { metric: 'latency_ms' min: 60 }",
       {"constraints[1] \"latency_ms >= 60\"", "contradicts constraints[0]"}},
  };
  for (const BadStudy& bad : cases) ExpectRefused(bad);
}

TEST_P(ApiTest, ConstraintsRoundTrip) {
  const v1::CreateStudyRequest request = ConstrainedStudyRequest("bounded");
  const v1::Study created = MustCreate(request);
  ASSERT_EQ(created.config().constraints_size(), 2);
  EXPECT_EQ(created.config().constraints(0).metric(), "latency_ms");
  EXPECT_TRUE(created.config().constraints(0).has_max());
  EXPECT_EQ(created.config().constraints(0).max(), 50);
  EXPECT_EQ(created.config().constraints(1).metric(), "accuracy");
  EXPECT_TRUE(created.config().constraints(1).has_min());
  EXPECT_EQ(created.config().constraints(1).min(), 0.5);

  grpc::ClientContext context;
  v1::GetStudyRequest get;
  get.set_id(created.id());
  v1::Study stored;
  ASSERT_TRUE(server_->studies().GetStudy(&context, get, &stored).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      stored.config(), created.config()))
      << stored.config().DebugString();

  // An equal re-create is the same study; another bound is a difference.
  EXPECT_EQ(MustCreate(request).id(), created.id());
  v1::CreateStudyRequest tighter = request;
  tighter.mutable_config()->mutable_constraints(0)->set_max(40);
  v1::Study refused;
  EXPECT_THAT(CreateStudy(tighter, &refused),
              GrpcStatusIs(grpc::StatusCode::ALREADY_EXISTS,
                           HasSubstr("config.constraints[0]")));
}

TEST_P(ApiTest, CompletingWithoutAConstrainedMetricChangesNothing) {
  const int64_t study_id = MustCreate(ConstrainedStudyRequest("strict")).id();
  const int64_t trial_id = MustSuggestOne(study_id).id();
  v1::CompleteTrialRequest complete;
  complete.set_trial_id(trial_id);
  complete.set_state(v1::TRIAL_STATE_COMPLETED);
  complete.add_values(1.0);
  (*complete.mutable_metrics())["accuracy"] = 0.9;
  v1::Trial trial;
  EXPECT_THAT(
      Complete(complete, &trial),
      GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                   AllOf(HasSubstr("metrics[\"latency_ms\"]"),
                         HasSubstr("missing"), HasSubstr("latency_ms <= 50"))));
  v1::Trial stored;
  ASSERT_TRUE(GetTrial(trial_id, &stored).ok());
  EXPECT_EQ(stored.state(), v1::TRIAL_STATE_RUNNING);
  EXPECT_EQ(stored.metrics_size(), 0);

  (*complete.mutable_metrics())["latency_ms"] = 12;
  ASSERT_TRUE(Complete(complete, &trial).ok());
  EXPECT_EQ(trial.state(), v1::TRIAL_STATE_COMPLETED);
}

TEST_P(ApiTest, BestTrialIsTheBestFeasibleOne) {
  const int64_t study_id = MustCreate(ConstrainedStudyRequest("best")).id();
  EXPECT_TRUE(BestNumbers(*server_, study_id).empty());
  // Infeasible only: the least violation wins (#1 misses by 5 + 0.1).
  ASSERT_TRUE(CompleteNew(*server_, study_id, {0.1},
                          {{"latency_ms", 90}, {"accuracy", 0.9}})
                  .ok());
  ASSERT_TRUE(CompleteNew(*server_, study_id, {0.7},
                          {{"latency_ms", 55}, {"accuracy", 0.4}})
                  .ok());
  EXPECT_THAT(BestNumbers(*server_, study_id), ElementsAre(1));
  // Feasible trials, on the bounds included, beat any infeasible value.
  ASSERT_TRUE(CompleteNew(*server_, study_id, {0.9},
                          {{"latency_ms", 50}, {"accuracy", 0.5}})
                  .ok());
  ASSERT_TRUE(CompleteNew(*server_, study_id, {0.8},
                          {{"latency_ms", 20}, {"accuracy", 0.6}})
                  .ok());
  ASSERT_TRUE(CompleteNew(*server_, study_id, {0.05},
                          {{"latency_ms", 51}, {"accuracy", 0.99}})
                  .ok());
  EXPECT_THAT(BestNumbers(*server_, study_id), ElementsAre(3));
}

TEST_P(ApiTest, ParetoFrontHoldsFeasibleTrialsOnly) {
  v1::CreateStudyRequest request = ConstrainedStudyRequest("front");
  v1::Objective* size = request.mutable_config()->add_objectives();
  size->set_metric("size");
  size->set_direction(v1::DIRECTION_MINIMIZE);
  const int64_t study_id = MustCreate(request).id();
  const struct {
    double loss, size, latency;
  } trials[] = {
      {1, 1, 80},  // dominates every other trial, but too slow
      {2, 5, 40},  // front
      {5, 2, 50},  // front
      {3, 6, 10},  // dominated by #1
      {4, 4, 45},  // front
  };
  for (const auto& t : trials) {
    ASSERT_TRUE(CompleteNew(*server_, study_id, {t.loss, t.size},
                            {{"latency_ms", t.latency}, {"accuracy", 0.9}})
                    .ok());
  }
  EXPECT_THAT(BestNumbers(*server_, study_id), ElementsAre(1, 2, 4));
}

}  // namespace knob::testing

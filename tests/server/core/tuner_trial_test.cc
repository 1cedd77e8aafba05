#include <cmath>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "server/model/search_space.h"
#include "tests/server/core/tuner_fixture.h"
#include "tests/testing/test_pruners.h"

namespace knob::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_F(TunerTest, SuggestedTrialsAreDenseRunningAndInsideTheSpace) {
  StudyConfig config = BasicConfig();
  const int64_t id = Create("dense", config).study.id;
  auto result = tuner_->Suggest({id, 5, "worker-7", "", {{"gpu", "none"}}});
  ASSERT_OK(result);
  ASSERT_EQ(result->trials.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    const Trial& trial = result->trials[i];
    EXPECT_EQ(trial.number, i);
    EXPECT_EQ(trial.state, TrialState::kRunning);
    EXPECT_EQ(trial.worker_id, "worker-7");
    EXPECT_EQ(trial.environment.at("gpu"), "none");
    EXPECT_EQ(trial.lease_deadline, clock_.Now() + absl::Minutes(5));
    for (const ParameterSpec& spec : config.parameters) {
      ASSERT_TRUE(trial.params.contains(spec.name));
      EXPECT_TRUE(DomainContains(spec.domain, trial.params.at(spec.name)));
    }
  }
}

TEST_F(TunerTest, MaxTrialsIsExactAndCompletesTheStudy) {
  StudyConfig config = BasicConfig();
  config.stopping.max_trials = 5;
  const int64_t id = Create("budget", config).study.id;
  auto first = tuner_->Suggest({id, 3, "w", "", {}});
  ASSERT_OK(first);
  EXPECT_EQ(first->trials.size(), 3u);
  // Asking for more than is left hands out only what is left.
  auto second = tuner_->Suggest({id, 3, "w", "", {}});
  ASSERT_OK(second);
  EXPECT_EQ(second->trials.size(), 2u);
  SuggestResult done = SuggestOne(id);
  EXPECT_TRUE(done.trials.empty());
  EXPECT_TRUE(done.study_done);
  EXPECT_THAT(done.done_reason, HasSubstr("max_trials=5 reached"));
  ASSERT_OK_AND_ASSIGN(StudyInfo study, tuner_->GetStudy(id));
  EXPECT_EQ(study.study.state, StudyState::kCompleted);
  EXPECT_EQ(study.counts.running, 5);
}

TEST_F(TunerTest, MaxTrialsIsExactWithConcurrentWorkers) {
  StudyConfig config = BasicConfig();
  config.stopping.max_trials = 100;
  const int64_t id = Create("concurrent", config).study.id;
  std::vector<std::thread> workers;
  for (int w = 0; w < 8; ++w) {
    workers.emplace_back([&, w] {
      while (true) {
        auto result = tuner_->Suggest({id, 1, absl::StrCat("w", w), "", {}});
        ASSERT_OK(result);
        if (result->trials.empty()) return;
        ASSERT_OK(CompleteWith(result->trials[0].id, 1.0));
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  ASSERT_OK_AND_ASSIGN(TrialListing listing,
                       tuner_->ListTrials({id, {}, 0, 1000, ""}));
  const std::vector<Trial>& trials = listing.page.items;
  ASSERT_EQ(trials.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(trials[i].number, i);
  ASSERT_OK_AND_ASSIGN(StudyInfo study, tuner_->GetStudy(id));
  EXPECT_EQ(study.counts.completed, 100);
}

TEST_F(TunerTest, ConcurrentRetriesOfASuggestRequestShareItsTrial) {
  const int64_t id = Create("concurrent-replay", BasicConfig()).study.id;
  constexpr int kPairs = 4;
  constexpr int kRequests = 25;
  // Both threads of a pair send each request id, as a client retrying a
  // call whose first attempt is still queued would; calls of one study
  // that arrive together may share a transaction.
  std::vector<std::vector<int64_t>> trial_ids(2 * kPairs);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2 * kPairs; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRequests; ++i) {
        auto result = tuner_->Suggest({id,
                                       1,
                                       absl::StrCat("w", t),
                                       absl::StrCat("r", t / 2, "-", i),
                                       {}});
        ASSERT_OK(result);
        ASSERT_EQ(result->trials.size(), 1u);
        trial_ids[t].push_back(result->trials[0].id);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int pair = 0; pair < kPairs; ++pair) {
    EXPECT_EQ(trial_ids[2 * pair], trial_ids[2 * pair + 1]) << pair;
  }
  ASSERT_OK_AND_ASSIGN(StudyInfo study, tuner_->GetStudy(id));
  EXPECT_EQ(study.counts.running, kPairs * kRequests);
}

TEST_F(TunerTest, RepeatedSuggestRequestReturnsTheOriginalTrials) {
  const int64_t id = Create("replay", BasicConfig()).study.id;
  auto first = tuner_->Suggest({id, 2, "w", "request-1", {}});
  ASSERT_OK(first);
  auto again = tuner_->Suggest({id, 2, "w", "request-1", {}});
  ASSERT_OK(again);
  ASSERT_EQ(again->trials.size(), 2u);
  EXPECT_EQ(again->trials[0].id, first->trials[0].id);
  EXPECT_EQ(again->trials[1].id, first->trials[1].id);
  EXPECT_EQ(SuggestOne(id).trials.at(0).number, 2);
}

TEST_F(TunerTest, EnqueuedTrialsComeFirst) {
  const int64_t id = Create("enqueue", BasicConfig()).study.id;
  ASSERT_OK_AND_ASSIGN(
      Trial waiting,
      tuner_->Enqueue(
          id,
          {{"x", int64_t{2}}, {"y", int64_t{3}}, {"kind", std::string("b")}},
          ""));
  EXPECT_EQ(waiting.state, TrialState::kWaiting);
  // The int given for the float parameter is stored as a double.
  EXPECT_EQ(waiting.params.at("x"), ParamValue(2.0));
  SuggestResult suggested = SuggestOne(id);
  ASSERT_EQ(suggested.trials.size(), 1u);
  EXPECT_EQ(suggested.trials[0].id, waiting.id);
  EXPECT_EQ(suggested.trials[0].state, TrialState::kRunning);
  EXPECT_EQ(SuggestOne(id).trials.at(0).number, 1);
}

TEST_F(TunerTest, RepeatedEnqueueRequestReturnsTheSameTrialEvenOnceStarted) {
  const int64_t id = Create("enqueue-replay", BasicConfig()).study.id;
  const ParamAssignment params = {
      {"x", 1.5}, {"y", int64_t{4}}, {"kind", std::string("a")}};
  ASSERT_OK_AND_ASSIGN(Trial enqueued,
                       tuner_->Enqueue(id, params, "enqueue-1"));
  ASSERT_OK_AND_ASSIGN(Trial again, tuner_->Enqueue(id, params, "enqueue-1"));
  EXPECT_EQ(again.id, enqueued.id);
  // Handed to a worker under another request id, it is still the trial
  // that enqueue created.
  EXPECT_EQ(SuggestOne(id, "suggest-1").trials.at(0).id, enqueued.id);
  ASSERT_OK_AND_ASSIGN(Trial after_start,
                       tuner_->Enqueue(id, params, "enqueue-1"));
  EXPECT_EQ(after_start.id, enqueued.id);
  EXPECT_EQ(after_start.state, TrialState::kRunning);
  ASSERT_OK_AND_ASSIGN(StudyInfo study, tuner_->GetStudy(id));
  EXPECT_EQ(study.counts.waiting + study.counts.running, 1);
}

TEST_F(TunerTest, EnqueueOutsideTheSpaceChangesNothing) {
  const int64_t id = Create("enqueue-bad", BasicConfig()).study.id;
  EXPECT_THAT(
      tuner_->Enqueue(
          id, {{"x", 99.0}, {"y", int64_t{3}}, {"kind", std::string("b")}}, ""),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"x\"")));
  EXPECT_THAT(
      tuner_->Enqueue(
          id, {{"x", 1.0}, {"y", int64_t{3}}, {"kind", std::string("z")}}, ""),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kind")));
  ASSERT_OK_AND_ASSIGN(StudyInfo study, tuner_->GetStudy(id));
  EXPECT_EQ(study.counts.waiting, 0);
  EXPECT_EQ(study.study.sequence, 0);
}

TEST_F(TunerTest, CompleteValidatesValues) {
  StudyConfig config = BasicConfig();
  const int64_t id = Create("complete", config).study.id;
  const int64_t trial_id = SuggestOne(id).trials.at(0).id;
  CompleteInput input;
  input.trial_id = trial_id;
  input.outcome.values = {1.0, 2.0};
  EXPECT_THAT(
      tuner_->Complete(input),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("values: the study has 1 objective(s), got 2")));
  input.outcome.values = {std::nan("")};
  EXPECT_THAT(
      tuner_->Complete(input),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("values[0]")));
  input.outcome.values = {INFINITY};
  EXPECT_THAT(
      tuner_->Complete(input),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("values[0]")));
  input.outcome.values = {1.0};
  input.outcome.metrics = {{"undeclared", 1.0}};
  EXPECT_THAT(tuner_->Complete(input),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("metrics[\"undeclared\"]")));
  ASSERT_OK_AND_ASSIGN(Trial unchanged, tuner_->GetTrial(trial_id));
  EXPECT_EQ(unchanged.state, TrialState::kRunning);

  input.outcome.metrics = {{"accuracy", 0.9}};
  ASSERT_OK_AND_ASSIGN(Trial done, tuner_->Complete(input));
  EXPECT_EQ(done.state, TrialState::kCompleted);
  EXPECT_THAT(done.values, ElementsAre(1.0));
  EXPECT_EQ(done.metrics.at("accuracy"), 0.9);
  EXPECT_FALSE(done.lease_deadline.has_value());
}

TEST_F(TunerTest, CompletedTrialMustReportEveryConstrainedMetric) {
  StudyConfig config = BasicConfig();
  config.extra_metrics = {"accuracy", "latency_ms"};
  config.constraints = {{"latency_ms", OutcomeConstraint::Kind::kMax, 50}};
  const int64_t id = Create("constrained", config).study.id;
  const int64_t trial_id = SuggestOne(id).trials.at(0).id;
  ASSERT_OK_AND_ASSIGN(StudyInfo before, tuner_->GetStudy(id));
  CompleteInput input;
  input.trial_id = trial_id;
  input.outcome.values = {1.0};
  input.outcome.metrics = {{"accuracy", 0.9}};
  EXPECT_THAT(tuner_->Complete(input),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("metrics[\"latency_ms\"]: missing"),
                             HasSubstr("constraints[0] (latency_ms <= 50)"))));
  ASSERT_OK_AND_ASSIGN(Trial unchanged, tuner_->GetTrial(trial_id));
  EXPECT_EQ(unchanged.state, TrialState::kRunning);
  ASSERT_OK_AND_ASSIGN(StudyInfo after, tuner_->GetStudy(id));
  EXPECT_EQ(after.study.sequence, before.study.sequence);

  // Failing or pruning a trial needs no metrics; an infeasible value is
  // recorded like any other.
  CompleteInput pruned;
  pruned.trial_id = SuggestOne(id).trials.at(0).id;
  pruned.outcome.state = TrialState::kPruned;
  EXPECT_OK(tuner_->Complete(pruned));
  input.outcome.metrics = {{"accuracy", 0.9}, {"latency_ms", 80}};
  ASSERT_OK_AND_ASSIGN(Trial done, tuner_->Complete(input));
  EXPECT_EQ(done.state, TrialState::kCompleted);
  EXPECT_EQ(done.metrics.at("latency_ms"), 80);
}

TEST_F(TunerTest, CompletingTwiceFailsUnlessItIsTheSameRequest) {
  const int64_t id = Create("twice", BasicConfig()).study.id;
  const int64_t trial_id = SuggestOne(id).trials.at(0).id;
  ASSERT_OK_AND_ASSIGN(Trial first, CompleteWith(trial_id, 3.0, "req-a"));
  ASSERT_OK_AND_ASSIGN(Trial replay, CompleteWith(trial_id, 3.0, "req-a"));
  EXPECT_EQ(replay, first);
  EXPECT_THAT(CompleteWith(trial_id, 4.0, "req-b"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("is COMPLETED")));
  ASSERT_OK_AND_ASSIGN(Trial read, tuner_->GetTrial(trial_id));
  EXPECT_THAT(read.values, ElementsAre(3.0));
}

TEST_F(TunerTest, FailedAndPrunedOutcomes) {
  const int64_t id = Create("outcomes", BasicConfig()).study.id;
  CompleteInput failed;
  failed.trial_id = SuggestOne(id).trials.at(0).id;
  failed.outcome.state = TrialState::kFailed;
  failed.outcome.fail_reason = "CUDA out of memory";
  ASSERT_OK_AND_ASSIGN(Trial f, tuner_->Complete(failed));
  EXPECT_EQ(f.state, TrialState::kFailed);
  EXPECT_EQ(f.fail_reason, "CUDA out of memory");

  CompleteInput pruned;
  pruned.trial_id = SuggestOne(id).trials.at(0).id;
  pruned.outcome.state = TrialState::kPruned;
  ASSERT_OK_AND_ASSIGN(Trial p, tuner_->Complete(pruned));
  EXPECT_EQ(p.state, TrialState::kPruned);

  CompleteInput running;
  running.trial_id = SuggestOne(id).trials.at(0).id;
  running.outcome.state = TrialState::kRunning;
  EXPECT_THAT(tuner_->Complete(running),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("state")));
}

TEST_F(TunerTest, ReportIntermediateContinuesWithoutPruner) {
  const int64_t id = Create("report", BasicConfig()).study.id;
  const int64_t trial_id = SuggestOne(id).trials.at(0).id;
  for (int step = 0; step < 3; ++step) {
    ASSERT_OK_AND_ASSIGN(
        PruneDecision decision,
        tuner_->ReportIntermediate({trial_id, {step, "", 1.0 / (step + 1)}}));
    EXPECT_FALSE(decision.prune);
  }
  ASSERT_OK_AND_ASSIGN(Trial trial, tuner_->GetTrial(trial_id));
  ASSERT_EQ(trial.intermediate_values.size(), 3u);
  EXPECT_EQ(trial.intermediate_values[2].metric, "loss");
  EXPECT_EQ(trial.intermediate_values[2].value, 1.0 / 3);
}

TEST_F(TunerTest,
       RepeatedReportReturnsTheRecordedAnswerEvenAfterTheTrialEnded) {
  ASSERT_OK(RegisterTestPruners(pruners_));
  StudyConfig config = BasicConfig();
  config.pruner = AlgorithmSpec{kPruneFromStepPruner, {{"step", int64_t{2}}}};
  const int64_t id = Create("report-replay", config).study.id;
  const int64_t trial_id = SuggestOne(id).trials.at(0).id;
  IntermediateValue early{1, "", 0.5};
  early.request_id = "report-1";
  IntermediateValue late{2, "", 0.4};
  late.request_id = "report-2";
  ASSERT_OK_AND_ASSIGN(PruneDecision first,
                       tuner_->ReportIntermediate({trial_id, early}));
  EXPECT_FALSE(first.prune);
  ASSERT_OK_AND_ASSIGN(PruneDecision second,
                       tuner_->ReportIntermediate({trial_id, late}));
  EXPECT_TRUE(second.prune);
  EXPECT_EQ(second.reason, PruneFromStepReason(2, 2));

  CompleteInput pruned;
  pruned.trial_id = trial_id;
  pruned.outcome.state = TrialState::kPruned;
  ASSERT_OK(tuner_->Complete(pruned));
  // Retries whose first reply was lost get the answers first given.
  ASSERT_OK_AND_ASSIGN(PruneDecision replayed_first,
                       tuner_->ReportIntermediate({trial_id, early}));
  EXPECT_FALSE(replayed_first.prune);
  ASSERT_OK_AND_ASSIGN(PruneDecision replayed_second,
                       tuner_->ReportIntermediate({trial_id, late}));
  EXPECT_TRUE(replayed_second.prune);
  EXPECT_EQ(replayed_second.reason, second.reason);
  // A new report on the finished trial is refused.
  IntermediateValue another{3, "", 0.3};
  another.request_id = "report-3";
  EXPECT_THAT(
      tuner_->ReportIntermediate({trial_id, another}),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is PRUNED")));
  ASSERT_OK_AND_ASSIGN(Trial trial, tuner_->GetTrial(trial_id));
  ASSERT_EQ(trial.intermediate_values.size(), 2u);
  EXPECT_TRUE(trial.intermediate_values[1].should_prune);
}

TEST_F(TunerTest, ReportRejectsBadInput) {
  const int64_t id = Create("report-bad", BasicConfig()).study.id;
  const int64_t trial_id = SuggestOne(id).trials.at(0).id;
  EXPECT_THAT(tuner_->ReportIntermediate({trial_id, {-1, "", 1.0}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("step")));
  EXPECT_THAT(tuner_->ReportIntermediate({trial_id, {1, "", std::nan("")}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("value")));
  EXPECT_THAT(
      tuner_->ReportIntermediate({trial_id, {1, "bleu", 1.0}}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"bleu\"")));
  EXPECT_THAT(tuner_->ReportIntermediate({999, {1, "", 1.0}}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("trial_id")));
  ASSERT_OK(CompleteWith(trial_id, 1.0));
  EXPECT_THAT(tuner_->ReportIntermediate({trial_id, {1, "", 1.0}}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("is COMPLETED")));
}

TEST_F(TunerTest, ExpiredLeasesBecomeStaleAndHeartbeatsTellWorkersToStop) {
  StudyConfig config = BasicConfig();
  const int64_t id = Create("leases", config).study.id;
  const int64_t kept = SuggestOne(id).trials.at(0).id;
  const int64_t lost = SuggestOne(id).trials.at(0).id;
  clock_.Advance(absl::Minutes(3));
  ASSERT_OK_AND_ASSIGN(auto directives, tuner_->Heartbeat({kept}, "w"));
  ASSERT_EQ(directives.size(), 1u);
  EXPECT_FALSE(directives[0].stop);
  EXPECT_EQ(directives[0].lease_deadline, clock_.Now() + absl::Minutes(5));

  clock_.Advance(absl::Minutes(3));
  ASSERT_OK_AND_ASSIGN(int expired, tuner_->ExpireLeases());
  EXPECT_EQ(expired, 1);
  ASSERT_OK_AND_ASSIGN(Trial stale, tuner_->GetTrial(lost));
  EXPECT_EQ(stale.state, TrialState::kStale);
  ASSERT_OK_AND_ASSIGN(directives, tuner_->Heartbeat({kept, lost}, "w"));
  EXPECT_FALSE(directives[0].stop);
  EXPECT_TRUE(directives[1].stop);
  EXPECT_THAT(directives[1].reason, HasSubstr("STALE"));
  // A late result for the lost trial is refused and changes nothing.
  EXPECT_THAT(
      CompleteWith(lost, 1.0),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("STALE")));
}

TEST_F(TunerTest, MaxFailedTrialsCompletesTheStudy) {
  StudyConfig config = BasicConfig();
  config.stopping.max_failed_trials = 2;
  const int64_t id = Create("failures", config).study.id;
  for (int i = 0; i < 2; ++i) {
    CompleteInput failed;
    failed.trial_id = SuggestOne(id).trials.at(0).id;
    failed.outcome.state = TrialState::kFailed;
    ASSERT_OK(tuner_->Complete(failed));
  }
  SuggestResult done = SuggestOne(id);
  EXPECT_TRUE(done.study_done);
  EXPECT_THAT(done.done_reason, HasSubstr("max_failed_trials=2 reached"));
}

TEST_F(TunerTest, HeartbeatRepeatsAPruneAnswer) {
  ASSERT_OK(RegisterTestPruners(pruners_));
  StudyConfig config = BasicConfig();
  config.pruner = AlgorithmSpec{kPruneFromStepPruner, {{"step", int64_t{2}}}};
  const int64_t id = Create("heartbeat-prune", config).study.id;
  const int64_t trial_id = SuggestOne(id).trials.at(0).id;
  ASSERT_OK(tuner_->ReportIntermediate({trial_id, {1, "", 0.5}}).status());
  ASSERT_OK_AND_ASSIGN(auto directives, tuner_->Heartbeat({trial_id}, "w"));
  EXPECT_FALSE(directives.at(0).stop);
  // The answer to this report is lost; the next heartbeat carries it.
  ASSERT_OK(tuner_->ReportIntermediate({trial_id, {2, "", 0.4}}).status());
  ASSERT_OK_AND_ASSIGN(Trial before, tuner_->GetTrial(trial_id));
  clock_.Advance(absl::Minutes(1));
  ASSERT_OK_AND_ASSIGN(directives, tuner_->Heartbeat({trial_id}, "w"));
  EXPECT_TRUE(directives.at(0).stop);
  EXPECT_EQ(directives.at(0).reason,
            absl::StrCat("pruned: ", PruneFromStepReason(2, 2)));
  // Its lease is not extended: a worker that never stops loses the trial.
  EXPECT_EQ(directives.at(0).lease_deadline, before.lease_deadline);
}

TEST_F(TunerTest, TargetValueCompletesTheStudy) {
  for (const Direction direction :
       {Direction::kMinimize, Direction::kMaximize}) {
    StudyConfig config = BasicConfig();
    config.objectives.front().direction = direction;
    config.stopping.target_value = 10;
    const bool minimize = direction == Direction::kMinimize;
    const int64_t id =
        Create(minimize ? "target-min" : "target-max", config).study.id;
    // Short of the target: the study goes on.
    ASSERT_OK(CompleteWith(SuggestOne(id).trials.at(0).id, minimize ? 11 : 9));
    EXPECT_FALSE(SuggestOne(id).study_done);
    ASSERT_OK(CompleteWith(SuggestOne(id).trials.at(0).id, 10));
    SuggestResult done = SuggestOne(id);
    EXPECT_TRUE(done.study_done);
    EXPECT_THAT(done.done_reason,
                HasSubstr("target_value=10 reached by trial 2 (10)"));
  }
}

TEST_F(TunerTest, PatienceCompletesTheStudy) {
  StudyConfig config = BasicConfig();
  config.stopping.patience = 3;
  const int64_t id = Create("patience", config).study.id;
  auto finish = [&](double value) {
    return CompleteWith(SuggestOne(id).trials.at(0).id, value);
  };
  ASSERT_OK(finish(5));  // trial 0
  ASSERT_OK(finish(4));  // trial 1: the best so far
  ASSERT_OK(finish(6));
  // A pruned trial finished without beating it too.
  CompleteInput pruned;
  pruned.trial_id = SuggestOne(id).trials.at(0).id;
  pruned.outcome.state = TrialState::kPruned;
  ASSERT_OK(tuner_->Complete(pruned));
  // Two trials since the best: one more is allowed.
  ASSERT_OK(finish(3));  // trial 4: a new best resets the count
  ASSERT_OK(finish(7));
  ASSERT_OK(finish(7));
  EXPECT_FALSE(SuggestOne(id).study_done);  // trial 7 stays running
  ASSERT_OK(finish(8));                     // trial 8
  SuggestResult done = SuggestOne(id);
  EXPECT_TRUE(done.study_done);
  EXPECT_THAT(done.done_reason,
              HasSubstr("patience=3 reached: 3 trials finished after trial 4 "
                        "(3) without beating it"));
}

TEST_F(TunerTest, MaxWallTimeCompletesTheStudy) {
  StudyConfig config = BasicConfig();
  config.stopping.max_wall_time = absl::Hours(1);
  const int64_t id = Create("wall", config).study.id;
  EXPECT_EQ(SuggestOne(id).trials.size(), 1u);
  clock_.Advance(absl::Hours(1));
  SuggestResult done = SuggestOne(id);
  EXPECT_TRUE(done.study_done);
  EXPECT_THAT(done.done_reason, HasSubstr("max_wall_time=1h reached"));
}

TEST_F(TunerTest, GridHandsOutEveryPointOnceThenCompletes) {
  const int64_t id = Create("grid", GridConfig()).study.id;
  std::set<std::pair<std::string, int64_t>> seen;
  for (int i = 0; i < 12; ++i) {
    SuggestResult result = SuggestOne(id);
    ASSERT_EQ(result.trials.size(), 1u) << "point " << i;
    const ParamAssignment& params = result.trials[0].params;
    EXPECT_TRUE(seen.emplace(std::get<std::string>(params.at("kind")),
                             std::get<int64_t>(params.at("y")))
                    .second);
  }
  SuggestResult done = SuggestOne(id);
  EXPECT_TRUE(done.study_done);
  EXPECT_THAT(done.done_reason, HasSubstr("grid exhausted"));
}

TEST_F(TunerTest, ReplicasSharingOneStorageStayExact) {
  // A second Tuner on the same storage acts as another server replica.
  Tuner replica(*storage_, samplers_, pruners_, clock_, TunerOptions{});
  const int64_t id = Create("replicas", GridConfig()).study.id;
  std::set<std::pair<std::string, int64_t>> seen;
  for (int i = 0; i < 12; ++i) {
    Tuner& tuner = i % 2 == 0 ? *tuner_ : replica;
    auto result = tuner.Suggest({id, 1, "w", "", {}});
    ASSERT_OK(result);
    ASSERT_EQ(result->trials.size(), 1u);
    EXPECT_EQ(result->trials[0].number, i);
    const ParamAssignment& params = result->trials[0].params;
    EXPECT_TRUE(seen.emplace(std::get<std::string>(params.at("kind")),
                             std::get<int64_t>(params.at("y")))
                    .second);
  }
}

TEST_F(TunerTest, BestTrialHonoursTheDirection) {
  StudyConfig config = BasicConfig();
  config.objectives[0].direction = Direction::kMaximize;
  const int64_t id = Create("best", config).study.id;
  for (double value : {0.3, 0.9, 0.5}) {
    ASSERT_OK(CompleteWith(SuggestOne(id).trials.at(0).id, value));
  }
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> best, tuner_->BestTrials(id));
  ASSERT_EQ(best.size(), 1u);
  EXPECT_THAT(best[0].values, ElementsAre(0.9));
}

TEST_F(TunerTest, BestTrialIsTheBestFeasibleOne) {
  StudyConfig config = BasicConfig();
  config.extra_metrics = {"latency_ms"};
  config.constraints = {{"latency_ms", OutcomeConstraint::Kind::kMax, 50}};
  const int64_t id = Create("feasible-best", config).study.id;
  auto complete = [&](double loss, double latency) {
    CompleteInput input;
    input.trial_id = SuggestOne(id).trials.at(0).id;
    input.outcome.values = {loss};
    input.outcome.metrics = {{"latency_ms", latency}};
    return tuner_->Complete(input).status();
  };
  ASSERT_OK(complete(0.1, 75));
  ASSERT_OK(complete(0.2, 60));
  // Nothing feasible yet: the closest miss.
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> best, tuner_->BestTrials(id));
  ASSERT_EQ(best.size(), 1u);
  EXPECT_EQ(best[0].number, 1);
  ASSERT_OK(complete(0.9, 50));
  ASSERT_OK(complete(0.05, 51));
  ASSERT_OK_AND_ASSIGN(best, tuner_->BestTrials(id));
  ASSERT_EQ(best.size(), 1u);
  EXPECT_EQ(best[0].number, 2);
}

TEST_F(TunerTest, BestTrialsOfTwoObjectivesAreTheParetoFront) {
  StudyConfig config = BasicConfig();
  config.objectives = {{"loss", Direction::kMinimize},
                       {"speed", Direction::kMaximize}};
  const int64_t id = Create("pareto", config).study.id;
  // (loss, speed): (1, 1) and (2, 3) are optimal; (2, 1) and (3, 3) are not.
  for (auto [loss, speed] :
       std::vector<std::pair<double, double>>{{1, 1}, {2, 3}, {2, 1}, {3, 3}}) {
    CompleteInput input;
    input.trial_id = SuggestOne(id).trials.at(0).id;
    input.outcome.values = {loss, speed};
    ASSERT_OK(tuner_->Complete(input));
  }
  ASSERT_OK_AND_ASSIGN(std::vector<Trial> front, tuner_->BestTrials(id));
  ASSERT_EQ(front.size(), 2u);
  EXPECT_EQ(front[0].number, 0);
  EXPECT_EQ(front[1].number, 1);
}

}  // namespace
}  // namespace knob::testing

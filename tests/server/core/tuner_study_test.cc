#include <thread>

#include "gmock/gmock.h"
#include "tests/server/core/tuner_fixture.h"

namespace knob::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(TunerTest, CreateFillsDefaults) {
  StudyConfig config = BasicConfig();
  StudyInfo study = Create("defaults", config, /*seed_given=*/false);
  EXPECT_EQ(study.study.config.sampler.name, "auto");
  EXPECT_EQ(study.study.config.pruner.name, "none");
  // The default sampler records what it chose.
  EXPECT_TRUE(study.study.metadata.contains("knob.sampler.auto"));
  EXPECT_EQ(study.study.config.lease_duration, absl::Minutes(5));
  EXPECT_EQ(study.study.state, StudyState::kRunning);
}

TEST_F(TunerTest, CreateIsIdempotentForAnEqualConfig) {
  StudyInfo first = Create("same", BasicConfig(), /*seed_given=*/false);
  // No seed given again: matches whatever seed the study got.
  StudyInfo second = Create("same", BasicConfig(), /*seed_given=*/false);
  EXPECT_EQ(first.study.id, second.study.id);
  EXPECT_EQ(first.study.config.seed, second.study.config.seed);
}

TEST_F(TunerTest, CreateWithAnotherConfigNamesTheDifference) {
  Create("taken", BasicConfig());
  StudyConfig other = BasicConfig();
  std::get<FloatDomain>(other.parameters[0].domain).max = 50;
  auto study = tuner_->CreateStudy({"taken", other, true, false, {}});
  EXPECT_THAT(study, StatusIs(absl::StatusCode::kAlreadyExists,
                              HasSubstr("config.parameters[0] \"x\"")));
  auto listed = tuner_->ListStudies({std::nullopt, 100, ""});
  ASSERT_OK(listed);
  EXPECT_EQ(listed->items.size(), 1u);
}

TEST_F(TunerTest, CreateWithOtherConstraintsNamesTheConstraint) {
  StudyConfig config = BasicConfig();
  config.extra_metrics = {"accuracy", "latency_ms"};
  config.constraints = {{"accuracy", OutcomeConstraint::Kind::kMin, 0.8},
                        {"latency_ms", OutcomeConstraint::Kind::kMax, 50}};
  Create("constrained", config);
  StudyConfig other = config;
  other.constraints[1].bound = 40;
  EXPECT_THAT(tuner_->CreateStudy({"constrained", other, true, false, {}}),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("config.constraints[1] is \"latency_ms <= "
                                 "50\" in the existing study, \"latency_ms "
                                 "<= 40\" in the request")));
  other.constraints.pop_back();
  EXPECT_THAT(tuner_->CreateStudy({"constrained", other, true, false, {}}),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("config.constraints is [accuracy >= 0.8, "
                                 "latency_ms <= 50] in the existing study, "
                                 "[accuracy >= 0.8] in the request")));
  other.constraints = config.constraints;
  other.constraints[0].kind = OutcomeConstraint::Kind::kMax;
  other.constraints[0].bound = 1;
  EXPECT_THAT(tuner_->CreateStudy({"constrained", other, true, false, {}}),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("config.constraints[0] is \"accuracy >= "
                                 "0.8\"")));
  ASSERT_OK_AND_ASSIGN(
      StudyInfo same,
      tuner_->CreateStudy({"constrained", config, true, false, {}}));
  EXPECT_EQ(same.study.config.constraints, config.constraints);
}

TEST_F(TunerTest, CreateWithOtherStoppingTargetsNamesTheField) {
  StudyConfig config = BasicConfig();
  config.stopping.target_value = 0.5;
  config.stopping.patience = 20;
  Create("targets", config);
  StudyConfig other = config;
  other.stopping.target_value.reset();
  EXPECT_THAT(tuner_->CreateStudy({"targets", other, true, false, {}}),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("config.stopping.target_value is 0.5 in the "
                                 "existing study, unset in the request")));
  other = config;
  other.stopping.patience = 30;
  EXPECT_THAT(tuner_->CreateStudy({"targets", other, true, false, {}}),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("config.stopping.patience is 20")));
}

TEST_F(TunerTest, CreateRejectsUnknownSamplerAndStoresNothing) {
  StudyConfig config = BasicConfig();
  config.sampler.name = "magic";
  EXPECT_THAT(tuner_->CreateStudy({"bad", config, true, false, {}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sampler.name: unknown sampler \"magic\"")));
  config.sampler = AlgorithmSpec{"random", {{"colour", std::string("red")}}};
  EXPECT_THAT(tuner_->CreateStudy({"bad", config, true, false, {}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sampler.options.colour")));
  EXPECT_THAT(tuner_->GetStudyByName("bad"),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST_F(TunerTest, CreateRejectsAnInvalidSpace) {
  StudyConfig config = BasicConfig();
  std::get<FloatDomain>(config.parameters[0].domain).min = 9;
  EXPECT_THAT(tuner_->CreateStudy({"bad", config, true, false, {}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"x\"")));
}

TEST_F(TunerTest, PauseResumeStopTransitions) {
  const int64_t id = Create("states", BasicConfig()).study.id;
  ASSERT_OK(tuner_->UpdateStudy(id, StudyState::kPaused, std::nullopt));
  SuggestResult paused = SuggestOne(id);
  EXPECT_TRUE(paused.trials.empty());
  EXPECT_FALSE(paused.study_done);
  EXPECT_THAT(paused.done_reason, HasSubstr("PAUSED"));

  ASSERT_OK(tuner_->UpdateStudy(id, StudyState::kRunning, std::nullopt));
  EXPECT_EQ(SuggestOne(id).trials.size(), 1u);

  ASSERT_OK(tuner_->UpdateStudy(id, StudyState::kStopped, std::nullopt));
  SuggestResult stopped = SuggestOne(id);
  EXPECT_TRUE(stopped.trials.empty());
  EXPECT_TRUE(stopped.study_done);
  EXPECT_THAT(tuner_->UpdateStudy(id, StudyState::kRunning, std::nullopt),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("STOPPED and cannot become RUNNING")));
}

TEST_F(TunerTest, UpdateReplacesMetadata) {
  const int64_t id = Create("meta", BasicConfig()).study.id;
  ASSERT_OK_AND_ASSIGN(StudyInfo updated,
                       tuner_->UpdateStudy(id, std::nullopt,
                                           std::map<std::string, std::string>{
                                               {"team", "vision"}}));
  EXPECT_EQ(updated.study.metadata.at("team"), "vision");
  ASSERT_OK_AND_ASSIGN(StudyInfo read, tuner_->GetStudy(id));
  EXPECT_EQ(read.study.metadata.at("team"), "vision");
}

TEST_F(TunerTest, UnknownStudyIsNotFound) {
  EXPECT_THAT(tuner_->GetStudy(404),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(tuner_->Suggest({404, 1, "w", "", {}}),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(tuner_->DeleteStudy(404),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST_F(TunerTest, DeleteForgetsTheStudy) {
  const int64_t id = Create("gone", BasicConfig()).study.id;
  const int64_t trial_id = SuggestOne(id).trials.at(0).id;
  ASSERT_OK(tuner_->DeleteStudy(id));
  EXPECT_THAT(tuner_->GetStudy(id),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(tuner_->GetTrial(trial_id),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("trial_id")));
  // The name is free again.
  Create("gone", BasicConfig());
}

TEST_F(TunerTest, SameSeedProposesTheSameTrials) {
  StudyConfig config = BasicConfig();
  config.seed = 42;
  const int64_t a = Create("seed-a", config).study.id;
  const int64_t b = Create("seed-b", config).study.id;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(SuggestOne(a).trials.at(0).params,
              SuggestOne(b).trials.at(0).params);
  }
}

}  // namespace
}  // namespace knob::testing

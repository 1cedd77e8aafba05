// The contract of sampler.h, checked for every registered sampler.
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/model/search_space.h"
#include "server/samplers/sampler_registry.h"
#include "tests/server/samplers/sampler_testing.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::Choices;
using ::knob::testing::Floats;
using ::knob::testing::History;
using ::knob::testing::Ints;
using ::knob::testing::LogFloats;
using ::knob::testing::LogInts;
using ::knob::testing::Param;
using ::knob::testing::SampleNext;
using ::knob::testing::SamplerSpec;
using ::knob::testing::Space;
using ::knob::testing::StatusIs;
using ::knob::testing::When;
using ::testing::_;

struct NamedSpace {
  std::string name;
  StudyConfig config;
  // Has a continuous float, which a sampler may refuse at creation.
  bool continuous = false;
};

std::vector<NamedSpace> Spaces() {
  const ParamValue sgd = std::string("sgd");
  const ParamValue adam = std::string("adam");
  const ParamValue rmsprop = std::string("rmsprop");
  return {
      {"mixed",
       Space({Param("kind", Choices({std::string("a"), std::string("b"),
                                     std::string("c")})),
              Param("n", Ints(1, 10)), Param("x", Floats(0, 1, 0.05)),
              Param("flag", Choices({true, false}))})},
      {"log_and_steps", Space({Param("units", LogInts(1, 1000)),
                               Param("shift", Floats(-5, 5, 0.25)),
                               Param("batch", Ints(16, 256, 16))})},
      // Parents declared after their children, three levels deep.
      {"conditional",
       Space(
           {When(Param("nesterov", Choices({true, false})), "momentum",
                 {0.9, 0.99}),
            When(Param("momentum", Floats(0, 0.99, 0.01)), "optimizer", {sgd}),
            When(Param("beta", Ints(1, 9)), "optimizer", {adam, rmsprop}),
            Param("optimizer", Choices({sgd, adam, rmsprop})),
            Param("layers", Ints(1, 20))})},
      {"fixed", Space({Param("version", FixedDomain{std::string("v2")}),
                       Param("seed", FixedDomain{int64_t{7}}),
                       Param("n", Ints(0, 999))})},
      {"continuous",
       Space({Param("lr", LogFloats(1e-5, 1)), Param("dropout", Floats(0, 1)),
              Param("n", Ints(1, 100))}),
       true},
  };
}

struct Case {
  std::string sampler;
  NamedSpace space;
  friend void PrintTo(const Case& c, std::ostream* out) {
    *out << c.sampler << " over " << c.space.name;
  }
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (const std::string& sampler : SamplerRegistry().Names()) {
    for (NamedSpace& space : Spaces()) cases.push_back({sampler, space});
  }
  return cases;
}

class SamplerConformance : public ::testing::TestWithParam<Case> {
 protected:
  // Null when the sampler refuses a continuous space, which it may.
  std::unique_ptr<Sampler> NewSampler() {
    const Case& c = GetParam();
    absl::StatusOr<std::unique_ptr<Sampler>> sampler =
        registry_.Create(c.space.config, SamplerSpec(c.sampler));
    if (!sampler.ok() && c.space.continuous &&
        sampler.status().code() == absl::StatusCode::kInvalidArgument) {
      return nullptr;
    }
    EXPECT_TRUE(sampler.ok()) << sampler.status();
    return sampler.ok() ? *std::move(sampler) : nullptr;
  }

  // Samples `count` trials, feeding each back as a running trial.
  std::vector<ParamAssignment> Run(Sampler& sampler, History& history,
                                   int count) {
    std::vector<ParamAssignment> samples;
    for (int i = 0; i < count; ++i) {
      absl::StatusOr<ParamAssignment> params =
          SampleNext(sampler, config(), history);
      EXPECT_TRUE(params.ok()) << params.status();
      if (!params.ok()) break;
      samples.push_back(*params);
      history.Add(*std::move(params));
    }
    return samples;
  }

  const StudyConfig& config() const { return GetParam().space.config; }

  SamplerRegistry registry_;
};

TEST_P(SamplerConformance, SamplesLieInTheirDomainsAndRespectConditions) {
  std::unique_ptr<Sampler> sampler = NewSampler();
  if (sampler == nullptr) return;
  History history;
  for (const ParamAssignment& params : Run(*sampler, history, 500)) {
    ParamAssignment active;
    for (const ParameterSpec* spec : SamplingOrder(config())) {
      auto value = params.find(spec->name);
      if (!IsActive(*spec, active)) {
        EXPECT_EQ(value, params.end()) << spec->name << " is inactive";
        continue;
      }
      ASSERT_NE(value, params.end()) << spec->name << " is active";
      EXPECT_TRUE(DomainContains(spec->domain, value->second))
          << spec->name << " = " << ParamValueLabel(value->second) << " not in "
          << DomainDescription(spec->domain);
      active.insert(*value);
    }
    EXPECT_EQ(params.size(), active.size());
    EXPECT_OK(NormalizeAssignment(config(), params));
  }
}

TEST_P(SamplerConformance, SameSeedNumberAndHistoryGiveSameParams) {
  std::unique_ptr<Sampler> first = NewSampler();
  std::unique_ptr<Sampler> second = NewSampler();
  std::unique_ptr<Sampler> third = NewSampler();
  if (first == nullptr || second == nullptr || third == nullptr) return;
  History history;
  const std::vector<ParamAssignment> recorded = Run(*first, history, 20);
  // A second instance that never saw the history agrees with the first
  // once it holds the first's persisted state, as after a restart.
  ASSERT_OK(second->LoadState(first->SaveState()));
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(ParamAssignment a,
                         SampleNext(*first, config(), history));
    ASSERT_OK_AND_ASSIGN(ParamAssignment b,
                         SampleNext(*second, config(), history));
    EXPECT_EQ(a, b);
  }
  History replay;
  EXPECT_EQ(Run(*third, replay, 20), recorded);
}

TEST_P(SamplerConformance, SuccessiveTrialsMostlyDiffer) {
  std::unique_ptr<Sampler> sampler = NewSampler();
  if (sampler == nullptr) return;
  History history;
  const std::vector<ParamAssignment> samples = Run(*sampler, history, 100);
  const std::set<ParamAssignment> distinct(samples.begin(), samples.end());
  EXPECT_GE(distinct.size(), 90u);
}

// A loss every space can be scored on: how far each numeric parameter is
// from a third of its range, plus a penalty per categorical choice index.
double Loss(const StudyConfig& config, const ParamAssignment& params) {
  double loss = 0;
  for (const ParameterSpec& spec : config.parameters) {
    auto value = params.find(spec.name);
    if (value == params.end()) continue;
    if (const auto* d = std::get_if<FloatDomain>(&spec.domain)) {
      const double x =
          (ParamValueAsDouble(value->second) - d->min) / (d->max - d->min);
      loss += (x - 0.33) * (x - 0.33);
    } else if (const auto* d = std::get_if<IntDomain>(&spec.domain)) {
      const double x = (ParamValueAsDouble(value->second) - d->min) /
                       static_cast<double>(d->max - d->min);
      loss += (x - 0.33) * (x - 0.33);
    } else if (std::holds_alternative<CategoricalDomain>(spec.domain)) {
      loss +=
          0.1 * static_cast<double>(*DomainIndex(spec.domain, value->second));
    }
  }
  return loss;
}

TEST_P(SamplerConformance, CopesWithFinishedFailedPrunedAndPendingTrials) {
  std::unique_ptr<Sampler> sampler = NewSampler();
  if (sampler == nullptr) return;
  History history;
  for (int i = 0; i < 80; ++i) {
    ASSERT_OK_AND_ASSIGN(ParamAssignment params,
                         SampleNext(*sampler, config(), history));
    EXPECT_OK(NormalizeAssignment(config(), params));
    const double loss = Loss(config(), params);
    const int64_t number = history.Add(std::move(params)).number;
    // Every kind of ending a study sees, including the last few trials
    // still running while the next ones are sampled.
    switch (i % 7) {
      case 0:
        history.Finish(number, TrialState::kFailed);
        break;
      case 1:
        history.Finish(number, TrialState::kPruned);
        break;
      case 2:
        history.Finish(number, TrialState::kStale);
        break;
      case 3:
        break;
      default:
        history.Finish(number, TrialState::kCompleted, {loss});
    }
  }
}

TEST_P(SamplerConformance, RestoredStateContinuesTheRun) {
  std::unique_ptr<Sampler> original = NewSampler();
  std::unique_ptr<Sampler> restarted = NewSampler();
  if (original == nullptr || restarted == nullptr) return;
  History history;
  for (int i = 0; i < 40; ++i) {
    ASSERT_OK_AND_ASSIGN(ParamAssignment params,
                         SampleNext(*original, config(), history));
    const double loss = Loss(config(), params);
    const int64_t number = history.Add(std::move(params)).number;
    history.Finish(number, TrialState::kCompleted, {loss});
  }
  ASSERT_OK(restarted->LoadState(original->SaveState()));
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(ParamAssignment a,
                         SampleNext(*original, config(), history));
    ASSERT_OK_AND_ASSIGN(ParamAssignment b,
                         SampleNext(*restarted, config(), history));
    EXPECT_EQ(a, b) << "trial " << history.next_number();
    history.Add(std::move(a));
  }
}

TEST_P(SamplerConformance, UnreadableStateIsRejected) {
  std::unique_ptr<Sampler> sampler = NewSampler();
  if (sampler == nullptr) return;
  EXPECT_THAT(sampler->LoadState("\x07 not a sampler state"),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
  EXPECT_OK(sampler->LoadState(""));
  History history;
  EXPECT_EQ(Run(*sampler, history, 3).size(), 3u);
}

TEST_P(SamplerConformance, ConcurrentTrialsOfOneCallDiffer) {
  std::unique_ptr<Sampler> sampler = NewSampler();
  if (sampler == nullptr) return;
  History history;
  for (int i = 0; i < 30; ++i) {
    ASSERT_OK_AND_ASSIGN(ParamAssignment params,
                         SampleNext(*sampler, config(), history));
    const double loss = Loss(config(), params);
    const int64_t number = history.Add(std::move(params)).number;
    history.Finish(number, TrialState::kCompleted, {loss});
  }
  // A suggest call with count 8: each proposal joins the history as a
  // running trial before the next is sampled.
  const std::vector<ParamAssignment> batch = Run(*sampler, history, 8);
  const std::set<ParamAssignment> distinct(batch.begin(), batch.end());
  EXPECT_GE(distinct.size(), 7u);
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  return info.param.sampler + "_" + info.param.space.name;
}

INSTANTIATE_TEST_SUITE_P(AllSamplers, SamplerConformance,
                         ::testing::ValuesIn(Cases()), CaseName);

}  // namespace
}  // namespace knob

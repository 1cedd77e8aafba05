#include "server/samplers/sampler_registry.h"

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/samplers/random_sampler.h"
#include "tests/server/samplers/sampler_testing.h"
#include "tests/testing/status_matchers.h"

namespace knob {
namespace {

using ::knob::testing::Floats;
using ::knob::testing::Param;
using ::knob::testing::SamplerSpec;
using ::knob::testing::Space;
using ::knob::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;

TEST(SamplerRegistry, RegistersTheBuiltIns) {
  const SamplerRegistry registry;
  EXPECT_THAT(registry.Names(), Contains("random"));
  EXPECT_THAT(registry.Names(), Contains("grid"));
  EXPECT_THAT(registry.Names(), Contains(kDefaultSamplerName));
  EXPECT_OK(registry.Create(Space({Param("x", Floats(0, 1, 0.5))}),
                            SamplerSpec("grid")));
}

TEST(SamplerRegistry, RejectsUnknownNameListingKnownOnes) {
  EXPECT_THAT(SamplerRegistry().Create(Space({Param("x", Floats(0, 1))}),
                                       SamplerSpec("tpe2")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("sampler.name"),
                             HasSubstr("unknown sampler \"tpe2\""),
                             HasSubstr("grid"), HasSubstr("random"))));
}

TEST(SamplerRegistry, RejectsUnknownOption) {
  EXPECT_THAT(SamplerRegistry().Create(Space({Param("x", Floats(0, 1))}),
                                       SamplerSpec("random", {{"foo", true}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sampler.options.foo: unknown option for "
                                 "sampler \"random\"")));
}

TEST(SamplerRegistry, RejectsDuplicateRegistration) {
  SamplerRegistry registry;
  EXPECT_THAT(registry.Register("random", CreateRandomSampler),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("sampler \"random\"")));
}

}  // namespace
}  // namespace knob

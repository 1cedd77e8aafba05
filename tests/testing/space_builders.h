// Compact builders of search spaces for tests:
//   Space({Param("lr", LogFloats(1e-5, 1)), Param("opt", Choices({...}))})
#ifndef KNOB_TESTS_TESTING_SPACE_BUILDERS_H_
#define KNOB_TESTS_TESTING_SPACE_BUILDERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/model/study.h"

namespace knob::testing {

inline FloatDomain Floats(double min, double max,
                          std::optional<double> step = std::nullopt) {
  FloatDomain domain;
  domain.min = min;
  domain.max = max;
  domain.step = step;
  return domain;
}

inline FloatDomain LogFloats(double min, double max) {
  FloatDomain domain = Floats(min, max);
  domain.log_scale = true;
  return domain;
}

inline IntDomain Ints(int64_t min, int64_t max, int64_t step = 1) {
  IntDomain domain;
  domain.min = min;
  domain.max = max;
  domain.step = step;
  return domain;
}

inline IntDomain LogInts(int64_t min, int64_t max) {
  IntDomain domain = Ints(min, max);
  domain.log_scale = true;
  return domain;
}

inline CategoricalDomain Choices(std::vector<ParamValue> choices) {
  return CategoricalDomain{std::move(choices)};
}

inline ParameterSpec Param(std::string name, Domain domain) {
  return ParameterSpec{std::move(name), std::move(domain), std::nullopt};
}

inline ParameterSpec When(ParameterSpec spec, std::string parent,
                          std::vector<ParamValue> values) {
  spec.condition = Condition{std::move(parent), std::move(values)};
  return spec;
}

// A valid study config (one objective) over `parameters`.
inline StudyConfig Space(std::vector<ParameterSpec> parameters,
                         uint64_t seed = 42) {
  StudyConfig config;
  config.parameters = std::move(parameters);
  config.objectives = {{"loss", Direction::kMinimize}};
  config.seed = seed;
  return config;
}

}  // namespace knob::testing

#endif  // KNOB_TESTS_TESTING_SPACE_BUILDERS_H_

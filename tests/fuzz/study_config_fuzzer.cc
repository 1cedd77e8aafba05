// Fuzzes search-space parsing and validation: arbitrary bytes parsed as a
// knob.v1.StudyConfig go through the conversion to the domain model and
// ValidateStudyConfig, as a CreateStudy request's config does. A config that
// passes must be one the rest of the server can work with: a sampling order
// covering every parameter once, every discrete domain's points mapping
// back to their index, and an assignment of each active parameter's first
// point accepted by NormalizeAssignment.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "knob/v1/study.pb.h"
#include "server/api/convert.h"
#include "server/model/search_space.h"
#include "server/model/study_config_validation.h"

namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "study_config_fuzzer: %s\n", what.c_str());
  std::abort();
}

// A point the domain can take: its first grid point, or a continuous
// float's lower bound.
knob::ParamValue FirstPoint(const knob::Domain& domain) {
  if (const auto* floats = std::get_if<knob::FloatDomain>(&domain);
      floats != nullptr && !floats->step) {
    return floats->min;
  }
  return knob::DomainPoint(domain, 0);
}

void CheckDiscreteDomain(const knob::ParameterSpec& spec) {
  const std::optional<int64_t> cardinality =
      knob::DomainCardinality(spec.domain);
  if (!cardinality) return;
  if (*cardinality < 1) Fail(spec.name + ": a valid domain with no value");
  for (const int64_t index : {int64_t{0}, *cardinality / 2, *cardinality - 1}) {
    const knob::ParamValue point = knob::DomainPoint(spec.domain, index);
    if (!knob::DomainContains(spec.domain, point)) {
      Fail(spec.name + ": grid point outside its own domain");
    }
    if (knob::DomainIndex(spec.domain, point) != index) {
      Fail(spec.name + ": DomainIndex does not invert DomainPoint");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  knob::v1::StudyConfig proto;
  if (!proto.ParseFromArray(data, static_cast<int>(size))) return 0;
  absl::StatusOr<knob::StudyConfig> config = knob::api::FromProto(proto);
  if (!config.ok()) {
    if (config.status().code() != absl::StatusCode::kInvalidArgument) {
      Fail("conversion failed with " + config.status().ToString());
    }
    return 0;
  }
  const absl::Status valid = knob::ValidateStudyConfig(*config);
  if (!valid.ok()) {
    if (valid.code() != absl::StatusCode::kInvalidArgument) {
      Fail("validation failed with " + valid.ToString());
    }
    return 0;
  }

  const std::vector<const knob::ParameterSpec*> order =
      knob::SamplingOrder(*config);
  absl::flat_hash_set<std::string> seen;
  for (const knob::ParameterSpec* spec : order) seen.insert(spec->name);
  if (order.size() != config->parameters.size() ||
      seen.size() != order.size()) {
    Fail("the sampling order does not hold every parameter once");
  }
  knob::ParamAssignment assignment;
  for (const knob::ParameterSpec* spec : order) {
    CheckDiscreteDomain(*spec);
    knob::DomainDescription(spec->domain);
    if (knob::IsActive(*spec, assignment)) {
      assignment[spec->name] = FirstPoint(spec->domain);
    }
  }
  const absl::StatusOr<knob::ParamAssignment> normalized =
      knob::NormalizeAssignment(*config, assignment);
  if (!normalized.ok()) {
    Fail("the first point of a valid space is refused: " +
         normalized.status().ToString());
  }
  return 0;
}

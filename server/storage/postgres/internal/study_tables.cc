#include "server/storage/postgres/internal/study_tables.h"

#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "server/storage/postgres/internal/codec.h"

namespace knob::postgres_internal {
namespace {

using Json = nlohmann::json;

Json Labels(const std::vector<ParamValue>& values) {
  Json labels = Json::array();
  for (const ParamValue& value : values) {
    labels.push_back(ParamValueLabel(value));
  }
  return labels;
}

// Fills the kind-specific columns of a study_parameter row.
struct DomainColumns {
  Json& row;

  void operator()(const FloatDomain& d) const {
    row["kind"] = "float";
    row["min_value"] = DoubleLiteral(d.min);
    row["max_value"] = DoubleLiteral(d.max);
    row["log_scale"] = d.log_scale;
    if (d.step.has_value()) row["step"] = DoubleLiteral(*d.step);
  }
  void operator()(const IntDomain& d) const {
    row["kind"] = "int";
    row["min_value"] = absl::StrCat(d.min);
    row["max_value"] = absl::StrCat(d.max);
    row["log_scale"] = d.log_scale;
    row["step"] = absl::StrCat(d.step);
  }
  void operator()(const CategoricalDomain& d) const {
    row["kind"] = "categorical";
    row["log_scale"] = false;
    row["choices"] = Labels(d.choices);
  }
  void operator()(const FixedDomain& d) const {
    row["kind"] = "fixed";
    row["log_scale"] = false;
    row["fixed_value"] = ParamValueLabel(d.value);
  }
};

}  // namespace

Json StudyParameterRows(const StudyConfig& config) {
  Json rows = Json::array();
  for (size_t i = 0; i < config.parameters.size(); ++i) {
    const ParameterSpec& spec = config.parameters[i];
    Json row = {{"position", i}, {"name", spec.name}};
    std::visit(DomainColumns{row}, spec.domain);
    if (spec.condition.has_value()) {
      row["condition_parent"] = spec.condition->parent;
      row["condition_values"] = Labels(spec.condition->values);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Json StudyObjectiveRows(const StudyConfig& config) {
  Json rows = Json::array();
  for (size_t i = 0; i < config.objectives.size(); ++i) {
    const Objective& objective = config.objectives[i];
    rows.push_back({{"position", i},
                    {"metric", objective.metric},
                    {"direction", objective.direction == Direction::kMaximize
                                      ? "maximize"
                                      : "minimize"}});
  }
  return rows;
}

Json StudyConstraintRows(const StudyConfig& config) {
  Json rows = Json::array();
  for (size_t i = 0; i < config.constraints.size(); ++i) {
    const OutcomeConstraint& constraint = config.constraints[i];
    rows.push_back(
        {{"position", i},
         {"metric", constraint.metric},
         {"comparison",
          constraint.kind == OutcomeConstraint::Kind::kMax ? "<=" : ">="},
         {"bound", DoubleLiteral(constraint.bound)}});
  }
  return rows;
}

Json StudyMetricNames(const StudyConfig& config) {
  return Json(config.extra_metrics);
}

}  // namespace knob::postgres_internal

#include "server/api/convert.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/util/status_macros.h"

namespace knob::api {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl::StatusCode and grpc::StatusCode share their numbering by design.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

absl::StatusOr<ParamValue> FromProto(const v1::Value& value,
                                     const std::string& field) {
  switch (value.kind_case()) {
    case v1::Value::kDoubleValue:
      return ParamValue(value.double_value());
    case v1::Value::kIntValue:
      return ParamValue(value.int_value());
    case v1::Value::kStringValue:
      return ParamValue(value.string_value());
    case v1::Value::kBoolValue:
      return ParamValue(value.bool_value());
    case v1::Value::KIND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": value has no kind set"));
}

void ToProto(const ParamValue& value, v1::Value* proto) {
  struct Visitor {
    v1::Value* proto;
    void operator()(double v) const { proto->set_double_value(v); }
    void operator()(int64_t v) const { proto->set_int_value(v); }
    void operator()(const std::string& v) const { proto->set_string_value(v); }
    void operator()(bool v) const { proto->set_bool_value(v); }
  };
  std::visit(Visitor{proto}, value);
}

namespace {

absl::StatusOr<std::vector<ParamValue>> ValuesFromProto(
    const google::protobuf::RepeatedPtrField<v1::Value>& values,
    const std::string& field) {
  std::vector<ParamValue> result;
  for (int i = 0; i < values.size(); ++i) {
    ASSIGN_OR_RETURN(ParamValue value,
                     FromProto(values[i], absl::StrCat(field, "[", i, "]")));
    result.push_back(std::move(value));
  }
  return result;
}

void ValuesToProto(const std::vector<ParamValue>& values,
                   google::protobuf::RepeatedPtrField<v1::Value>* proto) {
  for (const ParamValue& value : values) ToProto(value, proto->Add());
}

absl::StatusOr<Domain> DomainFromProto(const v1::ParameterSpec& proto,
                                       const std::string& field) {
  switch (proto.domain_case()) {
    case v1::ParameterSpec::kFloatDomain: {
      const v1::FloatDomain& d = proto.float_domain();
      FloatDomain domain{d.min(), d.max(), d.log_scale(), std::nullopt};
      // A negative step is kept so that validation reports it.
      if (d.step() != 0) domain.step = d.step();
      return domain;
    }
    case v1::ParameterSpec::kIntDomain: {
      const v1::IntDomain& d = proto.int_domain();
      return IntDomain{d.min(), d.max(), d.log_scale(),
                       d.step() == 0 ? 1 : d.step()};
    }
    case v1::ParameterSpec::kCategoricalDomain: {
      ASSIGN_OR_RETURN(
          std::vector<ParamValue> choices,
          ValuesFromProto(proto.categorical_domain().choices(),
                          absl::StrCat(field, ".categorical_domain.choices")));
      return CategoricalDomain{std::move(choices)};
    }
    case v1::ParameterSpec::kFixedValue: {
      ASSIGN_OR_RETURN(
          ParamValue value,
          FromProto(proto.fixed_value(), absl::StrCat(field, ".fixed_value")));
      return FixedDomain{std::move(value)};
    }
    case v1::ParameterSpec::DOMAIN_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, " \"", proto.name(),
      "\": set one of float_domain, int_domain, categorical_domain, "
      "fixed_value"));
}

void DomainToProto(const Domain& domain, v1::ParameterSpec* proto) {
  struct Visitor {
    v1::ParameterSpec* proto;
    void operator()(const FloatDomain& d) const {
      v1::FloatDomain* out = proto->mutable_float_domain();
      out->set_min(d.min);
      out->set_max(d.max);
      out->set_log_scale(d.log_scale);
      if (d.step) out->set_step(*d.step);
    }
    void operator()(const IntDomain& d) const {
      v1::IntDomain* out = proto->mutable_int_domain();
      out->set_min(d.min);
      out->set_max(d.max);
      out->set_log_scale(d.log_scale);
      out->set_step(d.step);
    }
    void operator()(const CategoricalDomain& d) const {
      ValuesToProto(d.choices,
                    proto->mutable_categorical_domain()->mutable_choices());
    }
    void operator()(const FixedDomain& d) const {
      ToProto(d.value, proto->mutable_fixed_value());
    }
  };
  std::visit(Visitor{proto}, domain);
}

absl::StatusOr<AlgorithmSpec> AlgorithmFromProto(const v1::AlgorithmSpec& proto,
                                                 const std::string& field) {
  AlgorithmSpec spec{proto.name(), {}};
  for (const auto& [name, value] : proto.options()) {
    ASSIGN_OR_RETURN(spec.options[name],
                     FromProto(value, absl::StrCat(field, ".options.", name)));
  }
  return spec;
}

void AlgorithmToProto(const AlgorithmSpec& spec, v1::AlgorithmSpec* proto) {
  proto->set_name(spec.name);
  for (const auto& [name, value] : spec.options) {
    ToProto(value, &(*proto->mutable_options())[name]);
  }
}

absl::StatusOr<Direction> DirectionFromProto(v1::Direction direction,
                                             const std::string& field) {
  switch (direction) {
    case v1::DIRECTION_MINIMIZE:
      return Direction::kMinimize;
    case v1::DIRECTION_MAXIMIZE:
      return Direction::kMaximize;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": set DIRECTION_MINIMIZE or DIRECTION_MAXIMIZE, got ",
          v1::Direction_Name(direction)));
  }
}

absl::StatusOr<OutcomeConstraint> ConstraintFromProto(
    const v1::OutcomeConstraint& proto, const std::string& field) {
  switch (proto.bound_case()) {
    case v1::OutcomeConstraint::kMax:
      return OutcomeConstraint{proto.metric(), OutcomeConstraint::Kind::kMax,
                               proto.max()};
    case v1::OutcomeConstraint::kMin:
      return OutcomeConstraint{proto.metric(), OutcomeConstraint::Kind::kMin,
                               proto.min()};
    case v1::OutcomeConstraint::BOUND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(field, " \"", proto.metric(),
                   "\": set max (metric <= max) or min (metric >= min)"));
}

void ConstraintToProto(const OutcomeConstraint& constraint,
                       v1::OutcomeConstraint* proto) {
  proto->set_metric(constraint.metric);
  if (constraint.kind == OutcomeConstraint::Kind::kMax) {
    proto->set_max(constraint.bound);
  } else {
    proto->set_min(constraint.bound);
  }
}

}  // namespace

absl::Duration FromProto(const google::protobuf::Duration& proto) {
  return absl::Seconds(proto.seconds()) + absl::Nanoseconds(proto.nanos());
}

void ToProto(absl::Duration duration, google::protobuf::Duration* proto) {
  const int64_t seconds =
      absl::IDivDuration(duration, absl::Seconds(1), &duration);
  proto->set_seconds(seconds);
  proto->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(duration)));
}

void ToProto(absl::Time time, google::protobuf::Timestamp* proto) {
  const timespec ts = absl::ToTimespec(time);
  proto->set_seconds(ts.tv_sec);
  proto->set_nanos(static_cast<int32_t>(ts.tv_nsec));
}

absl::StatusOr<StudyConfig> FromProto(const v1::StudyConfig& proto) {
  StudyConfig config;
  for (int i = 0; i < proto.parameters_size(); ++i) {
    const v1::ParameterSpec& parameter = proto.parameters(i);
    const std::string field = absl::StrCat("config.parameters[", i, "]");
    ParameterSpec spec;
    spec.name = parameter.name();
    ASSIGN_OR_RETURN(spec.domain, DomainFromProto(parameter, field));
    if (parameter.has_condition()) {
      ASSIGN_OR_RETURN(
          std::vector<ParamValue> values,
          ValuesFromProto(parameter.condition().values(),
                          absl::StrCat(field, ".condition.values")));
      spec.condition =
          Condition{parameter.condition().parent(), std::move(values)};
    }
    config.parameters.push_back(std::move(spec));
  }
  for (int i = 0; i < proto.objectives_size(); ++i) {
    const v1::Objective& objective = proto.objectives(i);
    ASSIGN_OR_RETURN(Direction direction,
                     DirectionFromProto(
                         objective.direction(),
                         absl::StrCat("config.objectives[", i, "].direction")));
    config.objectives.push_back(Objective{objective.metric(), direction});
  }
  config.extra_metrics.assign(proto.extra_metrics().begin(),
                              proto.extra_metrics().end());
  for (int i = 0; i < proto.constraints_size(); ++i) {
    ASSIGN_OR_RETURN(
        OutcomeConstraint constraint,
        ConstraintFromProto(proto.constraints(i),
                            absl::StrCat("config.constraints[", i, "]")));
    config.constraints.push_back(std::move(constraint));
  }
  ASSIGN_OR_RETURN(config.sampler,
                   AlgorithmFromProto(proto.sampler(), "config.sampler"));
  ASSIGN_OR_RETURN(config.pruner,
                   AlgorithmFromProto(proto.pruner(), "config.pruner"));
  config.seed = proto.seed();
  const v1::StoppingCriteria& stopping = proto.stopping();
  if (stopping.max_trials() != 0) {
    config.stopping.max_trials = stopping.max_trials();
  }
  if (stopping.max_failed_trials() != 0) {
    config.stopping.max_failed_trials = stopping.max_failed_trials();
  }
  if (stopping.has_max_wall_time()) {
    config.stopping.max_wall_time = FromProto(stopping.max_wall_time());
  }
  if (stopping.has_target_value()) {
    config.stopping.target_value = stopping.target_value();
  }
  if (stopping.patience() != 0) config.stopping.patience = stopping.patience();
  if (proto.has_lease_duration()) {
    config.lease_duration = FromProto(proto.lease_duration());
  }
  config.max_stale_retries = proto.max_stale_retries();
  return config;
}

void ToProto(const StudyConfig& config, v1::StudyConfig* proto) {
  for (const ParameterSpec& spec : config.parameters) {
    v1::ParameterSpec* parameter = proto->add_parameters();
    parameter->set_name(spec.name);
    DomainToProto(spec.domain, parameter);
    if (spec.condition) {
      parameter->mutable_condition()->set_parent(spec.condition->parent);
      ValuesToProto(spec.condition->values,
                    parameter->mutable_condition()->mutable_values());
    }
  }
  for (const Objective& objective : config.objectives) {
    v1::Objective* out = proto->add_objectives();
    out->set_metric(objective.metric);
    out->set_direction(objective.direction == Direction::kMinimize
                           ? v1::DIRECTION_MINIMIZE
                           : v1::DIRECTION_MAXIMIZE);
  }
  for (const std::string& metric : config.extra_metrics) {
    proto->add_extra_metrics(metric);
  }
  for (const OutcomeConstraint& constraint : config.constraints) {
    ConstraintToProto(constraint, proto->add_constraints());
  }
  AlgorithmToProto(config.sampler, proto->mutable_sampler());
  AlgorithmToProto(config.pruner, proto->mutable_pruner());
  proto->set_seed(config.seed);
  v1::StoppingCriteria* stopping = proto->mutable_stopping();
  stopping->set_max_trials(config.stopping.max_trials.value_or(0));
  stopping->set_max_failed_trials(
      config.stopping.max_failed_trials.value_or(0));
  if (config.stopping.max_wall_time) {
    ToProto(*config.stopping.max_wall_time, stopping->mutable_max_wall_time());
  }
  if (config.stopping.target_value) {
    stopping->set_target_value(*config.stopping.target_value);
  }
  stopping->set_patience(config.stopping.patience.value_or(0));
  ToProto(config.lease_duration, proto->mutable_lease_duration());
  proto->set_max_stale_retries(config.max_stale_retries);
}

absl::StatusOr<ParamAssignment> FromProto(
    const google::protobuf::Map<std::string, v1::Value>& parameters,
    const std::string& field) {
  ParamAssignment assignment;
  for (const auto& [name, value] : parameters) {
    ASSIGN_OR_RETURN(assignment[name],
                     FromProto(value, absl::StrCat(field, "[\"", name, "\"]")));
  }
  return assignment;
}

absl::StatusOr<std::optional<StudyState>> FromProto(v1::StudyState state,
                                                    const std::string& field) {
  switch (state) {
    case v1::STUDY_STATE_UNSPECIFIED:
      return std::nullopt;
    case v1::STUDY_STATE_RUNNING:
      return StudyState::kRunning;
    case v1::STUDY_STATE_PAUSED:
      return StudyState::kPaused;
    case v1::STUDY_STATE_STOPPED:
      return StudyState::kStopped;
    case v1::STUDY_STATE_COMPLETED:
      return StudyState::kCompleted;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": unknown study state ", state));
  }
}

v1::StudyState ToProto(StudyState state) {
  switch (state) {
    case StudyState::kRunning:
      return v1::STUDY_STATE_RUNNING;
    case StudyState::kPaused:
      return v1::STUDY_STATE_PAUSED;
    case StudyState::kStopped:
      return v1::STUDY_STATE_STOPPED;
    case StudyState::kCompleted:
      return v1::STUDY_STATE_COMPLETED;
  }
  return v1::STUDY_STATE_UNSPECIFIED;
}

absl::StatusOr<TrialState> FromProto(v1::TrialState state,
                                     const std::string& field) {
  switch (state) {
    case v1::TRIAL_STATE_WAITING:
      return TrialState::kWaiting;
    case v1::TRIAL_STATE_RUNNING:
      return TrialState::kRunning;
    case v1::TRIAL_STATE_COMPLETED:
      return TrialState::kCompleted;
    case v1::TRIAL_STATE_PRUNED:
      return TrialState::kPruned;
    case v1::TRIAL_STATE_FAILED:
      return TrialState::kFailed;
    case v1::TRIAL_STATE_STALE:
      return TrialState::kStale;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": set a trial state, got ", v1::TrialState_Name(state)));
  }
}

v1::TrialState ToProto(TrialState state) {
  switch (state) {
    case TrialState::kWaiting:
      return v1::TRIAL_STATE_WAITING;
    case TrialState::kRunning:
      return v1::TRIAL_STATE_RUNNING;
    case TrialState::kCompleted:
      return v1::TRIAL_STATE_COMPLETED;
    case TrialState::kPruned:
      return v1::TRIAL_STATE_PRUNED;
    case TrialState::kFailed:
      return v1::TRIAL_STATE_FAILED;
    case TrialState::kStale:
      return v1::TRIAL_STATE_STALE;
  }
  return v1::TRIAL_STATE_UNSPECIFIED;
}

void ToProto(const StudyInfo& info, v1::Study* proto) {
  const Study& study = info.study;
  proto->set_id(study.id);
  proto->set_name(study.name);
  ToProto(study.config, proto->mutable_config());
  proto->set_state(ToProto(study.state));
  proto->set_state_reason(study.state_reason);
  proto->mutable_metadata()->insert(study.metadata.begin(),
                                    study.metadata.end());
  ToProto(study.create_time, proto->mutable_create_time());
  ToProto(study.update_time, proto->mutable_update_time());
  proto->set_sequence(study.sequence);
  v1::TrialCounts* counts = proto->mutable_trial_counts();
  counts->set_waiting(info.counts.waiting);
  counts->set_running(info.counts.running);
  counts->set_completed(info.counts.completed);
  counts->set_pruned(info.counts.pruned);
  counts->set_failed(info.counts.failed);
  counts->set_stale(info.counts.stale);
  counts->set_retried(info.counts.retried);
}

void ToProto(const Trial& trial, v1::Trial* proto) {
  proto->set_id(trial.id);
  proto->set_study_id(trial.study_id);
  proto->set_number(trial.number);
  proto->set_state(ToProto(trial.state));
  for (const auto& [name, value] : trial.params) {
    ToProto(value, &(*proto->mutable_parameters())[name]);
  }
  for (double value : trial.values) proto->add_values(value);
  proto->mutable_metrics()->insert(trial.metrics.begin(), trial.metrics.end());
  for (const IntermediateValue& value : trial.intermediate_values) {
    v1::IntermediateValue* out = proto->add_intermediate_values();
    out->set_step(value.step);
    out->set_metric(value.metric);
    out->set_value(value.value);
    out->set_should_prune(value.should_prune);
    out->set_prune_reason(value.prune_reason);
  }
  proto->set_worker_id(trial.worker_id);
  proto->mutable_environment()->insert(trial.environment.begin(),
                                       trial.environment.end());
  proto->set_fail_reason(trial.fail_reason);
  ToProto(trial.create_time, proto->mutable_create_time());
  if (trial.start_time) ToProto(*trial.start_time, proto->mutable_start_time());
  if (trial.end_time) ToProto(*trial.end_time, proto->mutable_end_time());
  if (trial.lease_deadline) {
    ToProto(*trial.lease_deadline, proto->mutable_lease_deadline());
  }
  proto->set_sequence(trial.sequence);
  if (trial.retry_of.has_value()) proto->set_retry_of(*trial.retry_of);
}

}  // namespace knob::api

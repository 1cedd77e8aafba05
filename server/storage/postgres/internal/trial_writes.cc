#include "server/storage/postgres/internal/trial_writes.h"

#include <optional>
#include <utility>
#include <variant>

#include "pqxx/result"
#include "server/model/value.h"
#include "server/storage/postgres/internal/codec.h"
#include "server/storage/postgres/internal/json_rows.h"
#include "server/storage/postgres/internal/statements.h"

namespace knob::postgres_internal {
namespace {

JsonRows& OptionalTime(JsonRows& row, absl::string_view key,
                       const std::optional<absl::Time>& time) {
  return time.has_value() ? row.Text(key, TimestampLiteral(*time))
                          : row.Null(key);
}

void AddNewTrial(const Trial& trial, JsonRows& trials, JsonRows& params) {
  JsonRows& row = trials.Row()
                      .Int("id", trial.id)
                      .Int("number", trial.number)
                      .Text("state", TrialStateName(trial.state))
                      .Text("worker_id", trial.worker_id)
                      .Object("environment", trial.environment)
                      .Text("create_time", TimestampLiteral(trial.create_time))
                      .Text("suggest_request_id", trial.suggest_request_id)
                      .Text("enqueue_request_id", trial.enqueue_request_id);
  OptionalTime(row, "start_time", trial.start_time);
  OptionalTime(row, "lease_deadline", trial.lease_deadline);
  if (trial.retry_of.has_value()) row.Int("retry_of", *trial.retry_of);
  for (const auto& [name, value] : trial.params) {
    const std::string label = ParamValueLabel(value);
    JsonRows& param = params.Row()
                          .Int("trial_id", trial.id)
                          .Text("name", name)
                          .Text("kind", ParamValueKindName(value))
                          .Text("label", label);
    // The typed columns analysts query; the label keeps the exact value.
    if (std::holds_alternative<double>(value)) param.Text("float_value", label);
    if (std::holds_alternative<int64_t>(value)) param.Text("int_value", label);
    if (std::holds_alternative<bool>(value)) param.Text("bool_value", label);
  }
}

void AddFinishedTrial(const Trial& trial, const StudyConfig& config,
                      JsonRows& finishes, JsonRows& values, JsonRows& metrics) {
  OptionalTime(finishes.Row()
                   .Int("id", trial.id)
                   .Text("state", TrialStateName(trial.state))
                   .Text("fail_reason", trial.fail_reason)
                   .Text("complete_request_id", trial.complete_request_id),
               "end_time", trial.end_time);
  for (size_t i = 0; i < trial.values.size(); ++i) {
    JsonRows& row = values.Row()
                        .Int("trial_id", trial.id)
                        .Int("position", static_cast<int64_t>(i))
                        .Text("value", DoubleLiteral(trial.values[i]));
    // Checking the values against the objectives is the caller's job;
    // the metric name is there for analysts when it is known.
    if (i < config.objectives.size()) {
      row.Text("metric", config.objectives[i].metric);
    }
  }
  for (const auto& [name, value] : trial.metrics) {
    metrics.Row()
        .Int("trial_id", trial.id)
        .Text("name", name)
        .Text("value", DoubleLiteral(value));
  }
}

}  // namespace

void PendingTrialWrites::Create(Trial trial) {
  touched_.insert(trial.id);
  created_.push_back(std::move(trial));
}

void PendingTrialWrites::Finish(Trial trial) {
  touched_.insert(trial.id);
  needed_[trial.id] = TrialState::kRunning;
  finished_ids_.insert(trial.id);
  finished_.push_back(std::move(trial));
}

void PendingTrialWrites::Report(int64_t trial_id, IntermediateValue value) {
  touched_.insert(trial_id);
  needed_[trial_id] = TrialState::kRunning;
  reports_.emplace_back(trial_id, std::move(value));
}

void PendingTrialWrites::Start(Trial trial) {
  touched_.insert(trial.id);
  needed_[trial.id] = TrialState::kWaiting;
  started_.push_back(std::move(trial));
}

void PendingTrialWrites::Extend(int64_t trial_id, absl::Time lease_deadline) {
  touched_.insert(trial_id);
  needed_[trial_id] = TrialState::kRunning;
  extended_.emplace_back(trial_id, lease_deadline);
}

std::vector<PendingTrialWrites::Miss> PendingTrialWrites::Write(
    pqxx::transaction_base& transaction, const Study& study, int64_t sequence,
    int64_t next_trial_number) {
  JsonRows trials, params, finishes, values, metrics, reports;
  for (const Trial& trial : created_) AddNewTrial(trial, trials, params);
  for (const Trial& trial : finished_) {
    AddFinishedTrial(trial, study.config, finishes, values, metrics);
  }
  // Rows in report order: the table's ids keep it.
  for (const auto& [trial_id, value] : reports_) {
    reports.Row()
        .Int("trial_id", trial_id)
        .Text("metric", value.metric)
        .Int("step", value.step)
        .Text("value", DoubleLiteral(value.value))
        .Text("request_id", value.request_id)
        .Bool("should_prune", value.should_prune)
        .Text("prune_reason", value.prune_reason);
  }
  JsonRows starts, leases;
  for (const Trial& trial : started_) {
    JsonRows& row = starts.Row()
                        .Int("id", trial.id)
                        .Text("worker_id", trial.worker_id)
                        .Object("environment", trial.environment)
                        .Text("suggest_request_id", trial.suggest_request_id);
    OptionalTime(row, "start_time", trial.start_time);
    OptionalTime(row, "lease_deadline", trial.lease_deadline);
  }
  for (const auto& [trial_id, deadline] : extended_) {
    leases.Row()
        .Int("id", trial_id)
        .Text("lease_deadline", TimestampLiteral(deadline));
  }
  pqxx::result written = transaction.exec_prepared(
      sql::kTrialsWrite, study.id, sequence, next_trial_number,
      std::move(trials).Finish(), std::move(params).Finish(),
      std::move(finishes).Finish(), std::move(values).Finish(),
      std::move(metrics).Finish(), std::move(reports).Finish(),
      std::move(starts).Finish(), std::move(leases).Finish());
  // The statement returns the ids of the trials it changed; the others
  // were not in the state their change needed.
  for (const pqxx::row& row : written) needed_.erase(row[0].as<int64_t>());
  std::vector<Miss> misses;
  for (const auto& [trial_id, state] : needed_) {
    misses.push_back(Miss{trial_id, state});
  }
  *this = PendingTrialWrites();
  return misses;
}

}  // namespace knob::postgres_internal

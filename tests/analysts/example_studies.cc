#include "tests/analysts/example_studies.h"

#include <cmath>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/text_format.h"
#include "server/util/status_macros.h"

namespace knob::testing {
namespace {

constexpr char kMlpConfig[] = R"pb(
  parameters {
    name: "learning_rate"
    float_domain { min: 1e-4 max: 0.1 log_scale: true }
  }
  parameters {
    name: "layers"
    int_domain { min: 1 max: 8 }
  }
  parameters {
    name: "optimizer"
    categorical_domain {
      choices { string_value: "sgd" }
      choices { string_value: "adam" }
    }
  }
  parameters {
    name: "momentum"
    float_domain { min: 0 max: 0.99 }
    condition {
      parent: "optimizer"
      values { string_value: "sgd" }
    }
  }
  parameters {
    name: "batch_size"
    categorical_domain {
      choices { int_value: 32 }
      choices { int_value: 64 }
      choices { int_value: 128 }
    }
  }
  parameters {
    name: "epochs"
    fixed_value { int_value: 20 }
  }
  objectives { metric: "val_loss" direction: DIRECTION_MINIMIZE }
  extra_metrics: "accuracy"
  extra_metrics: "latency_ms"
  constraints { metric: "latency_ms" max: 50 }
  sampler { name: "random" }
  pruner {
    name: "threshold"
    options {
      key: "upper"
      value { double_value: 1.0 }
    }
  }
  seed: 7
  lease_duration { seconds: 3600 }
)pb";

constexpr char kTradeoffConfig[] = R"pb(
  parameters {
    name: "layers"
    int_domain { min: 1 max: 8 }
  }
  parameters {
    name: "width"
    int_domain { min: 16 max: 512 log_scale: true }
  }
  objectives { metric: "accuracy" direction: DIRECTION_MAXIMIZE }
  objectives { metric: "latency_ms" direction: DIRECTION_MINIMIZE }
  sampler { name: "random" }
  seed: 11
  lease_duration { seconds: 3600 }
)pb";

constexpr char kWorkers[] = "abc";
constexpr const char* kGpus[] = {"A100", "V100", "T4"};

absl::Status Mismatch(absl::string_view study, int64_t number,
                      absl::string_view what) {
  return absl::InternalError(
      absl::StrCat(study, " trial ", number, ": ", what));
}

v1::Value DoubleValue(double value) {
  v1::Value v;
  v.set_double_value(value);
  return v;
}

v1::Value IntValue(int64_t value) {
  v1::Value v;
  v.set_int_value(value);
  return v;
}

v1::Value StringValue(const std::string& value) {
  v1::Value v;
  v.set_string_value(value);
  return v;
}

absl::StatusOr<int64_t> CreateStudy(Client& client, const std::string& name,
                                    const char* config) {
  v1::CreateStudyRequest request;
  request.set_name(name);
  if (!google::protobuf::TextFormat::ParseFromString(
          config, request.mutable_config())) {
    return absl::InternalError(absl::StrCat("bad config of ", name));
  }
  ASSIGN_OR_RETURN(v1::Study study, client.CreateStudy(request));
  return study.id();
}

// Hands the study's next trial to `worker_id`; it must be number `number`.
absl::StatusOr<v1::Trial> SuggestOne(
    Client& client, int64_t study_id, absl::string_view study, int64_t number,
    const std::string& worker_id,
    const std::map<std::string, std::string>& environment) {
  v1::SuggestTrialsRequest request;
  request.set_study_id(study_id);
  request.set_count(1);
  request.set_worker_id(worker_id);
  request.mutable_environment()->insert(environment.begin(), environment.end());
  ASSIGN_OR_RETURN(v1::SuggestTrialsResponse response,
                   client.SuggestTrials(request));
  if (response.trials_size() != 1 || response.trials(0).number() != number) {
    return Mismatch(study, number,
                    absl::StrCat("suggested ", response.ShortDebugString()));
  }
  return response.trials(0);
}

absl::Status Complete(Client& client, int64_t trial_id, Outcome outcome,
                      std::vector<double> values,
                      std::map<std::string, double> metrics) {
  v1::CompleteTrialRequest request;
  request.set_trial_id(trial_id);
  switch (outcome) {
    case Outcome::kCompleted:
      request.set_state(v1::TRIAL_STATE_COMPLETED);
      request.mutable_values()->Add(values.begin(), values.end());
      request.mutable_metrics()->insert(metrics.begin(), metrics.end());
      break;
    case Outcome::kFailed:
      request.set_state(v1::TRIAL_STATE_FAILED);
      request.set_fail_reason("CUDA out of memory");
      break;
    case Outcome::kPruned:
      request.set_state(v1::TRIAL_STATE_PRUNED);
      break;
    case Outcome::kRunning:
    case Outcome::kWaiting:
      return absl::InternalError("a running or waiting trial does not end");
  }
  return client.CompleteTrial(request).status();
}

MlpTrial PlanMlpTrial(int64_t n) {
  MlpTrial trial;
  trial.number = n;
  const int worker = n % 3;
  trial.worker_id = absl::StrCat("worker-", std::string(1, kWorkers[worker]));
  trial.environment = {{"host", absl::StrCat("node-", worker + 1)},
                       {"gpu", kGpus[worker]},
                       {"python", "3.11"},
                       {"torch", n < 12 ? "2.1.0" : "2.2.0"}};
  // From trial 12 on the workers run a newer stack that also reports CUDA.
  if (n >= 12) trial.environment["cuda"] = "12.1";
  // Scrambled over the range, strictly inside its bounds.
  trial.learning_rate = 1e-4 * std::pow(10.0, 2.9 * ((n * 7) % 27) / 26.0);
  trial.layers = 1 + (n * 5) % 8;
  trial.optimizer = n % 3 == 0 ? "adam" : "sgd";
  if (trial.optimizer == "sgd") trial.momentum = 0.5 + 0.015 * n;
  trial.batch_size = std::vector<int64_t>{32, 64, 128}[(n / 3) % 3];
  trial.epochs = 20;
  trial.queue_time = absl::Seconds(2 + n % 4);

  switch (n) {
    case 5:
    case 11:
    case 16:
      trial.outcome = Outcome::kFailed;
      if (n == 5) trial.curve = {0.6};
      trial.run_time = absl::Seconds(5 + n);
      return trial;
    case 8:
      trial.outcome = Outcome::kPruned;
      trial.curve = {0.9, 1.4};
      trial.run_time = absl::Seconds(10 + n);
      return trial;
    case 14:
      trial.outcome = Outcome::kPruned;
      trial.curve = {0.95, 0.97, 1.3};
      trial.run_time = absl::Seconds(10 + n);
      return trial;
    case 25:
      trial.outcome = Outcome::kRunning;
      trial.curve = {0.7};
      return trial;
    case 26:
      trial.outcome = Outcome::kWaiting;
      return trial;
    default:
      break;
  }
  trial.val_loss = 0.25 +
                   0.04 * std::abs(std::log10(trial.learning_rate) + 2.5) +
                   0.015 * trial.layers + 0.001 * n;
  trial.curve = {trial.val_loss + 0.3, trial.val_loss + 0.15, trial.val_loss};
  trial.accuracy = 1 - trial.val_loss / 2;
  trial.latency_ms = 20 + n;
  trial.run_time = absl::Seconds(30 + 7 * n);
  return trial;
}

}  // namespace

std::string StateName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kCompleted:
      return "COMPLETED";
    case Outcome::kFailed:
      return "FAILED";
    case Outcome::kPruned:
      return "PRUNED";
    case Outcome::kRunning:
      return "RUNNING";
    case Outcome::kWaiting:
      return "WAITING";
  }
  return "";
}

ExampleStudies PlanExampleStudies() {
  ExampleStudies plan;
  for (int64_t n = 0; n < 27; ++n) plan.mlp.push_back(PlanMlpTrial(n));
  // The lowest val_loss misses the latency constraint, so that the best
  // trial is the best *feasible* one.
  MlpTrial* lowest = nullptr;
  for (MlpTrial& trial : plan.mlp) {
    if (trial.outcome != Outcome::kCompleted) continue;
    if (lowest == nullptr || trial.val_loss < lowest->val_loss) {
      lowest = &trial;
    }
  }
  lowest->latency_ms = 75;

  // (accuracy, latency_ms): a front of 0, 1, 3, 6, 7 and 9, with trials
  // dominated by being worse in one objective and equal in the other (4, 8),
  // worse in both (2), and an exact tie on the front (1 and 7).
  const std::vector<std::pair<double, double>> points = {
      {0.80, 10}, {0.85, 20}, {0.84, 25}, {0.90, 40}, {0.90, 45},
      {0, 0},     {0.95, 80}, {0.85, 20}, {0.70, 10}, {0.99, 200}};
  for (int64_t n = 0; n < static_cast<int64_t>(points.size()); ++n) {
    TradeoffTrial trial;
    trial.number = n;
    trial.worker_id = n % 2 == 0 ? "worker-a" : "worker-b";
    trial.outcome = n == 5 ? Outcome::kFailed : Outcome::kCompleted;
    trial.accuracy = points[n].first;
    trial.latency_ms = points[n].second;
    trial.run_time = absl::Seconds(20);
    plan.tradeoff.push_back(trial);
  }
  return plan;
}

absl::Status CreateExampleStudies(Client& client, ManualClock& clock,
                                  const ExampleStudies& plan) {
  ASSIGN_OR_RETURN(int64_t tradeoff_id,
                   CreateStudy(client, "mnist-tradeoff", kTradeoffConfig));
  for (const TradeoffTrial& trial : plan.tradeoff) {
    clock.Advance(absl::Seconds(1));
    ASSIGN_OR_RETURN(
        v1::Trial suggested,
        SuggestOne(client, tradeoff_id, "mnist-tradeoff", trial.number,
                   trial.worker_id, {{"host", trial.worker_id}}));
    clock.Advance(trial.run_time);
    RETURN_IF_ERROR(Complete(client, suggested.id(), trial.outcome,
                             {trial.accuracy, trial.latency_ms}, {}));
  }

  ASSIGN_OR_RETURN(int64_t mlp_id,
                   CreateStudy(client, "mnist-mlp", kMlpConfig));
  for (const MlpTrial& trial : plan.mlp) {
    clock.Advance(absl::Seconds(1));
    v1::EnqueueTrialRequest enqueue;
    enqueue.set_study_id(mlp_id);
    auto& params = *enqueue.mutable_parameters();
    params["learning_rate"] = DoubleValue(trial.learning_rate);
    params["layers"] = IntValue(trial.layers);
    params["optimizer"] = StringValue(trial.optimizer);
    if (trial.momentum.has_value()) {
      params["momentum"] = DoubleValue(*trial.momentum);
    }
    params["batch_size"] = IntValue(trial.batch_size);
    params["epochs"] = IntValue(trial.epochs);
    ASSIGN_OR_RETURN(v1::Trial enqueued, client.EnqueueTrial(enqueue));
    if (enqueued.number() != trial.number) {
      return Mismatch("mnist-mlp", trial.number,
                      absl::StrCat("enqueued as ", enqueued.number()));
    }
    if (trial.outcome == Outcome::kWaiting) continue;

    clock.Advance(trial.queue_time);
    ASSIGN_OR_RETURN(v1::Trial running,
                     SuggestOne(client, mlp_id, "mnist-mlp", trial.number,
                                trial.worker_id, trial.environment));
    for (size_t i = 0; i < trial.curve.size(); ++i) {
      v1::ReportIntermediateRequest report;
      report.set_trial_id(running.id());
      report.set_step(static_cast<int64_t>(i) + 1);
      report.set_value(trial.curve[i]);
      ASSIGN_OR_RETURN(v1::ReportIntermediateResponse answer,
                       client.ReportIntermediate(report));
      const bool planned_prune =
          trial.outcome == Outcome::kPruned && i + 1 == trial.curve.size();
      if (answer.should_prune() != planned_prune) {
        return Mismatch(
            "mnist-mlp", trial.number,
            absl::StrCat("the pruner answered ", answer.ShortDebugString(),
                         " at step ", i + 1));
      }
    }
    if (trial.outcome == Outcome::kRunning) continue;

    clock.Advance(trial.run_time);
    RETURN_IF_ERROR(Complete(
        client, running.id(), trial.outcome, {trial.val_loss},
        {{"accuracy", trial.accuracy}, {"latency_ms", trial.latency_ms}}));
  }
  return absl::OkStatus();
}

}  // namespace knob::testing

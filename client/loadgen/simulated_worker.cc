#include "client/loadgen/simulated_worker.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/grpc_status.h"

namespace knob::loadgen {
namespace {

// The zero-cost objective: the sum of squares of the numeric parameters,
// so that the stored values vary as in a real study.
double Objective(const v1::Trial& trial) {
  double value = 0;
  for (const auto& [name, parameter] : trial.parameters()) {
    if (parameter.has_double_value()) {
      value += parameter.double_value() * parameter.double_value();
    } else if (parameter.has_int_value()) {
      const auto number = static_cast<double>(parameter.int_value());
      value += number * number;
    }
  }
  return value;
}

std::string CodeName(const grpc::Status& status) {
  return absl::StatusCodeToString(FromGrpcStatus(status).code());
}

}  // namespace

void WorkerStats::Merge(const WorkerStats& other) {
  cycles += other.cycles;
  suggest_latency.Merge(other.suggest_latency);
  report_latency.Merge(other.report_latency);
  complete_latency.Merge(other.complete_latency);
  for (const auto& [code, count] : other.errors) errors[code] += count;
}

int64_t WorkerStats::error_count() const {
  int64_t total = 0;
  for (const auto& [code, count] : errors) total += count;
  return total;
}

SimulatedWorker::SimulatedWorker(v1::TrialService::Stub& stub, int64_t study_id,
                                 CycleBudget& budget, int reports,
                                 std::string worker_id,
                                 std::string request_id_prefix,
                                 absl::Time stop_at,
                                 absl::Duration call_timeout,
                                 std::function<void()> on_done)
    : stub_(stub),
      study_id_(study_id),
      budget_(budget),
      reports_(reports),
      worker_id_(std::move(worker_id)),
      request_id_prefix_(std::move(request_id_prefix)),
      stop_at_(stop_at),
      call_timeout_(call_timeout),
      on_done_(std::move(on_done)) {}

void SimulatedWorker::Start() { Suggest(); }

std::unique_ptr<grpc::ClientContext> SimulatedWorker::NewContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + call_timeout_));
  return context;
}

std::string SimulatedWorker::NextRequestId() {
  return absl::StrCat(request_id_prefix_, "-", requests_++);
}

void SimulatedWorker::CountError(const std::string& code) {
  ++stats_.errors[code];
}

void SimulatedWorker::Suggest() {
  if (absl::Now() >= stop_at_) {
    on_done_();
    return;
  }
  if (!holds_cycle_) {
    if (!budget_.Take()) {
      on_done_();
      return;
    }
    holds_cycle_ = true;
  }
  suggest_context_ = NewContext();
  suggest_request_.Clear();
  suggest_request_.set_study_id(study_id_);
  suggest_request_.set_count(1);
  suggest_request_.set_worker_id(worker_id_);
  suggest_request_.set_request_id(NextRequestId());
  suggest_response_.Clear();
  call_start_ = absl::Now();
  stub_.async()->SuggestTrials(
      suggest_context_.get(), &suggest_request_, &suggest_response_,
      [this](grpc::Status status) { OnSuggested(status); });
}

void SimulatedWorker::OnSuggested(const grpc::Status& status) {
  stats_.suggest_latency.Record(absl::Now() - call_start_);
  if (status.ok() && suggest_response_.trials_size() > 0) {
    reported_ = 0;
    ReportOrComplete();
    return;
  }
  CountError(status.ok() ? "STUDY_DONE" : CodeName(status));
  retry_alarm_.Set(absl::ToChronoTime(absl::Now() + kRetryPause),
                   [this](bool) { Suggest(); });
}

void SimulatedWorker::ReportOrComplete() {
  if (reported_ == reports_) {
    Complete();
    return;
  }
  const v1::Trial& trial = suggest_response_.trials(0);
  report_context_ = NewContext();
  report_request_.Clear();
  report_request_.set_trial_id(trial.id());
  report_request_.set_step(reported_);
  // A learning curve that falls towards the final value.
  report_request_.set_value(Objective(trial) + 1.0 / (reported_ + 1));
  report_request_.set_request_id(NextRequestId());
  report_response_.Clear();
  call_start_ = absl::Now();
  stub_.async()->ReportIntermediate(
      report_context_.get(), &report_request_, &report_response_,
      [this](grpc::Status status) { OnReported(status); });
}

void SimulatedWorker::OnReported(const grpc::Status& status) {
  stats_.report_latency.Record(absl::Now() - call_start_);
  // A failed report is counted; the worker goes on with its trial, as a
  // worker that cannot reach the server for one report would.
  if (!status.ok()) CountError(CodeName(status));
  ++reported_;
  ReportOrComplete();
}

void SimulatedWorker::Complete() {
  const v1::Trial& trial = suggest_response_.trials(0);
  complete_context_ = NewContext();
  complete_request_.Clear();
  complete_request_.set_trial_id(trial.id());
  complete_request_.set_state(v1::TRIAL_STATE_COMPLETED);
  complete_request_.add_values(Objective(trial));
  complete_request_.set_request_id(NextRequestId());
  complete_response_.Clear();
  call_start_ = absl::Now();
  stub_.async()->CompleteTrial(
      complete_context_.get(), &complete_request_, &complete_response_,
      [this](grpc::Status status) { OnCompleted(status); });
}

void SimulatedWorker::OnCompleted(const grpc::Status& status) {
  stats_.complete_latency.Record(absl::Now() - call_start_);
  if (status.ok()) {
    ++stats_.cycles;
    holds_cycle_ = false;
  } else {
    // The trial is lost to this worker; its lease will expire on the
    // server, as a crashed worker's would.
    CountError(CodeName(status));
  }
  Suggest();
}

}  // namespace knob::loadgen

// TrialContext and TrialResult, declared in worker.h.
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/values.h"
#include "client/worker.h"

namespace knob {
namespace {

const char* KindName(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kDoubleValue:
      return "double";
    case v1::Value::kIntValue:
      return "int";
    case v1::Value::kStringValue:
      return "string";
    case v1::Value::kBoolValue:
      return "bool";
    case v1::Value::KIND_NOT_SET:
      break;
  }
  return "unset";
}

}  // namespace

TrialResult::TrialResult(Outcome outcome, std::vector<double> values,
                         std::map<std::string, double> metrics,
                         std::string reason)
    : outcome_(outcome),
      values_(std::move(values)),
      metrics_(std::move(metrics)),
      reason_(std::move(reason)) {}

TrialResult TrialResult::Completed(std::vector<double> values,
                                   std::map<std::string, double> metrics) {
  return TrialResult(Outcome::kCompleted, std::move(values), std::move(metrics),
                     "");
}

TrialResult TrialResult::Pruned(std::string reason) {
  return TrialResult(Outcome::kPruned, {}, {}, std::move(reason));
}

TrialResult TrialResult::Failed(std::string reason) {
  return TrialResult(Outcome::kFailed, {}, {}, std::move(reason));
}

TrialContext::TrialContext(Client& client, const v1::Study& study,
                           v1::Trial trial)
    : client_(client), study_(study), trial_(std::move(trial)) {}

bool TrialContext::Has(std::string_view name) const {
  return trial_.parameters().contains(std::string(name));
}

const v1::Value* TrialContext::Find(std::string_view name,
                                    std::string_view wanted) const {
  const std::string key(name);
  const std::string kind(wanted);
  const auto it = trial_.parameters().find(key);
  std::string error;
  if (it == trial_.parameters().end()) {
    error = absl::StrCat("parameter \"", key, "\" is not set in trial ",
                         trial_.number(), " (read as ", kind, ")");
  } else {
    const v1::Value& value = it->second;
    const bool matches = (wanted == "double" && (value.has_double_value() ||
                                                 value.has_int_value())) ||
                         (wanted == "int" && value.has_int_value()) ||
                         (wanted == "string" && value.has_string_value()) ||
                         (wanted == "bool" && value.has_bool_value());
    if (matches) return &value;
    error = absl::StrCat("parameter \"", key, "\" is a ", KindName(value), " (",
                         ValueLabel(value), "), read as ", kind);
  }
  absl::MutexLock lock(&mu_);
  if (parameter_error_.empty()) parameter_error_ = std::move(error);
  return nullptr;
}

double TrialContext::Double(std::string_view name) const {
  const v1::Value* value = Find(name, "double");
  if (value == nullptr) return 0;
  return value->has_int_value() ? static_cast<double>(value->int_value())
                                : value->double_value();
}

int64_t TrialContext::Int(std::string_view name) const {
  const v1::Value* value = Find(name, "int");
  return value == nullptr ? 0 : value->int_value();
}

std::string TrialContext::String(std::string_view name) const {
  const v1::Value* value = Find(name, "string");
  return value == nullptr ? "" : value->string_value();
}

bool TrialContext::Bool(std::string_view name) const {
  const v1::Value* value = Find(name, "bool");
  return value != nullptr && value->bool_value();
}

absl::StatusOr<bool> TrialContext::Report(int64_t step, double value,
                                          std::string_view metric) {
  v1::ReportIntermediateRequest request;
  request.set_trial_id(trial_.id());
  request.set_step(step);
  request.set_value(value);
  request.set_metric(std::string(metric));
  absl::StatusOr<v1::ReportIntermediateResponse> response =
      client_.ReportIntermediate(request);
  if (!response.ok()) return response.status();
  if (response->should_prune()) {
    RequestStop(response->reason().empty() ? "pruned" : response->reason());
  }
  return response->should_prune();
}

void TrialContext::RequestStop(std::string_view reason) {
  {
    absl::MutexLock lock(&mu_);
    if (stop_reason_.empty()) {
      stop_reason_ = reason.empty() ? "stop requested" : std::string(reason);
    }
  }
  stop_.store(true, std::memory_order_release);
}

std::string TrialContext::StopReason() const {
  absl::MutexLock lock(&mu_);
  return stop_reason_;
}

std::string TrialContext::ParameterError() const {
  absl::MutexLock lock(&mu_);
  return parameter_error_;
}

}  // namespace knob

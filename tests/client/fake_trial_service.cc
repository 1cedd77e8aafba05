#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/values.h"
#include "tests/client/fake_knob_server.h"

namespace knob::testing {
namespace {

using State = FakeKnobServer::State;

void SetNow(google::protobuf::Timestamp* timestamp) {
  const absl::Time now = absl::Now();
  timestamp->set_seconds(absl::ToUnixSeconds(now));
  timestamp->set_nanos(static_cast<int32_t>(
      (now - absl::FromUnixSeconds(absl::ToUnixSeconds(now))) /
      absl::Nanoseconds(1)));
}

bool ConditionHolds(const v1::ParameterSpec& spec, const v1::Trial& trial) {
  if (!spec.has_condition()) return true;
  const auto it = trial.parameters().find(spec.condition().parent());
  if (it == trial.parameters().end()) return false;
  for (const v1::Value& value : spec.condition().values()) {
    if (ValueLabel(value) == ValueLabel(it->second)) return true;
  }
  return false;
}

// Deterministic points spread over the space by the trial number.
void Sample(const v1::StudyConfig& config, v1::Trial& trial) {
  const int64_t n = trial.number();
  const double fraction = std::fmod(static_cast<double>(n) * 0.618034, 1.0);
  for (const v1::ParameterSpec& spec : config.parameters()) {
    if (!ConditionHolds(spec, trial)) continue;
    v1::Value& value = (*trial.mutable_parameters())[spec.name()];
    if (spec.has_float_domain()) {
      const auto& d = spec.float_domain();
      value.set_double_value(d.min() + (d.max() - d.min()) * fraction);
    } else if (spec.has_int_domain()) {
      const auto& d = spec.int_domain();
      value.set_int_value(d.min() + n % (d.max() - d.min() + 1));
    } else if (spec.has_categorical_domain()) {
      const auto& choices = spec.categorical_domain().choices();
      value = choices[static_cast<int>(n % choices.size())];
    } else {
      value = spec.fixed_value();
    }
  }
}

bool Dominates(const v1::Study& study, const v1::Trial& a, const v1::Trial& b) {
  bool better = false;
  for (int i = 0; i < study.config().objectives_size(); ++i) {
    const double sign =
        study.config().objectives(i).direction() == v1::DIRECTION_MAXIMIZE ? -1
                                                                           : 1;
    if (sign * a.values(i) > sign * b.values(i)) return false;
    if (sign * a.values(i) < sign * b.values(i)) better = true;
  }
  return better;
}

class FakeTrialService final : public v1::TrialService::Service {
 public:
  explicit FakeTrialService(State& state) : state_(state) {}

  grpc::Status SuggestTrials(grpc::ServerContext*,
                             const v1::SuggestTrialsRequest* request,
                             v1::SuggestTrialsResponse* response) override {
    absl::MutexLock lock(&state_.mu);
    const std::string& id = request->request_id();
    if (grpc::Status s = state_.Enter("SuggestTrials", id); !s.ok()) return s;
    const std::string reply_key = "SuggestTrials/" + id;
    if (auto it = state_.replies.find(reply_key); it != state_.replies.end()) {
      response->ParseFromString(it->second);
      return grpc::Status::OK;
    }
    v1::Study* study = state_.FindStudy(request->study_id());
    if (study == nullptr) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "study_id");
    }
    if (study->state() != v1::STUDY_STATE_RUNNING) {
      response->set_study_done(true);
      response->set_done_reason(
          absl::StrCat("study is ", v1::StudyState_Name(study->state())));
      return grpc::Status::OK;
    }
    int64_t handed_out = 0;
    int64_t created = 0;
    for (const v1::Trial& trial : state_.trials) {
      if (trial.study_id() != study->id()) continue;
      ++created;
      if (trial.state() != v1::TRIAL_STATE_WAITING) ++handed_out;
    }
    const int64_t max_trials = study->config().stopping().max_trials();
    for (int i = 0; i < request->count(); ++i) {
      if (max_trials > 0 && handed_out >= max_trials) break;
      v1::Trial* trial = NextWaiting(study->id());
      if (trial == nullptr) {
        v1::Trial& fresh = state_.trials.emplace_back();
        fresh.set_id(state_.next_trial_id++);
        fresh.set_study_id(study->id());
        fresh.set_number(created++);
        SetNow(fresh.mutable_create_time());
        Sample(study->config(), fresh);
        trial = &fresh;
      }
      trial->set_state(v1::TRIAL_STATE_RUNNING);
      trial->set_worker_id(request->worker_id());
      trial->mutable_environment()->insert(request->environment().begin(),
                                           request->environment().end());
      SetNow(trial->mutable_start_time());
      ++handed_out;
      *response->add_trials() = *trial;
    }
    if (response->trials().empty()) {
      response->set_study_done(true);
      response->set_done_reason(
          absl::StrCat("max_trials=", max_trials, " reached"));
      study->set_state(v1::STUDY_STATE_COMPLETED);
    }
    state_.replies[reply_key] = response->SerializeAsString();
    return grpc::Status::OK;
  }

  grpc::Status Heartbeat(grpc::ServerContext*,
                         const v1::HeartbeatRequest* request,
                         v1::HeartbeatResponse* response) override {
    absl::MutexLock lock(&state_.mu);
    if (grpc::Status s = state_.Enter("Heartbeat", ""); !s.ok()) return s;
    for (int64_t trial_id : request->trial_ids()) {
      ++state_.heartbeats[trial_id];
      v1::TrialDirective* directive = response->add_directives();
      directive->set_trial_id(trial_id);
      if (auto it = state_.stop_trials.find(trial_id);
          it != state_.stop_trials.end()) {
        directive->set_stop(true);
        directive->set_reason(it->second);
      }
    }
    return grpc::Status::OK;
  }

  grpc::Status ReportIntermediate(
      grpc::ServerContext*, const v1::ReportIntermediateRequest* request,
      v1::ReportIntermediateResponse* response) override {
    absl::MutexLock lock(&state_.mu);
    const std::string& id = request->request_id();
    if (grpc::Status s = state_.Enter("ReportIntermediate", id); !s.ok()) {
      return s;
    }
    v1::Trial* trial = state_.FindTrial(request->trial_id());
    if (trial == nullptr || trial->state() != v1::TRIAL_STATE_RUNNING) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "trial is not running");
    }
    v1::IntermediateValue* value = trial->add_intermediate_values();
    value->set_step(request->step());
    value->set_metric(request->metric());
    value->set_value(request->value());
    if (state_.prune_from_step > 0 &&
        request->step() >= state_.prune_from_step) {
      response->set_should_prune(true);
      response->set_reason("below median");
    }
    return grpc::Status::OK;
  }

  grpc::Status CompleteTrial(grpc::ServerContext*,
                             const v1::CompleteTrialRequest* request,
                             v1::Trial* response) override {
    absl::MutexLock lock(&state_.mu);
    const std::string& id = request->request_id();
    if (grpc::Status s = state_.Enter("CompleteTrial", id); !s.ok()) return s;
    const std::string reply_key = "CompleteTrial/" + id;
    if (auto it = state_.replies.find(reply_key); it != state_.replies.end()) {
      response->ParseFromString(it->second);
      return grpc::Status::OK;
    }
    v1::Trial* trial = state_.FindTrial(request->trial_id());
    if (trial == nullptr) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "trial_id");
    }
    if (trial->state() != v1::TRIAL_STATE_RUNNING) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "trial is not running");
    }
    const v1::Study* study = state_.FindStudy(trial->study_id());
    if (request->state() == v1::TRIAL_STATE_COMPLETED &&
        request->values_size() != study->config().objectives_size()) {
      return grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("values: expected ", study->config().objectives_size(),
                       ", got ", request->values_size()));
    }
    trial->set_state(request->state());
    *trial->mutable_values() = request->values();
    *trial->mutable_metrics() = request->metrics();
    trial->set_fail_reason(request->fail_reason());
    SetNow(trial->mutable_end_time());
    *response = *trial;
    state_.replies[reply_key] = response->SerializeAsString();
    return grpc::Status::OK;
  }

  grpc::Status EnqueueTrial(grpc::ServerContext*,
                            const v1::EnqueueTrialRequest* request,
                            v1::Trial* response) override {
    absl::MutexLock lock(&state_.mu);
    if (grpc::Status s = state_.Enter("EnqueueTrial", request->request_id());
        !s.ok()) {
      return s;
    }
    if (state_.FindStudy(request->study_id()) == nullptr) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "study_id");
    }
    int64_t number = 0;
    for (const v1::Trial& trial : state_.trials) {
      if (trial.study_id() == request->study_id()) ++number;
    }
    v1::Trial& trial = state_.trials.emplace_back();
    trial.set_id(state_.next_trial_id++);
    trial.set_study_id(request->study_id());
    trial.set_number(number);
    trial.set_state(v1::TRIAL_STATE_WAITING);
    *trial.mutable_parameters() = request->parameters();
    *response = trial;
    return grpc::Status::OK;
  }

  grpc::Status GetTrial(grpc::ServerContext*,
                        const v1::GetTrialRequest* request,
                        v1::Trial* response) override {
    absl::MutexLock lock(&state_.mu);
    if (grpc::Status s = state_.Enter("GetTrial", ""); !s.ok()) return s;
    const v1::Trial* trial = state_.FindTrial(request->trial_id());
    if (trial == nullptr) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "trial_id");
    }
    *response = *trial;
    return grpc::Status::OK;
  }

  grpc::Status ListTrials(grpc::ServerContext*,
                          const v1::ListTrialsRequest* request,
                          v1::ListTrialsResponse* response) override {
    absl::MutexLock lock(&state_.mu);
    if (grpc::Status s = state_.Enter("ListTrials", ""); !s.ok()) return s;
    const int page_size = request->page_size() > 0 ? request->page_size() : 3;
    int64_t start = 0;
    if (!request->page_token().empty()) {
      absl::SimpleAtoi(request->page_token(), &start);
    }
    int64_t index = 0;
    for (const v1::Trial& trial : state_.trials) {
      if (trial.study_id() != request->study_id()) continue;
      bool wanted = request->states().empty();
      for (int state : request->states()) wanted |= state == trial.state();
      if (!wanted || index++ < start) continue;
      if (response->trials_size() == page_size) {
        response->set_next_page_token(absl::StrCat(start + page_size));
        break;
      }
      *response->add_trials() = trial;
    }
    return grpc::Status::OK;
  }

  grpc::Status GetBestTrials(grpc::ServerContext*,
                             const v1::GetBestTrialsRequest* request,
                             v1::GetBestTrialsResponse* response) override {
    absl::MutexLock lock(&state_.mu);
    if (grpc::Status s = state_.Enter("GetBestTrials", ""); !s.ok()) return s;
    const v1::Study* study = state_.FindStudy(request->study_id());
    if (study == nullptr) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "study_id");
    }
    std::vector<const v1::Trial*> completed;
    for (const v1::Trial& trial : state_.trials) {
      if (trial.study_id() == study->id() &&
          trial.state() == v1::TRIAL_STATE_COMPLETED) {
        completed.push_back(&trial);
      }
    }
    std::vector<const v1::Trial*> front;
    for (const v1::Trial* candidate : completed) {
      bool dominated = false;
      for (const v1::Trial* other : completed) {
        dominated |= Dominates(*study, *other, *candidate);
      }
      if (!dominated) front.push_back(candidate);
    }
    const size_t keep = study->config().objectives_size() == 1
                            ? std::min<size_t>(1, front.size())
                            : front.size();
    for (size_t i = 0; i < keep; ++i) *response->add_trials() = *front[i];
    return grpc::Status::OK;
  }

 private:
  v1::Trial* NextWaiting(int64_t study_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu) {
    for (v1::Trial& trial : state_.trials) {
      if (trial.study_id() == study_id &&
          trial.state() == v1::TRIAL_STATE_WAITING) {
        return &trial;
      }
    }
    return nullptr;
  }

  State& state_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewFakeTrialService(State& state) {
  return std::make_unique<FakeTrialService>(state);
}

}  // namespace knob::testing

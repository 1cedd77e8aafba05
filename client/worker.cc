#include "client/worker.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/internal/heartbeat.h"
#include "server/util/status_macros.h"

namespace knob {
namespace {

std::string HostName() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown-host";
  return name;
}

absl::Duration HeartbeatInterval(const WorkerOptions& options,
                                 const v1::Study& study) {
  const auto& lease = study.config().lease_duration();
  const absl::Duration lease_duration =
      absl::Seconds(lease.seconds()) + absl::Nanoseconds(lease.nanos());
  absl::Duration interval = options.heartbeat_interval;
  if (lease_duration > absl::ZeroDuration()) {
    interval = std::min(interval, lease_duration / 3);
  }
  return std::max(interval, absl::Milliseconds(10));
}

v1::SuggestTrialsRequest SuggestRequest(const WorkerOptions& options,
                                        const std::string& worker_id) {
  v1::SuggestTrialsRequest request;
  request.set_study_id(options.study_id);
  request.set_count(1);
  request.set_worker_id(worker_id);
  auto& environment = *request.mutable_environment();
  for (const auto& [key, value] : options.environment) environment[key] = value;
  environment.try_emplace("hostname", HostName());
  environment.try_emplace("pid", absl::StrCat(getpid()));
  environment.try_emplace("knob_client_version", ClientVersion());
  return request;
}

v1::CompleteTrialRequest CompletionRequest(
    const TrialContext& context, const absl::StatusOr<TrialResult>& result) {
  v1::CompleteTrialRequest request;
  request.set_trial_id(context.id());
  // Reading a parameter that is not there is a bug of the training code,
  // which makes whatever it computed meaningless.
  if (const std::string misuse = context.ParameterError(); !misuse.empty()) {
    request.set_state(v1::TRIAL_STATE_FAILED);
    request.set_fail_reason(misuse);
    return request;
  }
  if (!result.ok()) {
    request.set_state(v1::TRIAL_STATE_FAILED);
    const absl::Status& error = result.status();
    request.set_fail_reason(error.message().empty()
                                ? error.ToString()
                                : std::string(error.message()));
    return request;
  }
  switch (result->outcome()) {
    case TrialResult::Outcome::kCompleted:
      request.set_state(v1::TRIAL_STATE_COMPLETED);
      for (double value : result->values()) request.add_values(value);
      for (const auto& [metric, value] : result->metrics()) {
        (*request.mutable_metrics())[metric] = value;
      }
      break;
    case TrialResult::Outcome::kPruned:
      request.set_state(v1::TRIAL_STATE_PRUNED);
      request.set_fail_reason(result->reason().empty() ? context.StopReason()
                                                       : result->reason());
      break;
    case TrialResult::Outcome::kFailed:
      request.set_state(v1::TRIAL_STATE_FAILED);
      request.set_fail_reason(result->reason());
      break;
  }
  return request;
}

class WorkerLoop final {
 public:
  WorkerLoop(Client& client, const WorkerOptions& options, v1::Study study,
             const TrainFn& train)
      : client_(client),
        options_(options),
        study_(std::move(study)),
        train_(train),
        worker_id_(options.worker_id.empty() ? DefaultWorkerId()
                                             : options.worker_id),
        heartbeat_interval_(HeartbeatInterval(options, study_)) {}

  absl::StatusOr<WorkerSummary> Run() {
    const v1::SuggestTrialsRequest suggest =
        SuggestRequest(options_, worker_id_);
    int64_t started = 0;
    while (true) {
      if (options_.max_trials > 0 && started >= options_.max_trials) {
        summary_.done_reason =
            absl::StrCat("max_trials=", options_.max_trials, " reached");
        return summary_;
      }
      // A fresh request id per suggestion: each one asks for new trials.
      ASSIGN_OR_RETURN(v1::SuggestTrialsResponse response,
                       client_.SuggestTrials(suggest));
      if (response.trials().empty()) {
        if (response.study_done()) {
          summary_.study_done = true;
          summary_.done_reason = response.done_reason();
          return summary_;
        }
        absl::SleepFor(options_.idle_interval);
        continue;
      }
      for (v1::Trial& trial : *response.mutable_trials()) {
        ++started;
        RETURN_IF_ERROR(RunTrial(std::move(trial)));
      }
    }
  }

 private:
  absl::Status RunTrial(v1::Trial trial) {
    TrialContext context(client_, study_, std::move(trial));
    absl::StatusOr<TrialResult> result = absl::UnknownError("not run");
    {
      internal::TrialHeartbeat heartbeat(client_, worker_id_,
                                         heartbeat_interval_, context);
      result = train_(context);
    }
    v1::CompleteTrialRequest request = CompletionRequest(context, result);
    absl::StatusOr<v1::Trial> recorded = client_.CompleteTrial(request);
    if (recorded.status().code() == absl::StatusCode::kInvalidArgument &&
        request.state() == v1::TRIAL_STATE_COMPLETED) {
      // The result does not fit the study (e.g. a wrong number of values).
      // Recording the trial as failed beats leaving it running until its
      // lease runs out.
      request.Clear();
      request.set_trial_id(context.id());
      request.set_state(v1::TRIAL_STATE_FAILED);
      request.set_fail_reason(
          absl::StrCat("result rejected: ", recorded.status().message()));
      recorded = client_.CompleteTrial(request);
    }
    const absl::StatusCode code = recorded.status().code();
    if (code == absl::StatusCode::kFailedPrecondition ||
        code == absl::StatusCode::kNotFound) {
      ++summary_.lost;
    } else if (!recorded.ok()) {
      return recorded.status();
    } else if (request.state() == v1::TRIAL_STATE_COMPLETED) {
      ++summary_.completed;
    } else if (request.state() == v1::TRIAL_STATE_PRUNED) {
      ++summary_.pruned;
    } else {
      ++summary_.failed;
    }
    if (options_.on_trial_end) {
      options_.on_trial_end(recorded.ok() ? *recorded : context.trial(),
                            recorded.status());
    }
    return absl::OkStatus();
  }

  Client& client_;
  const WorkerOptions& options_;
  const v1::Study study_;
  const TrainFn& train_;
  const std::string worker_id_;
  const absl::Duration heartbeat_interval_;
  WorkerSummary summary_;
};

}  // namespace

std::string DefaultWorkerId() {
  return absl::StrCat(HostName(), ":", getpid());
}

absl::StatusOr<WorkerSummary> RunWorker(Client& client,
                                        const WorkerOptions& options,
                                        const TrainFn& train) {
  if (options.study_id <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("WorkerOptions.study_id must name a study (got ",
                     options.study_id, ")"));
  }
  if (!train) {
    return absl::InvalidArgumentError("RunWorker needs a training function");
  }
  ASSIGN_OR_RETURN(v1::Study study, client.GetStudyById(options.study_id));
  return WorkerLoop(client, options, std::move(study), train).Run();
}

}  // namespace knob

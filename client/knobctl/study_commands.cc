#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/knobctl/commands.h"
#include "client/knobctl/describe.h"
#include "client/knobctl/format.h"
#include "client/knobctl/spec.h"
#include "client/values.h"
#include "server/util/status_macros.h"

namespace knob::knobctl {
namespace {

std::string StudyLine(const v1::Study& study) {
  return absl::StrCat("id=", study.id(), " name=", study.name(),
                      " state=", StudyStateName(study.state()));
}

int64_t TotalTrials(const v1::TrialCounts& c) {
  return c.waiting() + c.running() + c.completed() + c.pruned() + c.failed() +
         c.stale();
}

// The best value of a single-objective study, or the size of the Pareto
// front of a multi-objective one, marked "infeasible" while no completed
// trial meets the constraints; "" while nothing completed.
absl::StatusOr<std::string> BestSummary(Client& client,
                                        const v1::Study& study) {
  if (study.trial_counts().completed() == 0) return std::string();
  v1::GetBestTrialsRequest request;
  request.set_study_id(study.id());
  ASSIGN_OR_RETURN(v1::GetBestTrialsResponse best,
                   client.GetBestTrials(request));
  if (best.trials().empty()) return std::string();
  const std::string infeasible =
      UnmetConstraints(study.config(), best.trials(0)).empty() ? ""
                                                               : " infeasible";
  if (study.config().objectives_size() > 1) {
    return absl::StrCat(best.trials_size(), " on Pareto front", infeasible);
  }
  const v1::Trial& trial = best.trials(0);
  if (trial.values().empty()) return std::string();
  return absl::StrCat(FormatDouble(trial.values(0)), " (#", trial.number(), ")",
                      infeasible);
}

absl::Status SetState(CommandEnv& env, const std::string& study_ref,
                      v1::StudyState state) {
  ASSIGN_OR_RETURN(v1::Study study, env.client.FindStudy(study_ref));
  v1::UpdateStudyRequest request;
  request.set_study_id(study.id());
  request.set_state(state);
  ASSIGN_OR_RETURN(v1::Study updated, env.client.UpdateStudy(request));
  env.out << "study " << StudyLine(updated) << "\n";
  return absl::OkStatus();
}

}  // namespace

absl::Status RunCreate(CommandEnv& env, const Args& args) {
  ASSIGN_OR_RETURN(v1::CreateStudyRequest request, ReadStudySpecFile(args[0]));
  ASSIGN_OR_RETURN(v1::Study study, env.client.CreateStudy(request));
  env.out << "created study " << StudyLine(study) << "\n";
  return absl::OkStatus();
}

absl::Status RunStudies(CommandEnv& env, const Args& args) {
  v1::ListStudiesRequest request;
  if (!env.flags.state.empty()) {
    ASSIGN_OR_RETURN(v1::StudyState state, ParseStudyState(env.flags.state));
    request.set_state(state);
  }
  ASSIGN_OR_RETURN(std::vector<v1::Study> studies,
                   env.client.ListAllStudies(request));
  Table table({"ID", "NAME", "STATE", "TRIALS", "WAITING", "RUNNING",
               "COMPLETED", "PRUNED", "FAILED", "STALE", "BEST"});
  for (const v1::Study& study : studies) {
    ASSIGN_OR_RETURN(std::string best, BestSummary(env.client, study));
    const v1::TrialCounts& c = study.trial_counts();
    table.AddRow({absl::StrCat(study.id()), study.name(),
                  StudyStateName(study.state()), absl::StrCat(TotalTrials(c)),
                  absl::StrCat(c.waiting()), absl::StrCat(c.running()),
                  absl::StrCat(c.completed()), absl::StrCat(c.pruned()),
                  absl::StrCat(c.failed()), absl::StrCat(c.stale()), best});
  }
  env.out << table.Render();
  return absl::OkStatus();
}

absl::Status RunShow(CommandEnv& env, const Args& args) {
  ASSIGN_OR_RETURN(v1::Study study, env.client.FindStudy(args[0]));
  if (!env.flags.json) {
    env.out << DescribeStudy(study);
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::string json, ProtoToJson(study));
  env.out << json;
  return absl::OkStatus();
}

absl::Status RunPause(CommandEnv& env, const Args& args) {
  return SetState(env, args[0], v1::STUDY_STATE_PAUSED);
}

absl::Status RunResume(CommandEnv& env, const Args& args) {
  return SetState(env, args[0], v1::STUDY_STATE_RUNNING);
}

absl::Status RunStop(CommandEnv& env, const Args& args) {
  return SetState(env, args[0], v1::STUDY_STATE_STOPPED);
}

absl::Status RunDelete(CommandEnv& env, const Args& args) {
  ASSIGN_OR_RETURN(v1::Study study, env.client.FindStudy(args[0]));
  const std::string what =
      absl::StrCat("study ", study.id(), " \"", study.name(), "\" and its ",
                   TotalTrials(study.trial_counts()), " trials");
  if (!env.flags.yes) {
    if (env.confirm == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "not deleting ", what, " without confirmation; pass --yes"));
    }
    env.out << "Delete " << what << "? [y/N] " << std::flush;
    std::string answer;
    std::getline(*env.confirm, answer);
    answer = absl::AsciiStrToLower(absl::StripAsciiWhitespace(answer));
    if (answer != "y" && answer != "yes") {
      return absl::CancelledError(absl::StrCat("not deleted: ", what));
    }
  }
  v1::DeleteStudyRequest request;
  request.set_study_id(study.id());
  RETURN_IF_ERROR(env.client.DeleteStudy(request).status());
  env.out << "deleted study id=" << study.id() << " name=" << study.name()
          << "\n";
  return absl::OkStatus();
}

}  // namespace knob::knobctl

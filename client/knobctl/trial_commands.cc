#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/knobctl/commands.h"
#include "client/knobctl/describe.h"
#include "client/knobctl/export.h"
#include "client/knobctl/format.h"
#include "client/knobctl/params.h"
#include "client/values.h"
#include "server/util/status_macros.h"

namespace knob::knobctl {
namespace {

std::string Duration(const v1::Trial& trial) {
  const std::optional<double> seconds = TrialDurationSeconds(trial);
  return seconds ? FormatSeconds(*seconds) : "";
}

absl::Status PrintBestJson(CommandEnv& env,
                           const v1::GetBestTrialsResponse& best) {
  ASSIGN_OR_RETURN(std::string json, ProtoToJson(best));
  env.out << json;
  return absl::OkStatus();
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (file) file << text;
  if (file) file.close();
  if (!file) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunTrials(CommandEnv& env, const Args& args) {
  ASSIGN_OR_RETURN(v1::Study study, env.client.FindStudy(args[0]));
  v1::ListTrialsRequest request;
  request.set_study_id(study.id());
  if (!env.flags.state.empty()) {
    ASSIGN_OR_RETURN(std::vector<v1::TrialState> states,
                     ParseTrialStates(env.flags.state));
    for (v1::TrialState state : states) request.add_states(state);
  }
  if (env.flags.limit < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--limit must be 0 or more, not ", env.flags.limit));
  }
  ASSIGN_OR_RETURN(std::vector<v1::Trial> trials,
                   env.client.ListAllTrials(request, env.flags.limit));
  Table table({"NUMBER", "STATE", "PARAMS", "VALUES", "WORKER", "DURATION"});
  for (const v1::Trial& trial : trials) {
    table.AddRow({absl::StrCat(trial.number()), TrialStateName(trial.state()),
                  FormatParameters(study, trial),
                  FormatObjectiveValues(study, trial), trial.worker_id(),
                  Duration(trial)});
  }
  env.out << table.Render();
  return absl::OkStatus();
}

absl::Status RunBest(CommandEnv& env, const Args& args) {
  ASSIGN_OR_RETURN(v1::Study study, env.client.FindStudy(args[0]));
  v1::GetBestTrialsRequest request;
  request.set_study_id(study.id());
  ASSIGN_OR_RETURN(v1::GetBestTrialsResponse best,
                   env.client.GetBestTrials(request));
  if (env.flags.json) return PrintBestJson(env, best);
  if (best.trials().empty()) {
    env.out << "study " << study.id() << " \"" << study.name()
            << "\" has no completed trial yet\n";
    return absl::OkStatus();
  }
  // While no completed trial is feasible the server answers with the least
  // infeasible ones: they must not pass for solutions.
  const std::vector<std::string> unmet =
      UnmetConstraints(study.config(), best.trials(0));
  if (!unmet.empty()) {
    env.out << "no completed trial meets the constraints yet; the closest "
               "misses "
            << absl::StrJoin(unmet, ", ") << "\n";
  }
  if (study.config().objectives_size() > 1) {
    env.out << "Pareto front of study " << study.id() << " \"" << study.name()
            << "\": " << best.trials_size() << " trials\n";
    Table table({"NUMBER", "VALUES", "PARAMS"});
    for (const v1::Trial& trial : best.trials()) {
      table.AddRow({absl::StrCat(trial.number()),
                    FormatObjectiveValues(study, trial),
                    FormatParameters(study, trial)});
    }
    env.out << table.Render();
    return absl::OkStatus();
  }
  const v1::Trial& trial = best.trials(0);
  env.out << "best trial " << trial.number() << " (id " << trial.id() << "):";
  for (int i = 0; i < trial.values_size(); ++i) {
    env.out << " " << ObjectiveMetric(study, i) << "="
            << FormatDouble(trial.values(i));
  }
  env.out << "\n";
  const std::map<std::string, v1::Value> parameters(trial.parameters().begin(),
                                                    trial.parameters().end());
  for (const std::string& name : ParameterNames(study, {trial})) {
    const auto it = parameters.find(name);
    if (it != parameters.end()) {
      env.out << "  " << name << " = " << ValueLabel(it->second) << "\n";
    }
  }
  const std::map<std::string, double> metrics(trial.metrics().begin(),
                                              trial.metrics().end());
  for (const auto& [metric, value] : metrics) {
    env.out << "  metric " << metric << " = " << FormatDouble(value) << "\n";
  }
  return absl::OkStatus();
}

absl::Status RunEnqueue(CommandEnv& env, const Args& args) {
  ASSIGN_OR_RETURN(v1::Study study, env.client.FindStudy(args[0]));
  const Args assignments(args.begin() + 1, args.end());
  ASSIGN_OR_RETURN(auto parameters,
                   ParseAssignments(assignments, study.config()));
  v1::EnqueueTrialRequest request;
  request.set_study_id(study.id());
  request.mutable_parameters()->insert(parameters.begin(), parameters.end());
  ASSIGN_OR_RETURN(v1::Trial trial, env.client.EnqueueTrial(request));
  env.out << "enqueued trial id=" << trial.id() << " number=" << trial.number()
          << " state=" << TrialStateName(trial.state()) << " "
          << FormatParameters(study, trial) << "\n";
  return absl::OkStatus();
}

absl::Status RunExport(CommandEnv& env, const Args& args) {
  const std::string format = absl::AsciiStrToLower(env.flags.format);
  if (format != "csv" && format != "json") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--format must be csv or json, not \"", env.flags.format, "\""));
  }
  ASSIGN_OR_RETURN(v1::Study study, env.client.FindStudy(args[0]));
  v1::ListTrialsRequest request;
  request.set_study_id(study.id());
  ASSIGN_OR_RETURN(std::vector<v1::Trial> trials,
                   env.client.ListAllTrials(request));
  const std::string text = format == "csv" ? TrialsToCsv(study, trials)
                                           : TrialsToJson(study, trials);
  if (env.flags.output.empty()) {
    env.out << text;
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(WriteFile(env.flags.output, text));
  env.out << "exported " << trials.size() << " trials of study " << study.id()
          << " to " << env.flags.output << "\n";
  return absl::OkStatus();
}

}  // namespace knob::knobctl

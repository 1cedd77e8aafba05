#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/knobctl/commands.h"
#include "client/knobctl/format.h"
#include "server/util/status_macros.h"

namespace knob::knobctl {

absl::Status RunImportance(CommandEnv& env, const Args& args) {
  ASSIGN_OR_RETURN(v1::Study study, env.client.FindStudy(args[0]));
  v1::GetParamImportancesRequest request;
  request.set_study_id(study.id());
  request.set_objective_index(env.flags.objective);
  for (auto name = args.begin() + 1; name != args.end(); ++name) {
    request.add_parameters(*name);
  }
  ASSIGN_OR_RETURN(v1::GetParamImportancesResponse importances,
                   env.client.GetParamImportances(request));
  if (env.flags.json) {
    ASSIGN_OR_RETURN(std::string json, ProtoToJson(importances));
    env.out << json;
    return absl::OkStatus();
  }
  env.out << "parameter importance for "
          << ObjectiveMetric(study, env.flags.objective) << " in study "
          << study.id() << " \"" << study.name() << "\" (fANOVA over "
          << importances.trial_count() << " completed trials)\n";
  Table table({"PARAMETER", "IMPORTANCE"});
  for (const v1::ParamImportance& entry : importances.importances()) {
    table.AddRow(
        {entry.parameter(), absl::StrFormat("%.4f", entry.importance())});
  }
  env.out << table.Render();
  return absl::OkStatus();
}

}  // namespace knob::knobctl

#include "client/knobctl/commands.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace knob::knobctl {

const std::vector<Command>& AllCommands() {
  static const auto* const kCommands = new std::vector<Command>{
      {"create", 1, 1, "create SPEC_FILE",
       "create a study from a JSON or YAML spec", RunCreate},
      {"studies", 0, 0, "studies [--state=STATE]",
       "list studies with trial counts and best value", RunStudies},
      {"show", 1, 1, "show STUDY [--json]", "a study's config and counts",
       RunShow},
      {"trials", 1, 1, "trials STUDY [--state=S1,S2] [--limit=N]",
       "list a study's trials", RunTrials},
      {"best", 1, 1, "best STUDY [--json]",
       "the best trial, or the Pareto front", RunBest},
      {"pause", 1, 1, "pause STUDY", "stop handing out trials for now",
       RunPause},
      {"resume", 1, 1, "resume STUDY", "hand out trials again", RunResume},
      {"stop", 1, 1, "stop STUDY", "stop a study for good", RunStop},
      {"delete", 1, 1, "delete STUDY [--yes]",
       "delete a study and all its trials", RunDelete},
      {"enqueue", 2, -1, "enqueue STUDY NAME=VALUE...",
       "queue a trial with given parameters", RunEnqueue},
      {"export", 1, 1, "export STUDY [--format=csv|json] [--output=FILE]",
       "write every trial as CSV or JSON", RunExport},
      {"importance", 1, -1, "importance STUDY [PARAM...] [--objective=N]",
       "each parameter's share of an objective's variance (fANOVA; --json)",
       RunImportance},
      {"report", 1, 1, "report STUDY --html=FILE",
       "write a self-contained HTML report of a study (charts and trials)",
       RunReport},
      {"health", 0, 0, "health",
       "print SERVING, or fail, per the server's gRPC health service",
       RunHealth},
  };
  return *kCommands;
}

const Command* FindCommand(std::string_view name) {
  const std::vector<Command>& commands = AllCommands();
  const auto it = std::find_if(
      commands.begin(), commands.end(),
      [name](const Command& command) { return command.name == name; });
  return it == commands.end() ? nullptr : &*it;
}

std::string UsageText() {
  std::string text =
      "usage: knobctl [--server=HOST:PORT] COMMAND [ARGS...]\n"
      "\n"
      "The server defaults to $KNOB_SERVER, else 127.0.0.1:50051. STUDY is a\n"
      "numeric id or a name.\n"
      "\n"
      "commands:\n";
  for (const Command& command : AllCommands()) {
    absl::StrAppendFormat(&text, "  %-50s %s\n", std::string(command.synopsis),
                          std::string(command.summary));
  }
  return text;
}

}  // namespace knob::knobctl

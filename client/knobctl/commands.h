// The knobctl commands. Each one talks to the server through a Client,
// prints to `out`, and returns the first error (the server's, unchanged,
// or a local one such as an unreadable spec file); main turns errors into
// "knobctl: CODE: message" and exit status 1.
#ifndef KNOB_CLIENT_KNOBCTL_COMMANDS_H_
#define KNOB_CLIENT_KNOBCTL_COMMANDS_H_

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "client/client.h"

namespace knob::knobctl {

// The options some commands take, parsed from flags by main.
struct CommandFlags {
  // studies: one study state; trials: comma-separated trial states.
  // Default: every state.
  std::string state;
  // trials: print at most this many (the lowest trial numbers); 0: all.
  int64_t limit = 0;
  // show, best, importance: print proto JSON instead of text.
  bool json = false;
  // importance: which objective to explain, 0-based.
  int objective = 0;
  // delete: do not ask for confirmation.
  bool yes = false;
  // export: "csv" or "json".
  std::string format = "csv";
  // export: the file to write; empty: standard output.
  std::string output;
  // report: the HTML file to write.
  std::string html;
};

struct CommandEnv {
  Client& client;
  const CommandFlags& flags;
  std::ostream& out;
  // Where `delete` reads a confirmation from; null when nobody can answer
  // (standard input is not a terminal), in which case it needs --yes.
  std::istream* confirm = nullptr;
};

using Args = std::vector<std::string>;

struct Command {
  std::string_view name;
  // Positional arguments after the command name; max_args < 0: no limit.
  int min_args;
  int max_args;
  std::string_view synopsis;
  std::string_view summary;
  absl::Status (*run)(CommandEnv& env, const Args& args);
};

// Every command, in the order the usage text lists them.
const std::vector<Command>& AllCommands();
// nullptr for an unknown name.
const Command* FindCommand(std::string_view name);
// The usage text: synopsis and one line per command.
std::string UsageText();

// Study commands (study_commands.cc).
absl::Status RunCreate(CommandEnv& env, const Args& args);
absl::Status RunStudies(CommandEnv& env, const Args& args);
absl::Status RunShow(CommandEnv& env, const Args& args);
absl::Status RunPause(CommandEnv& env, const Args& args);
absl::Status RunResume(CommandEnv& env, const Args& args);
absl::Status RunStop(CommandEnv& env, const Args& args);
absl::Status RunDelete(CommandEnv& env, const Args& args);

// Trial commands (trial_commands.cc).
absl::Status RunTrials(CommandEnv& env, const Args& args);
absl::Status RunBest(CommandEnv& env, const Args& args);
absl::Status RunEnqueue(CommandEnv& env, const Args& args);
absl::Status RunExport(CommandEnv& env, const Args& args);

// Analysis commands (importance_command.cc).
absl::Status RunImportance(CommandEnv& env, const Args& args);

// Report command (report.cc).
absl::Status RunReport(CommandEnv& env, const Args& args);

// Server commands (health.cc).
absl::Status RunHealth(CommandEnv& env, const Args& args);

}  // namespace knob::knobctl

#endif  // KNOB_CLIENT_KNOBCTL_COMMANDS_H_

// knobctl: the command line for Knob studies. See UsageText() in
// commands.cc for the commands.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/status.h"
#include "client/client.h"
#include "client/knobctl/commands.h"

ABSL_FLAG(std::string, server, knob::DefaultServerTarget(),
          "knob-server address, HOST:PORT (default: $KNOB_SERVER, else "
          "127.0.0.1:50051)");
ABSL_FLAG(std::string, state, "",
          "studies: running|paused|stopped|completed; trials: a "
          "comma-separated list of waiting|running|completed|pruned|failed|"
          "stale");
ABSL_FLAG(int64_t, limit, 0, "trials: print at most N trials (0: all)");
ABSL_FLAG(bool, json, false, "show, best, importance: print proto JSON");
ABSL_FLAG(int32_t, objective, 0,
          "importance: which objective to explain, 0-based");
ABSL_FLAG(bool, yes, false, "delete: do not ask for confirmation");
ABSL_FLAG(std::string, format, "csv", "export: csv or json");
ABSL_FLAG(std::string, output, "", "export: write to FILE instead of stdout");
ABSL_FLAG(std::string, html, "", "report: the HTML file to write");
ABSL_FLAG(double, timeout, 30, "seconds allowed per RPC attempt");

int main(int argc, char** argv) {
  const std::string usage = knob::knobctl::UsageText();
  absl::SetProgramUsageMessage(usage);
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::fputs(usage.c_str(), stderr);
    return 2;
  }
  const std::string name = positional[1];
  const knob::knobctl::Command* command = knob::knobctl::FindCommand(name);
  if (command == nullptr) {
    std::fprintf(stderr, "knobctl: unknown command \"%s\"\n\n%s", name.c_str(),
                 usage.c_str());
    return 2;
  }
  const knob::knobctl::Args args(positional.begin() + 2, positional.end());
  const int count = static_cast<int>(args.size());
  if (count < command->min_args ||
      (command->max_args >= 0 && count > command->max_args)) {
    std::fprintf(stderr, "usage: knobctl %s\n",
                 std::string(command->synopsis).c_str());
    return 2;
  }

  knob::knobctl::CommandFlags flags;
  flags.state = absl::GetFlag(FLAGS_state);
  flags.limit = absl::GetFlag(FLAGS_limit);
  flags.json = absl::GetFlag(FLAGS_json);
  flags.objective = absl::GetFlag(FLAGS_objective);
  flags.yes = absl::GetFlag(FLAGS_yes);
  flags.format = absl::GetFlag(FLAGS_format);
  flags.output = absl::GetFlag(FLAGS_output);
  flags.html = absl::GetFlag(FLAGS_html);

  knob::ClientOptions options;
  options.target = absl::GetFlag(FLAGS_server);
  options.call_timeout = absl::Seconds(absl::GetFlag(FLAGS_timeout));
  // A person is waiting: give up after about 1.5 s of back-off rather than
  // the library's 16 s.
  options.retry.max_attempts = 5;
  knob::Client client(options);
  knob::knobctl::CommandEnv env{
      .client = client,
      .flags = flags,
      .out = std::cout,
      .confirm = isatty(STDIN_FILENO) ? &std::cin : nullptr,
  };
  const absl::Status status = command->run(env, args);
  std::cout.flush();
  if (!status.ok()) {
    std::fprintf(stderr, "knobctl: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}

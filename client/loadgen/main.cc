// knob-loadgen: simulated workers with a zero-cost objective against a
// knob-server, to measure how many suggest + complete cycles it serves per
// second and how long each call takes.
//
//   knob-loadgen --server=127.0.0.1:50051 --workers=64 --studies=1
//                --duration=10s [--trials=N] [--sampler=random]
//                [--prefix=NAME] [--channels=4]
//
// With --trials=N the run ends once N cycles completed in all (split
// evenly over the studies), or at --duration if that comes first: a way to
// fill studies with an exact number of COMPLETED trials through the API.
// Creates the studies "<prefix>-0" … (reusing any with an equal config),
// runs the workers, then prints a table and, last, one line for scripts:
//   loadgen: workers=64 studies=1 channels=4 cycles=… cycles_per_s=…
//   p50_suggest_ms=… p99_suggest_ms=… p999_suggest_ms=… p50_complete_ms=…
//   p99_complete_ms=… p999_complete_ms=… errors=0
// Exit status 1 when the run cannot start (bad flags, no server, a study
// cannot be created); failed calls during the run are counted, not fatal.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/client.h"
#include "client/loadgen/load_run.h"
#include "client/loadgen/report.h"

ABSL_FLAG(std::string, server, knob::DefaultServerTarget(),
          "knob-server address, host:port (default: $KNOB_SERVER or "
          "127.0.0.1:50051)");
ABSL_FLAG(int, workers, 64, "simulated workers running at once");
ABSL_FLAG(int, studies, 1, "studies the workers are spread over");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10),
          "how long workers start new cycles, e.g. 10s");
ABSL_FLAG(int64_t, trials, 0,
          "stop once this many cycles completed in all, split evenly over "
          "the studies, or at --duration if that comes first (0: only "
          "--duration)");
ABSL_FLAG(std::string, sampler, "random", "sampler of the created studies");
ABSL_FLAG(std::string, prefix, "",
          "prefix of the study names (default: loadgen-<time>-<pid>, so "
          "that each run has fresh studies)");
ABSL_FLAG(int, channels, 4, "gRPC connections the workers are spread over");
ABSL_FLAG(int, reports, 0,
          "intermediate values each trial reports (ReportIntermediate) "
          "before it completes");
ABSL_FLAG(absl::Duration, call_timeout, absl::Seconds(30),
          "deadline of each call");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Runs simulated workers against a knob-server and reports cycles per "
      "second and call latencies.");
  absl::ParseCommandLine(argc, argv);
  knob::loadgen::LoadOptions options;
  options.server = absl::GetFlag(FLAGS_server);
  options.workers = absl::GetFlag(FLAGS_workers);
  options.studies = absl::GetFlag(FLAGS_studies);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.trials = absl::GetFlag(FLAGS_trials);
  options.sampler = absl::GetFlag(FLAGS_sampler);
  options.channels = absl::GetFlag(FLAGS_channels);
  options.reports = absl::GetFlag(FLAGS_reports);
  options.call_timeout = absl::GetFlag(FLAGS_call_timeout);
  options.prefix = absl::GetFlag(FLAGS_prefix);
  if (options.prefix.empty()) {
    options.prefix = absl::StrCat(
        "loadgen-",
        absl::FormatTime("%Y%m%d-%H%M%S", absl::Now(), absl::UTCTimeZone()),
        "-", getpid());
  }
  absl::StatusOr<knob::loadgen::LoadResult> result =
      knob::loadgen::RunLoad(options);
  if (!result.ok()) {
    std::fprintf(stderr, "knob-loadgen: %s\n",
                 result.status().ToString().c_str());
    return 1;
  }
  std::printf("%s%s\n", knob::loadgen::FormatReport(*result).c_str(),
              knob::loadgen::SummaryLine(*result).c_str());
  return 0;
}

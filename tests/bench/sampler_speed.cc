// sampler_speed: what one suggestion costs each registered sampler on a
// 10-D space (4 floats, 3 log-scale floats, 3 ints of which one log-scale)
// after n COMPLETED trials. Run by tests/bench/sampler_speed.sh, which puts
// Optuna's figures next to these.
//
//   sampler_speed [--samplers=tpe,gp] [--sizes=100,500,1000,10000]
//                 [--cap=60] [--budget=2] [--max_repeats=25] [--tsv=FILE]
//
// For each (sampler, n), a child process builds the history as the server
// hands it to a sampler (every trial by number; randomness seeded from
// (study seed, trial number), see sampler_testing.h): n completed trials
// at random points valued by a shifted sphere. It then times
// Sampler::Sample for the next trial again and again on one sampler
// instance, adding each proposal to the history as a completed trial, as
// the server does with the sampler it keeps per study. Reported: the
// first call (cold: a restarted server or another replica), and the median
// and the mean of the calls after it (they differ for samplers that do
// their work once per batch, like CMA-ES once per generation), in wall
// time and in CPU time. The machine is shared: wall time also counts the
// waits for a core that other programs hold, CPU time is what the
// suggestion itself cost. Repeats stop
// once they took --budget seconds (after at least 3) or at --max_repeats. A
// child still running after
// --cap seconds is killed and what it measured so far is reported; that
// sampler's larger sizes are skipped: a slow sampler is reported, not
// waited for.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/model/study.h"
#include "server/samplers/random_sampler.h"
#include "server/samplers/sampler_registry.h"
#include "tests/server/samplers/sampler_testing.h"
#include "tests/testing/space_builders.h"

ABSL_FLAG(std::vector<std::string>, samplers, {},
          "Samplers to time; default every registered one except grid.");
ABSL_FLAG(std::vector<std::string>, sizes,
          std::vector<std::string>({"100", "500", "1000", "10000"}),
          "History sizes n.");
ABSL_FLAG(double, cap, 60, "Seconds one (sampler, n) may take in all.");
ABSL_FLAG(double, budget, 2, "Seconds of repeats per (sampler, n).");
ABSL_FLAG(int, max_repeats, 25, "Most timed calls per (sampler, n).");
ABSL_FLAG(std::string, tsv, "", "Also write the rows to this file.");

namespace knob {
namespace {

using testing::Floats;
using testing::History;
using testing::Ints;
using testing::LogFloats;
using testing::LogInts;
using testing::Param;

constexpr int kMinRepeats = 3;
constexpr uint64_t kSeed = 7;

StudyConfig SpeedConfig(const std::string& sampler) {
  StudyConfig config = testing::Space(
      {Param("x0", Floats(-5, 5)), Param("x1", Floats(-5, 5)),
       Param("x2", Floats(0, 1)), Param("x3", Floats(-1, 3)),
       Param("lr0", LogFloats(1e-5, 1)), Param("lr1", LogFloats(1e-3, 10)),
       Param("lr2", LogFloats(1e-8, 1e-2)), Param("n0", Ints(1, 100)),
       Param("n1", Ints(0, 50)), Param("n2", LogInts(1, 1000))},
      kSeed);
  config.sampler = testing::SamplerSpec(sampler);
  return config;
}

// The value of a parameter as a coordinate in [0, 1] (log domains in log
// space).
double UnitCoordinate(const ParameterSpec& spec, const ParamValue& value) {
  const double x = ParamValueAsDouble(value);
  double low, high;
  bool log_scale;
  if (const auto* domain = std::get_if<FloatDomain>(&spec.domain)) {
    low = domain->min, high = domain->max, log_scale = domain->log_scale;
  } else {
    const auto& ints = std::get<IntDomain>(spec.domain);
    low = static_cast<double>(ints.min), high = static_cast<double>(ints.max);
    log_scale = ints.log_scale;
  }
  if (log_scale) {
    return (std::log(x) - std::log(low)) / (std::log(high) - std::log(low));
  }
  return (x - low) / (high - low);
}

// A sphere centred off the middle of the unit cube, per parameter a
// different centre.
double TestFunction(const StudyConfig& config, const ParamAssignment& params) {
  double sum = 0;
  for (size_t i = 0; i < config.parameters.size(); ++i) {
    const ParameterSpec& spec = config.parameters[i];
    const double centre = 0.2 + 0.06 * static_cast<double>(i);
    const double u = UnitCoordinate(spec, params.at(spec.name));
    sum += (u - centre) * (u - centre);
  }
  return sum;
}

History SyntheticHistory(const StudyConfig& config, int64_t size) {
  History history;
  for (int64_t number = 0; number < size; ++number) {
    std::mt19937_64 rng(
        config.seed ^ (static_cast<uint64_t>(number) * 0x9e3779b97f4a7c15ULL));
    ParamAssignment params;
    for (const ParameterSpec& spec : config.parameters) {
      params.emplace(spec.name, SampleUniformly(spec.domain, rng));
    }
    const double value = TestFunction(config, params);
    history.Add(std::move(params), TrialState::kCompleted);
    history.Finish(number, TrialState::kCompleted, {value});
  }
  return history;
}

// Writes all of `text` to `fd`.
void WriteAll(int fd, const std::string& text) {
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n <= 0) return;
    written += static_cast<size_t>(n);
  }
}

// The CPU time this process has used, every thread's.
double ProcessCpuSeconds() {
  timespec now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) +
         1e-9 * static_cast<double>(now.tv_nsec);
}

// Times the calls and writes one line per call to `fd` as it ends
// ("t WALL_SECONDS CPU_SECONDS"), or "error MESSAGE" when the sampler
// fails: the parent keeps what was measured even if it has to stop the
// process.
void Measure(const std::string& name, int64_t size, int fd) {
  const SamplerRegistry registry;
  const StudyConfig config = SpeedConfig(name);
  absl::StatusOr<std::unique_ptr<Sampler>> sampler =
      registry.Create(config, config.sampler);
  if (!sampler.ok()) {
    WriteAll(fd, absl::StrCat("error ", sampler.status().message(), "\n"));
    return;
  }
  History history = SyntheticHistory(config, size);
  double total = 0;
  const double budget = absl::GetFlag(FLAGS_budget);
  for (int repeat = 0; repeat < absl::GetFlag(FLAGS_max_repeats); ++repeat) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ProcessCpuSeconds();
    absl::StatusOr<ParamAssignment> params =
        testing::SampleNext(**sampler, config, history);
    const double cpu = ProcessCpuSeconds() - cpu_start;
    const std::chrono::duration<double> elapsed =
        std::chrono::steady_clock::now() - start;
    if (!params.ok()) {
      WriteAll(fd, absl::StrCat("error ", params.status().message(), "\n"));
      return;
    }
    WriteAll(fd, absl::StrCat("t ", elapsed.count(), " ", cpu, "\n"));
    total += elapsed.count();
    const double value = TestFunction(config, *params);
    const int64_t number = history.Add(*std::move(params)).number;
    history.Finish(number, TrialState::kCompleted, {value});
    if (repeat + 1 >= kMinRepeats && total >= budget) return;
  }
}

struct Row {
  std::string sampler;
  int64_t size = 0;
  // "ok"; "capped" (stopped at the cap after `seconds` calls); "timeout"
  // (stopped before one call ended, or skipped); "error".
  std::string status;
  // Per call, wall time and CPU time.
  std::vector<double> seconds;
  std::vector<double> cpu_seconds;
  std::string message;
};

// What the child process said, and whether it had to be stopped.
struct ChildOutput {
  std::string text;
  bool stopped = false;
  std::string failure;
};

// Runs Measure in a child process, killed when still running after `cap`
// seconds. The child also keeps one sampler's memory and caches away from
// the next measurement.
ChildOutput MeasureInChild(const std::string& name, int64_t size, double cap) {
  ChildOutput output;
  int fds[2];
  if (pipe(fds) != 0) {
    output.failure = "pipe() failed";
    return output;
  }
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    output.failure = "fork() failed";
    return output;
  }
  if (pid == 0) {
    close(fds[0]);
    Measure(name, size, fds[1]);
    _exit(0);
  }
  close(fds[1]);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(cap);
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      output.stopped = true;
      break;
    }
    pollfd fd{fds[0], POLLIN, 0};
    // Nothing ready (or EINTR): the deadline check above decides.
    if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(fds[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    output.text.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (output.stopped) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!output.stopped && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
    output.failure =
        absl::StrCat("the measuring process died (wait status ", status, ")");
  }
  return output;
}

Row ParseRow(const std::string& sampler, int64_t size,
             const ChildOutput& output, double cap) {
  Row row{sampler, size, "ok", {}, {}, output.failure};
  for (absl::string_view line :
       absl::StrSplit(output.text, '\n', absl::SkipEmpty())) {
    const std::vector<absl::string_view> times = absl::StrSplit(line, ' ');
    double seconds;
    double cpu_seconds;
    if (times.size() == 3 && times[0] == "t" &&
        absl::SimpleAtod(times[1], &seconds) &&
        absl::SimpleAtod(times[2], &cpu_seconds)) {
      row.seconds.push_back(seconds);
      row.cpu_seconds.push_back(cpu_seconds);
    } else if (absl::ConsumePrefix(&line, "error ")) {
      row.message = std::string(line);
    }
  }
  if (!row.message.empty()) {
    row.status = "error";
  } else if (output.stopped) {
    row.status = row.seconds.empty() ? "timeout" : "capped";
    row.message = absl::StrFormat("stopped after %g s", cap);
  } else if (row.seconds.empty()) {
    row.status = "error";
    row.message = "no call was timed";
  }
  return row;
}

double Mean(const std::vector<double>& values) {
  double sum = 0;
  for (const double value : values) sum += value;
  return sum / static_cast<double>(values.size());
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle]
                                : (values[middle - 1] + values[middle]) / 2;
}

// The calls after the first, or the first alone when it is all there is
// (a sampler stopped at the cap).
std::vector<double> WarmCalls(const std::vector<double>& seconds) {
  if (seconds.size() < 2) return seconds;
  return std::vector<double>(seconds.begin() + 1, seconds.end());
}

std::string Duration(double seconds) {
  if (seconds < 1e-3) return absl::StrFormat("%.1f us", seconds * 1e6);
  if (seconds < 1) return absl::StrFormat("%.2f ms", seconds * 1e3);
  return absl::StrFormat("%.2f s", seconds);
}

void PrintRow(const Row& row) {
  const int size = static_cast<int>(row.size);
  if (row.seconds.empty()) {
    std::printf("%-10s %6d %s: %s\n", row.sampler.c_str(), size,
                row.status.c_str(), row.message.c_str());
  } else {
    std::printf("%-10s %6d %11s %11s %11s %11s %8d%s\n", row.sampler.c_str(),
                size, Duration(Median(WarmCalls(row.seconds))).c_str(),
                Duration(Mean(WarmCalls(row.seconds))).c_str(),
                Duration(Median(WarmCalls(row.cpu_seconds))).c_str(),
                Duration(row.seconds.front()).c_str(),
                static_cast<int>(row.seconds.size()),
                row.status == "capped"
                    ? absl::StrCat("  (", row.message, ")").c_str()
                    : "");
  }
  std::fflush(stdout);
}

std::vector<std::string> SamplersToTime() {
  std::vector<std::string> names = absl::GetFlag(FLAGS_samplers);
  if (!names.empty()) return names;
  // The grid cannot serve a space with continuous parameters.
  for (const std::string& name : SamplerRegistry().Names()) {
    if (name != "grid") names.push_back(name);
  }
  return names;
}

int Run() {
  std::vector<int64_t> sizes;
  for (const std::string& text : absl::GetFlag(FLAGS_sizes)) {
    int64_t size;
    if (!absl::SimpleAtoi(text, &size) || size < 0) {
      std::fprintf(stderr, "--sizes: not a size: %s\n", text.c_str());
      return 2;
    }
    sizes.push_back(size);
  }
  const double cap = absl::GetFlag(FLAGS_cap);
  std::vector<Row> rows;
  std::printf("%-10s %6s %11s %11s %11s %11s %8s\n", "sampler", "n", "median",
              "mean", "median cpu", "first call", "repeats");
  for (const std::string& sampler : SamplersToTime()) {
    std::optional<int64_t> stopped_at;
    for (const int64_t size : sizes) {
      Row row;
      if (stopped_at && size > *stopped_at) {
        row = Row{
            sampler,
            size,
            "timeout",
            {},
            {},
            absl::StrFormat("skipped: n=%d hit the %g s cap", *stopped_at, cap)};
      } else {
        std::fprintf(stderr, "sampler_speed: timing %s at n=%d\n",
                     sampler.c_str(), static_cast<int>(size));
        row = ParseRow(sampler, size, MeasureInChild(sampler, size, cap), cap);
        if (row.status == "capped" || row.status == "timeout") {
          stopped_at = size;
        }
      }
      PrintRow(row);
      rows.push_back(std::move(row));
    }
  }
  const std::string tsv = absl::GetFlag(FLAGS_tsv);
  if (!tsv.empty()) {
    std::ofstream out(tsv);
    out << "sampler\tn\tstatus\tmedian_seconds\tmean_seconds\t"
           "median_cpu_seconds\tmean_cpu_seconds\tfirst_seconds\trepeats\t"
           "message\n";
    for (const Row& row : rows) {
      const bool timed = !row.seconds.empty();
      out << row.sampler << '\t' << row.size << '\t' << row.status << '\t'
          << (timed ? absl::StrCat(Median(WarmCalls(row.seconds))) : "") << '\t'
          << (timed ? absl::StrCat(Mean(WarmCalls(row.seconds))) : "") << '\t'
          << (timed ? absl::StrCat(Median(WarmCalls(row.cpu_seconds))) : "")
          << '\t'
          << (timed ? absl::StrCat(Mean(WarmCalls(row.cpu_seconds))) : "")
          << '\t' << (timed ? absl::StrCat(row.seconds.front()) : "") << '\t'
          << row.seconds.size() << '\t' << row.message << '\n';
    }
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", tsv.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace knob

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Times Sampler::Sample of each sampler after n completed trials.");
  absl::ParseCommandLine(argc, argv);
  return knob::Run();
}

#include "client/loadgen/report.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace knob::loadgen {
namespace {

double Milliseconds(absl::Duration duration) {
  return absl::ToDoubleMilliseconds(duration);
}

std::string LatencyRow(const char* call, const LatencyHistogram& histogram) {
  return absl::StrFormat(
      "  %-10s %9d %9.2f %9.2f %9.2f %9.2f\n", call, histogram.count(),
      Milliseconds(histogram.Quantile(0.5)),
      Milliseconds(histogram.Quantile(0.99)),
      Milliseconds(histogram.Quantile(0.999)), Milliseconds(histogram.max()));
}

}  // namespace

std::string FormatReport(const LoadResult& result) {
  const LoadOptions& options = result.options;
  const WorkerStats& stats = result.stats;
  std::string report = absl::StrFormat(
      "knob-loadgen: %d workers on %d %s (%s sampler), %d %s, %.2f s\n",
      options.workers, options.studies,
      options.studies == 1 ? "study" : "studies", options.sampler,
      options.channels, options.channels == 1 ? "channel" : "channels",
      absl::ToDoubleSeconds(result.elapsed));
  if (options.trials > 0) {
    absl::StrAppendFormat(&report, "  stopping at %d trials in all\n",
                          options.trials);
  }
  absl::StrAppendFormat(&report, "  cycles     %9d (%.1f per second)\n",
                        stats.cycles, result.cycles_per_second());
  absl::StrAppendFormat(&report, "  %-10s %9s %9s %9s %9s %9s\n", "latency",
                        "calls", "p50 ms", "p99 ms", "p99.9 ms", "max ms");
  absl::StrAppend(&report, LatencyRow("suggest", stats.suggest_latency));
  if (options.reports > 0) {
    absl::StrAppend(&report, LatencyRow("report", stats.report_latency));
  }
  absl::StrAppend(&report, LatencyRow("complete", stats.complete_latency));
  std::vector<std::string> errors;
  for (const auto& [code, count] : stats.errors) {
    errors.push_back(absl::StrCat(code, "=", count));
  }
  absl::StrAppend(&report, "  errors     ",
                  errors.empty() ? "none" : absl::StrJoin(errors, " "), "\n");
  return report;
}

std::string SummaryLine(const LoadResult& result) {
  const WorkerStats& stats = result.stats;
  const LatencyHistogram& suggest = stats.suggest_latency;
  const LatencyHistogram& complete = stats.complete_latency;
  return absl::StrFormat(
      "loadgen: workers=%d studies=%d channels=%d cycles=%d "
      "cycles_per_s=%.1f p50_suggest_ms=%.3f p99_suggest_ms=%.3f "
      "p999_suggest_ms=%.3f p50_complete_ms=%.3f p99_complete_ms=%.3f "
      "p999_complete_ms=%.3f errors=%d%s",
      result.options.workers, result.options.studies, result.options.channels,
      stats.cycles, result.cycles_per_second(),
      Milliseconds(suggest.Quantile(0.5)), Milliseconds(suggest.Quantile(0.99)),
      Milliseconds(suggest.Quantile(0.999)),
      Milliseconds(complete.Quantile(0.5)),
      Milliseconds(complete.Quantile(0.99)),
      Milliseconds(complete.Quantile(0.999)), stats.error_count(),
      result.options.reports > 0
          ? absl::StrFormat(" reports=%d p50_report_ms=%.3f p99_report_ms=%.3f",
                            result.options.reports,
                            Milliseconds(stats.report_latency.Quantile(0.5)),
                            Milliseconds(stats.report_latency.Quantile(0.99)))
          : "");
}

}  // namespace knob::loadgen

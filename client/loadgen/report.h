// What knob-loadgen prints: a table for people and one line for scripts.
#ifndef KNOB_CLIENT_LOADGEN_REPORT_H_
#define KNOB_CLIENT_LOADGEN_REPORT_H_

#include <string>

#include "client/loadgen/load_run.h"

namespace knob::loadgen {

// Several lines: the run's shape, cycles per second, the latency
// percentiles of each RPC and the failed calls by status code.
std::string FormatReport(const LoadResult& result);

// One line, with no newline, of space-separated key=value pairs that
// scripts parse; latencies in milliseconds, errors the total failed calls:
//   loadgen: workers=64 studies=1 channels=4 cycles=31234
//   cycles_per_s=3117.2 p50_suggest_ms=… p99_suggest_ms=…
//   p999_suggest_ms=… p50_complete_ms=… p99_complete_ms=…
//   p999_complete_ms=… errors=0
std::string SummaryLine(const LoadResult& result);

}  // namespace knob::loadgen

#endif  // KNOB_CLIENT_LOADGEN_REPORT_H_

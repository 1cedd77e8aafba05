// Metrics kept in a prometheus-cpp registry, rendered in Prometheus's text
// exposition format and served at http://LISTEN/metrics. The series and
// what they mean are listed in docs/configuration.md.
//
// Thread safety: every method may be called concurrently.
#ifndef KNOB_SERVER_OBSERVABILITY_PROMETHEUS_METRICS_H_
#define KNOB_SERVER_OBSERVABILITY_PROMETHEUS_METRICS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/observability/metrics.h"

namespace knob {

// Serves the series over HTTP until destroyed.
class MetricsEndpoint {
 public:
  virtual ~MetricsEndpoint() = default;
  // The port listened on.
  virtual int port() const = 0;
};

class PrometheusMetrics : public Metrics {
 public:
  // Series without labels are there from the start; a labelled family
  // shows in a scrape once it has its first series.
  static std::unique_ptr<PrometheusMetrics> Create();

  // The value of knob_active_leases, read at every scrape (and
  // RenderText); it must be thread-safe and cheap, and stay callable while
  // an endpoint serves. Without a source the gauge stays 0.
  virtual void SetActiveLeasesSource(std::function<int64_t()> source) = 0;

  // Every series in Prometheus's text exposition format (version 0.0.4).
  virtual std::string RenderText() = 0;

  // Serves the series at http://`listen`/metrics (e.g. "0.0.0.0:9464";
  // port 0 picks a free one) until the endpoint is destroyed, which must
  // happen before this object's destruction. UNAVAILABLE when `listen`
  // cannot be bound.
  virtual absl::StatusOr<std::unique_ptr<MetricsEndpoint>> ServeHttp(
      const std::string& listen) = 0;
};

}  // namespace knob

#endif  // KNOB_SERVER_OBSERVABILITY_PROMETHEUS_METRICS_H_

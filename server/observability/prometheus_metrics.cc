#include "server/observability/prometheus_metrics.h"

#include <exception>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace knob {
namespace {

// Calls are served in milliseconds, but a suggestion may wait for a
// Gaussian-process sampler for seconds.
const prometheus::Histogram::BucketBoundaries kRpcBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
const prometheus::Histogram::BucketBoundaries kSamplerBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};
// A free connection comes in microseconds; waiting at all means the pool
// is too small or the database too slow.
const prometheus::Histogram::BucketBoundaries kConnectionWaitBuckets = {
    0.00001, 0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10};

// What a scrape collects: the gauges read from their sources first, then
// the registry.
class ScrapedRegistry final : public prometheus::Collectable {
 public:
  ScrapedRegistry(std::shared_ptr<prometheus::Registry> registry,
                  prometheus::Gauge& active_leases)
      : registry_(std::move(registry)), active_leases_(active_leases) {}

  void SetActiveLeasesSource(std::function<int64_t()> source) {
    absl::MutexLock lock(&mu_);
    active_leases_source_ = std::move(source);
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    {
      absl::MutexLock lock(&mu_);
      if (active_leases_source_) {
        active_leases_.Set(static_cast<double>(active_leases_source_()));
      }
    }
    return registry_->Collect();
  }

 private:
  const std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Gauge& active_leases_;
  mutable absl::Mutex mu_;
  std::function<int64_t()> active_leases_source_ ABSL_GUARDED_BY(mu_);
};

class ExposerEndpoint final : public MetricsEndpoint {
 public:
  ExposerEndpoint(std::unique_ptr<prometheus::Exposer> exposer, int port)
      : exposer_(std::move(exposer)), port_(port) {}
  int port() const override { return port_; }

 private:
  const std::unique_ptr<prometheus::Exposer> exposer_;
  const int port_;
};

class RegistryMetrics final : public PrometheusMetrics {
 public:
  RegistryMetrics()
      : registry_(std::make_shared<prometheus::Registry>()),
        rpc_duration_(prometheus::BuildHistogram()
                          .Name("knob_rpc_duration_seconds")
                          .Help("Time from an RPC's arrival to its status, by "
                                "method and gRPC status code.")
                          .Register(*registry_)),
        sampler_duration_(
            prometheus::BuildHistogram()
                .Name("knob_sampler_duration_seconds")
                .Help("Time a sampler took to propose one trial, by the "
                      "sampler the study names.")
                .Register(*registry_)),
        trials_(prometheus::BuildCounter()
                    .Name("knob_trials_total")
                    .Help("Committed changes of a trial into a state "
                          "(creation included), made by this server.")
                    .Register(*registry_)),
        reaped_(prometheus::BuildCounter()
                    .Name("knob_reaped_trials_total")
                    .Help("Trials whose lease expired and that this server's "
                          "lease reaper marked STALE.")
                    .Register(*registry_)
                    .Add({})),
        active_leases_(
            prometheus::BuildGauge()
                .Name("knob_active_leases")
                .Help("RUNNING trials (each holds a lease) of the studies "
                      "this server has in memory.")
                .Register(*registry_)
                .Add({})),
        study_cache_(prometheus::BuildCounter()
                         .Name("knob_study_cache_lookups_total")
                         .Help("Lookups of a study's in-memory state; "
                               "result=miss had to load it from storage.")
                         .Register(*registry_)),
        cache_hits_(study_cache_.Add({{"result", "hit"}})),
        cache_misses_(study_cache_.Add({{"result", "miss"}})),
        connections_in_use_(
            prometheus::BuildGauge()
                .Name("knob_db_pool_connections_in_use")
                .Help("Database connections leased out of the pool.")
                .Register(*registry_)
                .Add({})),
        connection_wait_(
            prometheus::BuildHistogram()
                .Name("knob_db_pool_wait_seconds")
                .Help("Time a caller waited for a database connection from "
                      "the pool, whether it got one or timed out.")
                .Register(*registry_)
                .Add({}, kConnectionWaitBuckets)),
        scraped_(std::make_shared<ScrapedRegistry>(registry_, active_leases_)) {
  }

  void ObserveRpc(absl::string_view method, absl::string_view code,
                  absl::Duration duration) override {
    rpc_duration_
        .Add({{"method", std::string(method)}, {"code", std::string(code)}},
             kRpcBuckets)
        .Observe(absl::ToDoubleSeconds(duration));
  }

  void ObserveSampling(absl::string_view sampler,
                       absl::Duration duration) override {
    sampler_duration_.Add({{"sampler", std::string(sampler)}}, kSamplerBuckets)
        .Observe(absl::ToDoubleSeconds(duration));
  }

  void CountTrialTransition(absl::string_view state) override {
    trials_.Add({{"state", std::string(state)}}).Increment();
  }

  void CountReapedTrials(int count) override { reaped_.Increment(count); }

  void CountStudyCacheLookup(bool hit) override {
    (hit ? cache_hits_ : cache_misses_).Increment();
  }

  void ObserveConnectionWait(absl::Duration wait) override {
    connection_wait_.Observe(absl::ToDoubleSeconds(wait));
  }

  void AddConnectionsInUse(int delta) override {
    connections_in_use_.Increment(delta);
  }

  void SetActiveLeasesSource(std::function<int64_t()> source) override {
    scraped_->SetActiveLeasesSource(std::move(source));
  }

  std::string RenderText() override {
    return prometheus::TextSerializer().Serialize(scraped_->Collect());
  }

  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> ServeHttp(
      const std::string& listen) override {
    std::unique_ptr<prometheus::Exposer> exposer;
    try {
      exposer = std::make_unique<prometheus::Exposer>(listen);
    } catch (const std::exception& error) {
      return absl::UnavailableError(
          absl::StrCat("cannot serve metrics on ", listen, ": ", error.what()));
    }
    const std::vector<int> ports = exposer->GetListeningPorts();
    if (ports.empty()) {
      return absl::UnavailableError(
          absl::StrCat("cannot serve metrics on ", listen));
    }
    exposer->RegisterCollectable(scraped_);
    return std::make_unique<ExposerEndpoint>(std::move(exposer), ports.front());
  }

 private:
  const std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Histogram>& rpc_duration_;
  prometheus::Family<prometheus::Histogram>& sampler_duration_;
  prometheus::Family<prometheus::Counter>& trials_;
  prometheus::Counter& reaped_;
  prometheus::Gauge& active_leases_;
  prometheus::Family<prometheus::Counter>& study_cache_;
  prometheus::Counter& cache_hits_;
  prometheus::Counter& cache_misses_;
  prometheus::Gauge& connections_in_use_;
  prometheus::Histogram& connection_wait_;
  const std::shared_ptr<ScrapedRegistry> scraped_;
};

}  // namespace

std::unique_ptr<PrometheusMetrics> PrometheusMetrics::Create() {
  return std::make_unique<RegistryMetrics>();
}

}  // namespace knob

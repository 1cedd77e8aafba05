#include "server/observability/metrics.h"

namespace knob {
namespace {

class DiscardingMetrics final : public Metrics {
 public:
  void ObserveRpc(absl::string_view, absl::string_view,
                  absl::Duration) override {}
  void ObserveSampling(absl::string_view, absl::Duration) override {}
  void CountTrialTransition(absl::string_view) override {}
  void CountReapedTrials(int) override {}
  void CountStudyCacheLookup(bool) override {}
  void ObserveConnectionWait(absl::Duration) override {}
  void AddConnectionsInUse(int) override {}
};

}  // namespace

Metrics& Metrics::Discard() {
  static DiscardingMetrics* const discarding = new DiscardingMetrics();
  return *discarding;
}

}  // namespace knob

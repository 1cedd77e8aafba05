#include "server/observability/metrics.h"

namespace knob {

Metrics& Metrics::Discard() {
  static Metrics* const discarding = new Metrics();
  return *discarding;
}

}  // namespace knob

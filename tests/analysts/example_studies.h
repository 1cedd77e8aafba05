// The two studies docs/analysts.md queries, run through the real API with
// chosen parameters, outcomes, workers, environments and times, so that a
// test knows every query's answer without asking the database.
//
// mnist-mlp minimizes val_loss over learning_rate (log float), layers (int),
// optimizer (categorical), momentum (float, only with sgd), batch_size
// (numeric categorical) and epochs (fixed); it records accuracy and
// latency_ms, requires latency_ms <= 50, and prunes a trial whose val_loss
// exceeds 1.0 at any step. Its trials are enqueued with their parameters
// and handed out in order, so that trial n is the plan's trial n.
//
// mnist-tradeoff maximizes accuracy and minimizes latency_ms, with trials
// sampled by the random sampler and finished with planned values.
#ifndef KNOB_TESTS_ANALYSTS_EXAMPLE_STUDIES_H_
#define KNOB_TESTS_ANALYSTS_EXAMPLE_STUDIES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "client/client.h"
#include "server/util/clock.h"

namespace knob::testing {

// How a planned trial ends. kRunning and kWaiting trials never end.
enum class Outcome { kCompleted, kFailed, kPruned, kRunning, kWaiting };

// The trial's state as the database spells it.
std::string StateName(Outcome outcome);

struct MlpTrial {
  int64_t number = 0;
  std::string worker_id;
  std::map<std::string, std::string> environment;
  double learning_rate = 0;
  int64_t layers = 0;
  std::string optimizer;
  // Set exactly when optimizer is "sgd".
  std::optional<double> momentum;
  int64_t batch_size = 0;
  int64_t epochs = 0;
  Outcome outcome = Outcome::kCompleted;
  // val_loss reported at steps 1, 2, ...; a kPruned trial's last value is
  // the one the threshold pruner stops.
  std::vector<double> curve;
  // Reported when kCompleted.
  double val_loss = 0;
  double accuracy = 0;
  double latency_ms = 0;
  // Between being enqueued and handed out, and between being handed out
  // and ending.
  absl::Duration queue_time;
  absl::Duration run_time;

  bool feasible() const { return latency_ms <= 50; }
};

struct TradeoffTrial {
  int64_t number = 0;
  std::string worker_id;
  Outcome outcome = Outcome::kCompleted;
  // Reported when kCompleted.
  double accuracy = 0;
  double latency_ms = 0;
  absl::Duration run_time;
};

struct ExampleStudies {
  std::vector<MlpTrial> mlp;
  std::vector<TradeoffTrial> tradeoff;
};

// The plan, by trial number. Deterministic.
ExampleStudies PlanExampleStudies();

// Creates both studies through `client` and plays their trials as planned,
// moving `clock` (the server's) by each trial's queue and run times. An
// error names the trial and call that went differently from the plan
// (including a pruner answer other than planned).
absl::Status CreateExampleStudies(Client& client, ManualClock& clock,
                                  const ExampleStudies& plan);

}  // namespace knob::testing

#endif  // KNOB_TESTS_ANALYSTS_EXAMPLE_STUDIES_H_

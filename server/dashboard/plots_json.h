// The dashboard's chart data for one study in a single columnar document
// (the "plots" endpoint and the report): optimization history with the
// best value so far, a bounded sample of completed trials for the
// parameter charts, recent learning curves, the Pareto front and counts.
//
// Thread safety: pure functions of their arguments.
#ifndef KNOB_SERVER_DASHBOARD_PLOTS_JSON_H_
#define KNOB_SERVER_DASHBOARD_PLOTS_JSON_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "knob/v1/study.pb.h"
#include "nlohmann/json.hpp"
#include "server/dashboard/study_json.h"

namespace knob::dashboard {

// Default: kDefaultMaxPoints.
inline constexpr int kDefaultMaxPoints = 5000;
// The learning curves of at most this many trials, the most recent ones.
inline constexpr int kMaxLearningCurves = 100;

// Which of `candidates` (completed trials, by number) the parameter charts
// show when at most `max_points` fit: all when they fit; otherwise the
// best tenth of the budget by the first objective (one objective) or the
// Pareto front (several), and the rest of the budget spread evenly over
// the others by number. Returns indices into `candidates`, ascending.
std::vector<size_t> SamplePoints(const v1::StudyConfig& config,
                                 TrialSpan candidates, size_t max_points);

// The plots document for `study` and all its `trials` (by number);
// max_points > 0.
nlohmann::json PlotsJson(const v1::Study& study, TrialSpan trials,
                         size_t max_points);

}  // namespace knob::dashboard

#endif  // KNOB_SERVER_DASHBOARD_PLOTS_JSON_H_

// `knobctl export`: every trial of a study as CSV (one row per trial, for
// spreadsheets and pandas) or as JSON (an array of trial objects).
#ifndef KNOB_CLIENT_KNOBCTL_EXPORT_H_
#define KNOB_CLIENT_KNOBCTL_EXPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "knob/v1/study.pb.h"
#include "knob/v1/trial.pb.h"

namespace knob::knobctl {

// One CSV field per RFC 4180: quoted when it holds a comma, a quote, a
// line break or leading/trailing blanks, with quotes doubled.
std::string CsvField(std::string_view text);

// A header line, then one line per trial (lines end in "\n"):
//   number,state,param_<name>…,value_<metric>…,metric_<name>…,
//   worker_id,start_time,end_time,duration_seconds
// with a param_ column for each parameter of the study (and any other
// name a trial holds), a value_ column per objective in the study's order
// and a metric_ column per extra metric. Times are RFC 3339 in UTC. A parameter
// that is inactive in a trial (conditional), a value a trial has not reported
// and a time not reached yet are empty cells.
std::string TrialsToCsv(const v1::Study& study,
                        const std::vector<v1::Trial>& trials);

// A JSON array, one object per trial:
//   {"id", "number", "state", "params": {name: scalar}, "values": {metric:
//    number}, "metrics", "intermediate_values": [{"step", "metric",
//    "value"}], "worker_id", "environment", "fail_reason", "create_time",
//    "start_time", "end_time", "duration_seconds"}
// Parameters are plain JSON scalars of their kind; absent times are null.
std::string TrialsToJson(const v1::Study& study,
                         const std::vector<v1::Trial>& trials);

}  // namespace knob::knobctl

#endif  // KNOB_CLIENT_KNOBCTL_EXPORT_H_

// `knobctl show`: a study, its configuration and its trial counts as text
// for people.
#ifndef KNOB_CLIENT_KNOBCTL_DESCRIBE_H_
#define KNOB_CLIENT_KNOBCTL_DESCRIBE_H_

#include <string>
#include <vector>

#include "knob/v1/study.pb.h"
#include "knob/v1/trial.pb.h"

namespace knob::knobctl {

// One parameter on one line: "float [0.0001, 0.1] log",
// "categorical {svm, rf}", "fixed 3", with " if kind in {svm}" for a
// conditional one.
std::string DescribeParameter(const v1::ParameterSpec& spec);

// "latency_ms <= 50" or "recall >= 0.9".
std::string DescribeConstraint(const v1::OutcomeConstraint& constraint);

// The constraints of `config` that `trial` misses, each as
// "latency_ms <= 50 (got 80)" or "latency_ms <= 50 (not reported)"; empty
// when the trial is feasible.
std::vector<std::string> UnmetConstraints(const v1::StudyConfig& config,
                                          const v1::Trial& trial);

// Several lines: identity and state, counts, objectives, constraints,
// algorithms, stopping criteria, lease, search space and metadata.
std::string DescribeStudy(const v1::Study& study);

}  // namespace knob::knobctl

#endif  // KNOB_CLIENT_KNOBCTL_DESCRIBE_H_

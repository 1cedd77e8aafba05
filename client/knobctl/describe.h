// `knobctl show`: a study, its configuration and its trial counts as text
// for people.
#ifndef KNOB_CLIENT_KNOBCTL_DESCRIBE_H_
#define KNOB_CLIENT_KNOBCTL_DESCRIBE_H_

#include <string>

#include "knob/v1/study.pb.h"

namespace knob::knobctl {

// One parameter on one line: "float [0.0001, 0.1] log",
// "categorical {svm, rf}", "fixed 3", with " if kind in {svm}" for a
// conditional one.
std::string DescribeParameter(const v1::ParameterSpec& spec);

// Several lines: identity and state, counts, objectives, algorithms,
// stopping criteria, lease, search space and metadata.
std::string DescribeStudy(const v1::Study& study);

}  // namespace knob::knobctl

#endif  // KNOB_CLIENT_KNOBCTL_DESCRIBE_H_

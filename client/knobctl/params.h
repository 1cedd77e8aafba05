// `knobctl enqueue` arguments: name=value pairs turned into typed
// parameter values.
#ifndef KNOB_CLIENT_KNOBCTL_PARAMS_H_
#define KNOB_CLIENT_KNOBCTL_PARAMS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "knob/v1/study.pb.h"

namespace knob::knobctl {

// The value `text` reads as: an int if it is one, else a double, else a
// bool ("true"/"false"), else the string itself.
v1::Value ParseScalar(const std::string& text);

// Parses "name=value" arguments with ParseScalar, then fits each value to
// the parameter of that name in `config`, so that a command line need not
// know the kinds: an int given for a float parameter becomes a double, an
// integral double for an int parameter becomes an int, and for a
// categorical or fixed parameter the choice whose label equals the text is
// taken as it is (so "3" picks the string choice "3"). Names the study
// does not know are passed through for the server to judge.
// INVALID_ARGUMENT for an argument without '=' or a name given twice.
absl::StatusOr<std::map<std::string, v1::Value>> ParseAssignments(
    const std::vector<std::string>& arguments, const v1::StudyConfig& config);

}  // namespace knob::knobctl

#endif  // KNOB_CLIENT_KNOBCTL_PARAMS_H_

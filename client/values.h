// Text forms of parameter values, shared by the worker loop, knobctl and
// exports so that a value reads the same everywhere (and the same as the
// labels the server stores for categorical choices).
#ifndef KNOB_CLIENT_VALUES_H_
#define KNOB_CLIENT_VALUES_H_

#include <string>

#include "knob/v1/study.pb.h"

namespace knob {

// The shortest text that reads back as exactly `value`: positional for
// exponents in [-4, 16) ("0.1", "0.0001", "10", "3"), scientific beyond
// ("1e-05", "1e+20"); "nan", "inf" and "-inf" for the non-finite ones.
std::string FormatDouble(double value);

// The label of a value: FormatDouble for doubles, decimal for ints, the
// text itself for strings, "true"/"false" for bools, "" when unset.
std::string ValueLabel(const v1::Value& value);

}  // namespace knob

#endif  // KNOB_CLIENT_VALUES_H_

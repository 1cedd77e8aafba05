// Parameter values: what a trial assigns to each parameter of the space.
#ifndef KNOB_SERVER_MODEL_VALUE_H_
#define KNOB_SERVER_MODEL_VALUE_H_

#include <cstdint>
#include <map>
#include <string>
#include <variant>

namespace knob {

// Float parameters hold double, int parameters int64_t; categorical choices
// and fixed values may be any alternative.
using ParamValue = std::variant<double, int64_t, std::string, bool>;

// The active parameters of one trial, by name. Inactive conditional
// parameters are absent.
using ParamAssignment = std::map<std::string, ParamValue>;

// The text form of a value: what PostgreSQL stores for a categorical and
// what users see. Doubles use the shortest form that reads back exactly;
// bools are "true"/"false". Distinct values of one kind have distinct labels.
std::string ParamValueLabel(const ParamValue& value);

// "double", "int", "string" or "bool".
const char* ParamValueKindName(const ParamValue& value);

// Numeric view of a double or int value; nullopt-like NaN for others.
double ParamValueAsDouble(const ParamValue& value);

}  // namespace knob

#endif  // KNOB_SERVER_MODEL_VALUE_H_

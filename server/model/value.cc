#include "server/model/value.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace knob {

std::string ParamValueLabel(const ParamValue& value) {
  struct Visitor {
    std::string operator()(double v) const {
      // %.17g round-trips every double; try shorter forms first so that 0.1
      // reads as "0.1".
      for (int precision = 1; precision <= 17; ++precision) {
        std::string text = absl::StrFormat("%.*g", precision, v);
        if (std::strtod(text.c_str(), nullptr) == v || std::isnan(v)) {
          return text;
        }
      }
      return absl::StrFormat("%.17g", v);
    }
    std::string operator()(int64_t v) const { return absl::StrCat(v); }
    std::string operator()(const std::string& v) const { return v; }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
  };
  return std::visit(Visitor{}, value);
}

const char* ParamValueKindName(const ParamValue& value) {
  static constexpr const char* kNames[] = {"double", "int", "string", "bool"};
  return kNames[value.index()];
}

double ParamValueAsDouble(const ParamValue& value) {
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<int64_t>(&value)) {
    return static_cast<double>(*i);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace knob

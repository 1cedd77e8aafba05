#include "server/model/value.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"

namespace knob {

std::string ParamValueLabel(const ParamValue& value) {
  struct Visitor {
    std::string operator()(double v) const {
      // The shortest text that reads back as exactly `v`, written plainly
      // for everyday magnitudes (0.0001, 10, 0.3) and in scientific notation
      // beyond them (1e-05, 1e+16), as Python prints floats.
      std::chars_format format = std::chars_format::scientific;
      if (v == 0 || !std::isfinite(v)) {
        format = std::chars_format::general;
      } else if (const double exponent = std::floor(std::log10(std::abs(v)));
                 exponent >= -4 && exponent < 16) {
        format = std::chars_format::fixed;
      }
      char buffer[400];
      const auto result =
          std::to_chars(buffer, buffer + sizeof buffer, v, format);
      return std::string(buffer, result.ptr);
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

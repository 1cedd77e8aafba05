#include "client/values.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace knob {

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // The shortest digits that read back exactly, then laid out as people
  // write numbers: positional for moderate exponents ("10", "0.0001",
  // "123456.5"), scientific beyond ("1e-05", "1e+20").
  char buffer[64];
  const auto scientific = std::to_chars(buffer, buffer + sizeof(buffer), value,
                                        std::chars_format::scientific);
  const std::string text(buffer, scientific.ptr);
  const size_t e = text.find('e');
  const int exponent = std::atoi(text.c_str() + e + 1);
  const std::string mantissa = text.substr(0, e);
  const int digits = static_cast<int>(
      std::count_if(mantissa.begin(), mantissa.end(),
                    [](char c) { return c >= '0' && c <= '9'; }));
  if (exponent < -4 || exponent >= 16) return text;
  return absl::StrFormat("%.*f", std::max(0, digits - 1 - exponent), value);
}

std::string ValueLabel(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kDoubleValue:
      return FormatDouble(value.double_value());
    case v1::Value::kIntValue:
      return absl::StrCat(value.int_value());
    case v1::Value::kStringValue:
      return value.string_value();
    case v1::Value::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case v1::Value::KIND_NOT_SET:
      break;
  }
  return "";
}

}  // namespace knob

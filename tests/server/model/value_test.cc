#include "server/model/value.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace knob {
namespace {

TEST(ParamValueLabel, DoublesUseTheShortestExactForm) {
  EXPECT_EQ(ParamValueLabel(10.0), "10");
  EXPECT_EQ(ParamValueLabel(100.0), "100");
  EXPECT_EQ(ParamValueLabel(0.1), "0.1");
  EXPECT_EQ(ParamValueLabel(-2.5), "-2.5");
  EXPECT_EQ(ParamValueLabel(0.0001), "0.0001");
  EXPECT_EQ(ParamValueLabel(1e-05), "1e-05");
  EXPECT_EQ(ParamValueLabel(1e16), "1e+16");
  EXPECT_EQ(ParamValueLabel(0.0), "0");
  // Every double reads back as itself.
  for (double value : {0.1 + 0.2, 1.0 / 3, 6.02214076e23, -0.0,
                       std::numeric_limits<double>::denorm_min()}) {
    EXPECT_EQ(std::strtod(ParamValueLabel(value).c_str(), nullptr), value)
        << ParamValueLabel(value);
  }
}

TEST(ParamValueLabel, OtherKinds) {
  EXPECT_EQ(ParamValueLabel(int64_t{-42}), "-42");
  EXPECT_EQ(ParamValueLabel(std::string("adam")), "adam");
  EXPECT_EQ(ParamValueLabel(true), "true");
  EXPECT_EQ(ParamValueLabel(false), "false");
}

TEST(ParamValueKindName, NamesEachKind) {
  EXPECT_STREQ(ParamValueKindName(1.5), "double");
  EXPECT_STREQ(ParamValueKindName(int64_t{1}), "int");
  EXPECT_STREQ(ParamValueKindName(std::string("x")), "string");
  EXPECT_STREQ(ParamValueKindName(false), "bool");
}

TEST(ParamValueAsDouble, NumbersOnly) {
  EXPECT_EQ(ParamValueAsDouble(int64_t{3}), 3.0);
  EXPECT_EQ(ParamValueAsDouble(2.5), 2.5);
  EXPECT_TRUE(std::isnan(ParamValueAsDouble(std::string("3"))));
}

}  // namespace
}  // namespace knob

#include "extract/facts.h"

#include <gtest/gtest.h>

namespace ecoute {
namespace {

struct NumberCase {
  std::string_view text;
  bool ok;
  double want;
};

constexpr NumberCase kNumbers[] = {
    {"88 247", true, 88247},      // French thousands with a space
    {"3,500", true, 3500},        // English thousands
    {"12,50", true, 12.5},        // French decimals
    {"1.234,56", true, 1234.56},  // French thousands and decimals
    {"1,234.56", true, 1234.56},  // English thousands and decimals
    {"3.5", true, 3.5},           // English decimals
    {"1.000.000", true, 1000000}, {"15", true, 15},
    {"88 24", false, 0},  // a group after a space has three digits
    {"1,2,3", false, 0},
};

TEST(FactsTest, ParsesNumbersWrittenTheFrenchAndTheEnglishWay) {
  for (const NumberCase& c : kNumbers) {
    SCOPED_TRACE(c.text);
    double value = -1;
    EXPECT_EQ(ParseNumber(c.text, value), c.ok);
    if (c.ok) {
      EXPECT_DOUBLE_EQ(value, c.want);
    }
  }
}

TEST(FactsTest, FindsTheNumberJustBeforeAUnit) {
  const std::string text = "en 2006 88 247 euros";
  size_t begin = 0;
  double value = 0;
  ASSERT_TRUE(FindNumberBefore(text, text.find(" euros"), begin, value));
  EXPECT_DOUBLE_EQ(value, 88247);  // 2006 has four digits: not a thousands group
  EXPECT_EQ(text.substr(begin, 6), "88 247");
}

TEST(FactsTest, FindsTheNumberJustAfterASymbol) {
  const std::string text = "$3,500 refund";
  size_t end = 0;
  double value = 0;
  ASSERT_TRUE(FindNumberAfter(text, 1, end, value));
  EXPECT_DOUBLE_EQ(value, 3500);
  EXPECT_EQ(end, 6u);
}

TEST(FactsTest, IgnoresNumbersGluedToWords) {
  const std::string text = "iphone15 euros";
  size_t begin = 0;
  double value = 0;
  EXPECT_FALSE(FindNumberBefore(text, text.find(" euros"), begin, value));
}

}  // namespace
}  // namespace ecoute

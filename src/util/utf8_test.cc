#include "util/utf8.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace ecoute {
namespace {

struct ValidityCase {
  std::string_view text;
  bool is_valid;
};

constexpr ValidityCase kValidityCases[] = {
    {"", true},
    {"plain ASCII", true},
    {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", true},  // 2, 3 and 4-byte sequences
    {"\xEF\xBB\xBFhi", true},                             // a BOM is valid UTF-8
    {"\xC3", false},                                      // truncated at the end
    {"\xC0\xAF", false},                                  // overlong "/"
    {"\xED\xA0\x80", false},                              // a UTF-16 surrogate
    {"\xF4\x90\x80\x80", false},                          // above U+10FFFF
    {"\xFF", false},                                      // never valid
    {"latin-1 caf\xE9", false},
};

TEST(Utf8Test, ValidatesWellFormedTextOnly) {
  for (const ValidityCase& c : kValidityCases) {
    SCOPED_TRACE(testing::PrintToString(std::string(c.text)));
    EXPECT_EQ(IsValidUtf8(c.text), c.is_valid);
  }
}

struct RepairCase {
  std::string_view input;
  std::string_view want;
  size_t want_replaced;
  size_t want_first_bad;
};

// U+FFFD in UTF-8.
#define FFFD "\xEF\xBF\xBD"

constexpr RepairCase kRepairCases[] = {
    {"caf\xE9", "caf" FFFD, 1, 3},                    // Latin-1 byte
    {"a\xFFx\xFEy", "a" FFFD "x" FFFD "y", 2, 1},     // two separate bad bytes
    {"\xE2\x82", FFFD, 1, 0},                         // truncated: one maximal subpart
    {"\xE2\x82Z", FFFD "Z", 1, 0},                    // cut short by ASCII
    {"\xF0\x9F\x98", FFFD, 1, 0},                     // 3 of 4 bytes: one replacement
    {"\xC0\xAF", FFFD FFFD, 2, 0},                    // overlong: each byte is bad
    {"\xED\xA0\x80", FFFD FFFD FFFD, 3, 0},           // surrogate: ED is a subpart alone
    {"\x80\x80", FFFD FFFD, 2, 0},                    // stray continuation bytes
    {"ok \xC3\xA9 \xC3", "ok \xC3\xA9 " FFFD, 1, 6},  // valid text kept, end repaired
    {"\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD, 4, 0},  // above U+10FFFF
};

TEST(Utf8Test, RepairReplacesEachMaximalInvalidSubpartWithOneReplacementCharacter) {
  for (const RepairCase& c : kRepairCases) {
    SCOPED_TRACE(testing::PrintToString(std::string(c.input)));
    std::string text(c.input);
    size_t first_bad = 12345;
    EXPECT_EQ(RepairUtf8(text, first_bad), c.want_replaced);
    EXPECT_EQ(text, c.want);
    EXPECT_EQ(first_bad, c.want_first_bad);
    EXPECT_TRUE(IsValidUtf8(text));
  }
}

TEST(Utf8Test, RepairLeavesValidTextAndOffsetUntouched) {
  std::string text = "d\xC3\xA9j\xC3\xA0 vu";
  size_t first_bad = 7;
  EXPECT_EQ(RepairUtf8(text, first_bad), 0u);
  EXPECT_EQ(text, "d\xC3\xA9j\xC3\xA0 vu");
  EXPECT_EQ(first_bad, 7u);
}

struct DecodeCase {
  std::string_view text;
  size_t index;
  char32_t want;
  size_t want_length;
};

constexpr DecodeCase kDecodeCases[] = {
    {"A", 0, U'A', 1},
    {"\xC3\xA9", 0, U'\u00E9', 2},
    {"x\xE2\x82\xAC", 1, U'\u20AC', 3},
    {"\xF0\x9F\x98\x80", 0, U'\U0001F600', 4},
    {"\xF4\x8F\xBF\xBF", 0, U'\U0010FFFF', 4},  // the last code point
    {"\xE2\x82", 0, U'\uFFFD', 1},              // truncated
    {"\xC0\xAF", 0, U'\uFFFD', 1},              // overlong
    {"\xED\xA0\x80", 0, U'\uFFFD', 1},          // surrogate
    {"\xA9", 0, U'\uFFFD', 1},                  // continuation byte first
};

TEST(Utf8Test, DecodesOneCodePointAndItsLength) {
  for (const DecodeCase& c : kDecodeCases) {
    SCOPED_TRACE(testing::PrintToString(std::string(c.text)));
    size_t length = 0;
    EXPECT_EQ(DecodeUtf8(c.text, c.index, length), c.want);
    EXPECT_EQ(length, c.want_length);
  }
}

TEST(Utf8Test, AppendEncodesEveryCodePointAndDecodesBack) {
  for (char32_t cp : {U'\0', U'A', U'\u007F', U'\u0080', U'\u07FF', U'\u0800', U'\uFFFF',
                      U'\U00010000', U'\U0010FFFF'}) {
    SCOPED_TRACE(static_cast<uint32_t>(cp));
    std::string out;
    AppendUtf8(cp, out);
    size_t length = 0;
    EXPECT_EQ(DecodeUtf8(out, 0, length), cp);
    EXPECT_EQ(length, out.size());
  }
}

TEST(Utf8Test, AppendWritesReplacementCharacterForSurrogatesAndOutOfRange) {
  std::string out;
  AppendUtf8(0xD800, out);
  AppendUtf8(0x110000, out);
  EXPECT_EQ(out, FFFD FFFD);
}

struct BinaryCase {
  std::string_view text;
  bool want;
};

constexpr BinaryCase kBinaryCases[] = {
    {"", false},
    {"Hello,\tworld\r\n\f", false},                  // whitespace controls are text
    {std::string_view("a\0b", 3), true},             // any NUL byte
    {"\x01\x02\x03 most of this is control", true},  // 3 of 27 bytes: over 10%
    {"\x1B[1mbold\x1B[0m and a lot of normal text after it", false},  // 2 of 46
    {"caf\xC3\xA9", false},                                           // UTF-8 is not binary
};

TEST(Utf8Test, LooksBinaryOnNulOrManyControlCharacters) {
  for (const BinaryCase& c : kBinaryCases) {
    SCOPED_TRACE(testing::PrintToString(std::string(c.text)));
    EXPECT_EQ(LooksBinary(c.text), c.want);
  }
}

TEST(Utf8Test, LooksBinaryOnlyProbesTheStart) {
  std::string text(100, 'a');
  text.push_back('\0');
  EXPECT_TRUE(LooksBinary(text));
  EXPECT_FALSE(LooksBinary(text, 100));
}

#undef FFFD

}  // namespace
}  // namespace ecoute

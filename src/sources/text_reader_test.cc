#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

namespace ecoute {
namespace {

struct TextCase {
  std::string_view input;
  std::string_view want_text;
};

constexpr TextCase kTextCases[] = {
    {"Hello", "Hello"},
    {"Line one\nline two", "Line one\nline two"},
    {"Windows\r\nline\r\nendings\r\n", "Windows\nline\nendings"},  // CRLF becomes LF
    {"Old\rMac", "Old\nMac"},                                      // so does a lone CR
    {"\xEF\xBB\xBFWith a BOM", "With a BOM"},                      // the BOM is dropped
    {"One\n\nTwo", "One\n\nTwo"},                                  // a paragraph break
    {"One\n\n\n\n \t \nTwo", "One\n\nTwo"},                        // blank runs: one break
    {"\n\n  \nStarts late\n\n\n", "Starts late"},                  // blank ends dropped
    {"  indented\n\tkept", "  indented\n\tkept"},                  // indentation is kept
    {"# Title\n\n* item\n* item", "# Title\n\n* item\n* item"},    // Markdown as written
    {"trailing spaces   \n", "trailing spaces"},
    {"d\xC3\xA9j\xC3\xA0 vu", "d\xC3\xA9j\xC3\xA0 vu"},  // UTF-8 untouched
};

TEST(TextReaderTest, NormalizesLineEndingsAndParagraphs) {
  for (const TextCase& c : kTextCases) {
    SCOPED_TRACE(testing::PrintToString(std::string(c.input)));
    std::vector<Post> posts;
    std::vector<Problem> problems;
    ReadTextPost(c.input, "note.txt", posts, problems);
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].text, c.want_text);
    EXPECT_TRUE(problems.empty());
  }
}

TEST(TextReaderTest, NameBecomesTheIdAndOtherFieldsStayUnknown) {
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadTextPost("Some text", "inbox/complaint.md", posts, problems);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].id, "inbox/complaint.md");
  EXPECT_EQ(posts[0].title, "");
  EXPECT_EQ(posts[0].url, "");
  EXPECT_TRUE(posts[0].links.empty());
  EXPECT_EQ(posts[0].author.followers, -1);
  EXPECT_EQ(posts[0].likes, -1);
}

struct RejectCase {
  std::string_view input;
  std::string_view want_message;
};

constexpr RejectCase kRejectCases[] = {
    {"", "empty input, nothing to analyze"},
    {" \n\t\r\n ", "empty input, nothing to analyze"},
    {"\xEF\xBB\xBF\n", "empty input, nothing to analyze"},  // a BOM alone
    {std::string_view("PK\x03\x04\0\0", 6),
     "looks like binary data (NUL byte at offset 4), not a text post"},
    {std::string_view("\xEF\xBB\xBFxy\0", 6),  // offsets count the BOM
     "looks like binary data (NUL byte at offset 5), not a text post"},
    {"\x01\x02\x03\x04 ctl",
     "looks like binary data (over 10% control characters in the first 8 bytes), not a text "
     "post"},
};

TEST(TextReaderTest, EmptyAndBinaryInputYieldNoPostAndAFatalProblem) {
  for (const RejectCase& c : kRejectCases) {
    SCOPED_TRACE(testing::PrintToString(std::string(c.input)));
    std::vector<Post> posts;
    std::vector<Problem> problems;
    ReadTextPost(c.input, "note.txt", posts, problems);
    EXPECT_TRUE(posts.empty());
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].where, "note.txt");
    EXPECT_EQ(problems[0].message, c.want_message);
    EXPECT_TRUE(problems[0].is_fatal);
  }
}

TEST(TextReaderTest, InvalidUtf8IsRepairedAndReportedAtItsFirstByte) {
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadTextPost("caf\xE9 cr\xE8me\r\nok", "note.txt", posts, problems);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].text, "caf\xEF\xBF\xBD cr\xEF\xBF\xBDme\nok");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].where, "note.txt:byte 3");
  EXPECT_EQ(problems[0].message, "invalid UTF-8 replaced with U+FFFD (2 sequences)");
  EXPECT_FALSE(problems[0].is_fatal);
}

TEST(TextReaderTest, RepairOffsetCountsTheDroppedBom) {
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadTextPost("\xEF\xBB\xBFna\xEFve", "note.txt", posts, problems);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].text, "na\xEF\xBF\xBDve");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].where, "note.txt:byte 5");
  EXPECT_EQ(problems[0].message, "invalid UTF-8 replaced with U+FFFD (1 sequence)");
}

TEST(TextReaderTest, ReadPostsDetectsTextAndEmitsThePost) {
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadPosts(
      "just words", "stdin", InputFormat::kAuto, [&](const Post& post) { posts.push_back(post); },
      problems);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].text, "just words");
  EXPECT_TRUE(problems.empty());
}

struct FormatNameCase {
  std::string_view name;
  bool want_ok;
  InputFormat want;
};

constexpr FormatNameCase kFormatNameCases[] = {
    {"auto", true, InputFormat::kAuto},   {"text", true, InputFormat::kText},
    {"html", true, InputFormat::kHtml},   {"jsonl", true, InputFormat::kJsonLines},
    {"JSONL", false, InputFormat::kAuto}, {"", false, InputFormat::kAuto},
    {"json", false, InputFormat::kAuto},
};

TEST(ReadersTest, ParsesTheFourFormatNamesOnly) {
  for (const FormatNameCase& c : kFormatNameCases) {
    SCOPED_TRACE(c.name);
    InputFormat format = InputFormat::kAuto;
    EXPECT_EQ(ParseInputFormat(c.name, format), c.want_ok);
    EXPECT_EQ(format, c.want);
  }
}

struct DetectCase {
  std::string_view name;
  std::string_view bytes;
  InputFormat want;
};

constexpr DetectCase kDetectCases[] = {
    // The extension decides, whatever the content.
    {"posts.jsonl", "plain words", InputFormat::kJsonLines},
    {"posts.NDJSON", "", InputFormat::kJsonLines},
    {"export.json", "[1]", InputFormat::kJsonLines},
    {"page.html", "{}", InputFormat::kHtml},
    {"page.htm", "", InputFormat::kHtml},
    {"page.xhtml", "", InputFormat::kHtml},
    {"dir.d/note.txt", "<html>", InputFormat::kText},
    {"README.md", "{", InputFormat::kText},
    {"notes.markdown", "<p>", InputFormat::kText},
    // Otherwise the first bytes do.
    {"stdin", "  \n{\"text\": \"hi\"}", InputFormat::kJsonLines},
    {"stdin", "\xEF\xBB\xBF{}", InputFormat::kJsonLines},
    {"page", "<!DOCTYPE html><title>x</title>", InputFormat::kHtml},
    {"page", "\n<HTML lang=fr>", InputFormat::kHtml},
    {"page", "<meta charset=utf-8><BODY>hi", InputFormat::kHtml},
    {"page", "Intro then <p>a paragraph", InputFormat::kHtml},
    {"page", "<section><div class=x>", InputFormat::kHtml},
    {"dump.bin", "some words", InputFormat::kText},  // unknown extension: sniffed
    {".md", "some words", InputFormat::kText},
    {"note", "I love <3 my phone", InputFormat::kText},
    {"note", "", InputFormat::kText},
};

TEST(ReadersTest, DetectsFormatByExtensionThenContent) {
  for (const DetectCase& c : kDetectCases) {
    SCOPED_TRACE(std::string(c.name) + " " + std::string(c.bytes));
    EXPECT_EQ(DetectInputFormat(c.bytes, c.name), c.want);
  }
}

TEST(ReadersTest, DetectionLooksOnlyAtTheFirstKilobyteForHtmlTags) {
  std::string late(2000, 'x');
  late += "<div>";
  EXPECT_EQ(DetectInputFormat(late, "note"), InputFormat::kText);
}

}  // namespace
}  // namespace ecoute

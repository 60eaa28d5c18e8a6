#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

namespace ecoute {
namespace {

struct ReadResult {
  std::vector<Post> posts;
  std::vector<Problem> problems;
};

ReadResult Read(std::string_view bytes, std::string_view name = "posts.jsonl") {
  ReadResult result;
  ReadJsonLines(
      bytes, name, [&](const Post& post) { result.posts.push_back(post); }, result.problems);
  return result;
}

// One line problem as "where: message", to compare in one expectation.
std::string Describe(const Problem& problem) {
  return problem.where + ": " + problem.message + (problem.is_fatal ? " [fatal]" : "");
}

std::vector<std::string> Describe(const std::vector<Problem>& problems) {
  std::vector<std::string> out;
  out.reserve(problems.size());
  for (const Problem& problem : problems) out.push_back(Describe(problem));
  return out;
}

TEST(JsonLinesReaderTest, ReadsEveryField) {
  const ReadResult result =
      Read(R"({"id": "t1", "text": "Late again", "url": "https://x.example/1", "title": "Rant",)"
           R"( "author": "@jo", "published_at": "2024-05-01T09:30:00Z", "followers": 1200,)"
           R"( "comments": 3, "shares": 4, "likes": 5, "unknown": {"nested": [1, 2]}})");
  ASSERT_EQ(result.posts.size(), 1u);
  const Post& post = result.posts[0];
  EXPECT_EQ(post.id, "t1");
  EXPECT_EQ(post.text, "Late again");
  EXPECT_EQ(post.url, "https://x.example/1");
  EXPECT_EQ(post.title, "Rant");
  EXPECT_EQ(post.author.handle, "@jo");
  EXPECT_EQ(post.published_at, "2024-05-01T09:30:00Z");
  EXPECT_EQ(post.author.followers, 1200);
  EXPECT_EQ(post.comments, 3);
  EXPECT_EQ(post.shares, 4);
  EXPECT_EQ(post.likes, 5);
  EXPECT_TRUE(post.links.empty());
  EXPECT_TRUE(result.problems.empty());
}

TEST(JsonLinesReaderTest, MissingFieldsStayUnknownAndIdIsTheLocation) {
  const ReadResult result = Read("\n{\"text\": \"only text\"}\n");
  ASSERT_EQ(result.posts.size(), 1u);
  const Post& post = result.posts[0];
  EXPECT_EQ(post.id, "posts.jsonl:2");
  EXPECT_EQ(post.text, "only text");
  EXPECT_EQ(post.url, "");
  EXPECT_EQ(post.author.name, "");
  EXPECT_EQ(post.author.followers, -1);
  EXPECT_EQ(post.comments, -1);
  EXPECT_EQ(post.shares, -1);
  EXPECT_EQ(post.likes, -1);
}

TEST(JsonLinesReaderTest, FieldsOfOneLineDoNotLeakIntoTheNext) {
  const ReadResult result = Read(
      "{\"id\": \"a\", \"text\": \"first\", \"author\": \"x\", \"likes\": 9, \"url\": \"u\"}\n"
      "{\"text\": \"second\"}\n");
  ASSERT_EQ(result.posts.size(), 2u);
  EXPECT_EQ(result.posts[1].id, "posts.jsonl:2");
  EXPECT_EQ(result.posts[1].author.name, "");
  EXPECT_EQ(result.posts[1].url, "");
  EXPECT_EQ(result.posts[1].likes, -1);
}

struct AuthorCase {
  std::string_view line;
  std::string_view want_author;
  int64_t want_followers;
};

constexpr AuthorCase kAuthorCases[] = {
    {R"({"text": "t", "author": "Jo"})", "Jo", -1},
    {R"({"text": "t", "author": {"name": "Jo Smith", "handle": "@jo", "followers": 50}})",
     "Jo Smith", 50},
    {R"({"text": "t", "author": {"handle": "@jo"}})", "@jo", -1},             // the handle
    {R"({"text": "t", "author": {"followers": 7}, "followers": 8})", "", 8},  // top level wins
    {R"({"text": "t", "followers": 8, "author": {"followers": 7}})", "", 8},  // in any order
    {R"({"text": "t", "author": {"name": 12, "handle": "@h", "x": [1]}})", "@h", -1},
    {R"({"text": "t", "author": null})", "", -1},
    {R"({"text": "t", "author": ["Jo"]})", "", -1},
};

TEST(JsonLinesReaderTest, AuthorIsAStringOrAnObject) {
  for (const AuthorCase& c : kAuthorCases) {
    SCOPED_TRACE(c.line);
    const ReadResult result = Read(c.line);
    ASSERT_EQ(result.posts.size(), 1u);
    const Author& author = result.posts[0].author;
    EXPECT_EQ(author.name.empty() ? author.handle : author.name, c.want_author);
    EXPECT_EQ(author.followers, c.want_followers);
    EXPECT_TRUE(result.problems.empty());
  }
}

struct CountCase {
  std::string_view likes;
  int64_t want;
};

constexpr CountCase kCountCases[] = {
    {"0", 0},
    {"42", 42},
    {"9223372036854775807", 9223372036854775807},
    {"12.0", 12},  // integral float
    {"1e3", 1000},
    {"12.5", -1},                  // not a count
    {"-3", -1},                    // negative: not a count
    {"18446744073709551615", -1},  // beyond int64
    {"\"42\"", -1},                // a string
    {"null", -1},
    {"true", -1},
};

TEST(JsonLinesReaderTest, CountsAreNonNegativeIntegers) {
  for (const CountCase& c : kCountCases) {
    SCOPED_TRACE(c.likes);
    const ReadResult result =
        Read(std::string(R"({"text": "t", "likes": )") + std::string(c.likes) + "}");
    ASSERT_EQ(result.posts.size(), 1u);
    EXPECT_EQ(result.posts[0].likes, c.want);
    EXPECT_TRUE(result.problems.empty());
  }
}

struct IdCase {
  std::string_view id;
  std::string_view want;
};

constexpr IdCase kIdCases[] = {
    {R"("abc")", "abc"},
    {"1780000000000000001", "1780000000000000001"},  // tweet ids exceed 2^53: kept exact
    {"-5", "-5"},
    {"18446744073709551615", "18446744073709551615"},
    {"null", "posts.jsonl:1"},
    {R"("")", "posts.jsonl:1"},
};

TEST(JsonLinesReaderTest, IdIsAStringOrANumber) {
  for (const IdCase& c : kIdCases) {
    SCOPED_TRACE(c.id);
    const ReadResult result =
        Read(std::string(R"({"text": "t", "id": )") + std::string(c.id) + "}");
    ASSERT_EQ(result.posts.size(), 1u);
    EXPECT_EQ(result.posts[0].id, c.want);
  }
}

TEST(JsonLinesReaderTest, StringsAreUnescaped) {
  const ReadResult result =
      Read(R"({"text": "caf\u00e9 \"quoted\"\nnext \ud83d\ude00", "title": "a\/b"})");
  ASSERT_EQ(result.posts.size(), 1u);
  EXPECT_EQ(result.posts[0].text, "caf\xC3\xA9 \"quoted\"\nnext \xF0\x9F\x98\x80");
  EXPECT_EQ(result.posts[0].title, "a/b");
}

TEST(JsonLinesReaderTest, BadLineIsReportedAndNeighboursAreKept) {
  const ReadResult result = Read(
      "{\"text\": \"one\"}\n"
      "{\"text\": \"two\"\n"  // unclosed
      "{\"text\": \"three\"}\r\n"
      "\n"
      "   \t\r\n"
      "{\"text\": \"six\"}");
  ASSERT_EQ(result.posts.size(), 3u);
  EXPECT_EQ(result.posts[0].text, "one");
  EXPECT_EQ(result.posts[1].text, "three");
  EXPECT_EQ(result.posts[1].id, "posts.jsonl:3");
  EXPECT_EQ(result.posts[2].text, "six");
  EXPECT_EQ(result.posts[2].id, "posts.jsonl:6");
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].where, "posts.jsonl:2");
  EXPECT_FALSE(result.problems[0].is_fatal);
}

struct BadLineCase {
  std::string_view line;
  std::string_view want_message;
};

constexpr BadLineCase kBadLineCases[] = {
    {R"({"id": "x"})", "no \"text\" string; the line was skipped"},
    {R"({"text": 42})", "no \"text\" string; the line was skipped"},
    {R"({"text": null})", "no \"text\" string; the line was skipped"},
    {R"({"Text": "case matters"})", "no \"text\" string; the line was skipped"},
    {"[1, 2]", "not a JSON object but an array; the line was skipped"},
    {R"("just a string")", "not a JSON object but a string; the line was skipped"},
    {"42", "not a JSON object but a number; the line was skipped"},
    {"null", "not a JSON object but null; the line was skipped"},
};

TEST(JsonLinesReaderTest, LinesWithoutATextStringOrNotObjectsAreReported) {
  for (const BadLineCase& c : kBadLineCases) {
    SCOPED_TRACE(c.line);
    const ReadResult result = Read(c.line);
    EXPECT_TRUE(result.posts.empty());
    EXPECT_EQ(Describe(result.problems),
              std::vector<std::string>{"posts.jsonl:1: " + std::string(c.want_message)});
  }
}

struct InvalidJsonCase {
  std::string_view line;
  std::string_view want_reason;  // simdjson's error message
};

constexpr InvalidJsonCase kInvalidJsonCases[] = {
    {R"({"text": "a"} {"text": "b"})", "Unexpected trailing content in the JSON input."},
    {R"({"text": "a",})", ""},
    {R"({"text": "unclosed})", ""},
    {R"({text: "a"})", ""},
    {"{\"text\": \"a\", \"likes\": 01}", ""},
    {"{\"text\": \"bad \\x escape\"}", ""},
    {"not json at all", ""},
    {"\xEF\xBB\xBF{\"text\": \"a BOM inside the file\"}", ""},
};

TEST(JsonLinesReaderTest, InvalidJsonIsReportedWithSimdjsonsReason) {
  for (const InvalidJsonCase& c : kInvalidJsonCases) {
    SCOPED_TRACE(c.line);
    // A valid line first, so that the BOM case is not at the start of the input.
    const ReadResult result = Read("{\"text\": \"ok\"}\n" + std::string(c.line));
    EXPECT_EQ(result.posts.size(), 1u);
    ASSERT_EQ(result.problems.size(), 1u);
    EXPECT_EQ(result.problems[0].where, "posts.jsonl:2");
    const std::string& message = result.problems[0].message;
    EXPECT_EQ(message.rfind("not valid JSON (", 0), 0u) << message;
    EXPECT_TRUE(message.ends_with("); the line was skipped")) << message;
    if (!c.want_reason.empty()) {
      EXPECT_EQ(message,
                "not valid JSON (" + std::string(c.want_reason) + "); the line was skipped");
    }
  }
}

TEST(JsonLinesReaderTest, ABomAtTheStartOfTheInputIsDropped) {
  const ReadResult result = Read("\xEF\xBB\xBF{\"text\": \"a\"}\n");
  ASSERT_EQ(result.posts.size(), 1u);
  EXPECT_TRUE(result.problems.empty());
}

TEST(JsonLinesReaderTest, EmptyOrBinaryInputIsAFatalProblem) {
  EXPECT_EQ(Describe(Read("").problems),
            std::vector<std::string>{"posts.jsonl: empty input, nothing to analyze [fatal]"});
  EXPECT_EQ(Describe(Read("\n \r\n").problems),
            std::vector<std::string>{"posts.jsonl: empty input, nothing to analyze [fatal]"});
  const ReadResult binary = Read(std::string_view("\x1F\x8B\x08\0\0\0", 6));
  EXPECT_TRUE(binary.posts.empty());
  EXPECT_EQ(Describe(binary.problems),
            std::vector<std::string>{"posts.jsonl: looks like binary data, not JSON lines (a "
                                     "compressed file? decompress it first) [fatal]"});
}

TEST(JsonLinesReaderTest, ProblemsAreCappedOnAFileOfGarbage) {
  std::string bytes;
  for (int i = 0; i < 1500; ++i) bytes += "garbage\n";
  const ReadResult result = Read(bytes);
  ASSERT_EQ(result.problems.size(), 1001u);
  EXPECT_EQ(result.problems[999].where, "posts.jsonl:1000");
  EXPECT_EQ(Describe(result.problems[1000]),
            "posts.jsonl: 500 more lines were skipped (only the first 1000 problems are listed)");
}

TEST(JsonLinesReaderTest, LinesGrowingInLengthAreAllRead) {
  // Lines of every length around simdjson's padding and block sizes.
  std::string bytes;
  for (int n = 0; n < 300; ++n) {
    bytes += "{\"text\": \"" + std::string(n, 'x') + "\"}\n";
  }
  const ReadResult result = Read(bytes);
  ASSERT_EQ(result.posts.size(), 300u);
  for (int n = 0; n < 300; ++n) EXPECT_EQ(result.posts[n].text.size(), static_cast<size_t>(n));
  EXPECT_TRUE(result.problems.empty());
}

TEST(JsonLinesReaderTest, AVeryLongLineIsRead) {
  std::string text(size_t{20} * 1024 * 1024, 'a');
  const ReadResult result = Read("{\"text\": \"" + text + "\"}\n{\"text\": \"short\"}");
  ASSERT_EQ(result.posts.size(), 2u);
  EXPECT_EQ(result.posts[0].text, text);
  EXPECT_EQ(result.posts[1].text, "short");
}

TEST(JsonLinesReaderTest, ReadPostsDetectsJsonLinesFromContent) {
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadPosts(
      "{\"text\": \"a\"}\n{\"text\": \"b\"}\n", "stdin", InputFormat::kAuto,
      [&](const Post& post) { posts.push_back(post); }, problems);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[1].text, "b");
  EXPECT_EQ(posts[1].id, "stdin:2");
}

TEST(JsonLinesReaderTest, InvalidUtf8IsRepairedAndThePostKept) {
  const std::string bytes =
      "{\"id\": \"a\", \"text\": \"ok \xff\xfe bad\"}\n{\"id\": \"b\", \"text\": \"fine\"}\n";
  const ReadResult result = Read(bytes);
  ASSERT_EQ(result.posts.size(), 2u);
  // 0xFF and 0xFE are each an invalid sequence of their own: two U+FFFD.
  EXPECT_EQ(result.posts[0].text, "ok \xEF\xBF\xBD\xEF\xBF\xBD bad");
  EXPECT_EQ(result.posts[1].text, "fine");
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].where, "posts.jsonl:1");
  EXPECT_EQ(result.problems[0].message,
            "invalid UTF-8 at byte 24 replaced with U+FFFD (2 sequences)");
  EXPECT_FALSE(result.problems[0].is_fatal);
}

// Lines are parsed in chunks of about 64 KB, each as one stream of documents; whatever a
// line holds, the result must be that of reading it alone. These inputs put every kind of
// line between good ones, in chunks of many lines and across chunk boundaries.

// `count` good lines, each with its line number as id.
std::string GoodLines(int first, int count) {
  std::string out;
  for (int i = first; i < first + count; ++i) {
    out += "{\"id\": \"p" + std::to_string(i) + "\", \"text\": \"post number " + std::to_string(i) +
           " of a long enough file\"}\n";
  }
  return out;
}

struct BulkLineCase {
  std::string_view line;
  std::string_view want_problem;  // "" when the line is a post
};

const BulkLineCase kBulkLineCases[] = {
    {R"({"text": "a"} {"text": "b"})",
     "not valid JSON (Unexpected trailing content in the JSON input.); the line was skipped"},
    {R"({"text": "a"} x)", ""},
    {R"({"text": "unclosed)", ""},  // checked below: not valid JSON
    {R"({"text": "a",)", ""},
    {R"({"text": "a", "b": [1, 2})", ""},
    {R"({"a": {}, "text": "x"}})", ""},
    {"{\"text\": \"bad \\x escape\"}", ""},
    {"[1, 2]", "not a JSON object but an array; the line was skipped"},
    {"42", "not a JSON object but a number; the line was skipped"},
    {"\"just a string\"", "not a JSON object but a string; the line was skipped"},
    {"nope", ""},
    {R"({"id": "x"})", "no \"text\" string; the line was skipped"},
    {"\xEF\xBB\xBF{\"text\": \"a BOM inside the file\"}", ""},
    {"garbage", ""},
};

TEST(JsonLinesReaderTest, ABadLineAmongManyGoodOnesIsReportedAlone) {
  for (const BulkLineCase& c : kBulkLineCases) {
    SCOPED_TRACE(c.line);
    // Line 101 is bad; 100 good lines before it and 100 after, in one chunk.
    const ReadResult result =
        Read(GoodLines(1, 100) + std::string(c.line) + "\n" + GoodLines(102, 100));
    ASSERT_EQ(result.posts.size(), 200u);
    EXPECT_EQ(result.posts[99].id, "p100");
    EXPECT_EQ(result.posts[100].id, "p102");
    EXPECT_EQ(result.posts[199].id, "p201");
    ASSERT_EQ(result.problems.size(), 1u);
    EXPECT_EQ(result.problems[0].where, "posts.jsonl:101");
    if (c.want_problem.empty()) {
      EXPECT_EQ(result.problems[0].message.rfind("not valid JSON (", 0), 0u)
          << result.problems[0].message;
    } else {
      EXPECT_EQ(result.problems[0].message, c.want_problem);
    }
  }
}

TEST(JsonLinesReaderTest, AnObjectSpanningTwoLinesIsTwoBadLines) {
  // Read as a stream, these two lines would make one object; read as lines, neither is one.
  const ReadResult result =
      Read(GoodLines(1, 10) + "{\"a\": {}\n, \"text\": \"x\"}\n" + GoodLines(13, 10));
  ASSERT_EQ(result.posts.size(), 20u);
  EXPECT_EQ(result.posts[10].id, "p13");
  ASSERT_EQ(result.problems.size(), 2u);
  EXPECT_EQ(result.problems[0].where, "posts.jsonl:11");
  EXPECT_EQ(result.problems[1].where, "posts.jsonl:12");
}

TEST(JsonLinesReaderTest, LinesAreReadTheSameWhateverTheirLineEnds) {
  // CRLF, blank and white-space lines, white space around objects, no final newline.
  const ReadResult result = Read(
      "\xEF\xBB\xBF{\"text\": \"a\"}\r\n"
      "\r\n"
      "\n"
      "  \t {\"text\": \"b\", \"author\": {\"name\": \"Jo\"} }  \r\n"
      "{\"text\": \"c\"}\n"
      "{\"text\": \"d\"}");
  ASSERT_EQ(result.posts.size(), 4u);
  EXPECT_EQ(result.posts[0].id, "posts.jsonl:1");
  EXPECT_EQ(result.posts[1].id, "posts.jsonl:4");
  EXPECT_EQ(result.posts[1].text, "b");
  EXPECT_EQ(result.posts[1].author.name, "Jo");
  EXPECT_EQ(result.posts[2].id, "posts.jsonl:5");
  EXPECT_EQ(result.posts[3].id, "posts.jsonl:6");
  EXPECT_EQ(result.posts[3].text, "d");
  // The hash is of the line as written, without its line break.
  EXPECT_EQ(result.posts[2].content_hash, ContentHash("{\"text\": \"c\"}"));
  EXPECT_EQ(result.posts[3].content_hash, ContentHash("{\"text\": \"d\"}"));
  EXPECT_TRUE(result.problems.empty());
}

TEST(JsonLinesReaderTest, ManyChunksOfLinesAreAllReadInOrder) {
  // About 300 KB: several chunks, cut wherever a line ends, the last one copied for padding.
  const int count = 5000;
  std::string bytes = GoodLines(1, count);
  bytes.pop_back();  // no final newline
  const ReadResult result = Read(bytes);
  ASSERT_EQ(result.posts.size(), static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    ASSERT_EQ(result.posts[i].id, "p" + std::to_string(i + 1));
    ASSERT_EQ(result.posts[i].text,
              "post number " + std::to_string(i + 1) + " of a long enough file");
  }
  EXPECT_TRUE(result.problems.empty());
}

TEST(JsonLinesReaderTest, ALineLongerThanAChunkAmongShortOnesIsRead) {
  const std::string text(size_t{300} * 1024, 'z');
  const ReadResult result = Read(GoodLines(1, 1000) + "{\"text\": \"" + text + "\"}\n" +
                                 GoodLines(1002, 1000) + "{\"text\": \"" + text + "\"}");
  ASSERT_EQ(result.posts.size(), 2002u);
  EXPECT_EQ(result.posts[1000].text, text);
  EXPECT_EQ(result.posts[1000].id, "posts.jsonl:1001");
  EXPECT_EQ(result.posts[1001].id, "p1002");
  EXPECT_EQ(result.posts[2001].text, text);
  EXPECT_TRUE(result.problems.empty());
}

TEST(JsonLinesReaderTest, InvalidUtf8AmongManyLinesIsRepairedOnItsLineOnly) {
  const std::string good = GoodLines(1, 100);
  const ReadResult result =
      Read(good + "{\"id\": \"bad\", \"text\": \"ok \xff bad\"}\n" + GoodLines(102, 100));
  ASSERT_EQ(result.posts.size(), 201u);
  EXPECT_EQ(result.posts[100].text, "ok \xEF\xBF\xBD bad");
  EXPECT_EQ(result.posts[101].id, "p102");
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].where, "posts.jsonl:101");
  EXPECT_EQ(result.problems[0].message, "invalid UTF-8 at byte " +
                                            std::to_string(good.size() + 26) +
                                            " replaced with U+FFFD (1 sequence)");
}

TEST(JsonLinesReaderTest, EscapedAndPlainStringsReadAlike) {
  const ReadResult result =
      Read(R"({"t\u0065xt": "caf\u00e9", "title": "", "url": "a\"b", "lang" : "fr" , "id": "x"})"
           "\n"
           R"({"text": "caf\u00e9", "author": {"n\u0061me": "N\u00e9", "handle": "@h"}})"
           "\n");
  ASSERT_EQ(result.posts.size(), 2u);
  EXPECT_EQ(result.posts[0].text, "caf\xC3\xA9");
  EXPECT_EQ(result.posts[0].url, "a\"b");
  EXPECT_EQ(result.posts[0].lang, "fr");
  EXPECT_EQ(result.posts[0].id, "x");
  EXPECT_EQ(result.posts[1].author.name, "N\xC3\xA9");
  EXPECT_EQ(result.posts[1].author.handle, "@h");
  EXPECT_TRUE(result.problems.empty());
}

struct DateCase {
  std::string_view date;
  std::string_view want;  // "" when it is not a date
};

constexpr DateCase kDateCases[] = {
    {"2026-11-20T08:12:00Z", "2026-11-20T08:12:00Z"},  // already normal: kept
    {"2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"},  // a leap day
    {"2023-02-29T10:00:00Z", ""},                      // no such day
    {"2026-13-01T00:00:00Z", ""},
    {"2026-11-20T24:00:00Z", "2026-11-21T00:00:00Z"},  // end of day
    {"2026-11-20T08:12:60Z", "2026-11-20T08:13:00Z"},  // a leap second
    {"2026-11-20t08:12:00z", "2026-11-20T08:12:00Z"},
    {"2026-11-20T09:12:00+01:00", "2026-11-20T08:12:00Z"},
    {"2026-11-20T08:12:00.5Z", "2026-11-20T08:12:00Z"},
    {"0000-01-01T00:00:00Z", ""},
    {"Tue, 10 Jun 2003 04:00:00 GMT", "2003-06-10T04:00:00Z"},
};

TEST(JsonLinesReaderTest, DatesAreNormalizedToRfc3339) {
  for (const DateCase& c : kDateCases) {
    SCOPED_TRACE(c.date);
    const ReadResult result = Read("{\"text\": \"t\", \"published_at\": \"" + std::string(c.date) +
                                   "\"}\n{\"text\": \"u\"}\n");
    ASSERT_EQ(result.posts.size(), 2u);
    EXPECT_EQ(result.posts[0].published_at, c.want);
    EXPECT_EQ(result.problems.size(), c.want.empty() ? 1u : 0u);
  }
}

}  // namespace
}  // namespace ecoute

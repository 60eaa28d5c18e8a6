#include <cstdint>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "ecoute/analysis.h"
#include "ecoute/search.h"

#include "util/datetime.h"

namespace ecoute {

// Readable failures for whole-query comparisons.
void PrintTo(const SearchQuery& q, std::ostream* os) {
  *os << "{match: " << q.match;
  for (const std::string& b : q.brands) *os << ", brand: " << b;
  for (Stance s : q.stances) *os << ", stance: " << StanceName(s);
  for (Topic t : q.topics) *os << ", topic: " << TopicName(t);
  for (const std::string& l : q.langs) *os << ", lang: " << l;
  for (const std::string& a : q.authors) *os << ", author: " << a;
  if (q.since) *os << ", since: " << FormatRfc3339(*q.since);
  if (q.until) *os << ", until: " << FormatRfc3339(*q.until);
  if (q.case_id) *os << ", case: " << *q.case_id;
  for (const std::string& w : q.words) *os << ", word: " << w;
  *os << "}";
}

namespace {

int64_t Time(std::string_view rfc3339) { return ParseDateTime(rfc3339).value(); }

// Fri 2026-05-15 12:00:00 UTC anchors every relative time below.
const int64_t kNow = Time("2026-05-15T12:00:00Z");

// The words list joined with "|".
std::string JoinWords(const SearchQuery& q) {
  std::string out;
  for (const std::string& w : q.words) out += (out.empty() ? "" : "|") + w;
  return out;
}

// Text to the exact FTS5 expression, and the words kept for display.
struct MatchCase {
  std::string_view query;
  std::string_view match;
  std::string_view words;
};

constexpr MatchCase kMatchCases[] = {
    {"colis", R"("colis")", "colis"},
    {"colis perdu", R"("colis" AND "perdu")", "colis|perdu"},  // implicit AND
    {"colis AND perdu", R"("colis" AND "perdu")", "colis|perdu"},
    {"colis colis", R"("colis" AND "colis")", "colis"},  // words listed once
    {R"("pas remboursé")", R"("pas remboursé")", "pas|remboursé"},
    {R"("  pas   remboursé ")", R"("pas remboursé")", "pas|remboursé"},  // space collapsed
    {"rembour*", R"("rembour" *)", "rembour"},
    {"rembour**", R"("rembour" *)", "rembour"},
    {R"("pas rembour"*)", R"("pas rembour" *)", "pas|rembour"},  // prefix on the last word
    {"a*b", R"("a*b")", "a*b"},                                  // '*' inside: literal
    {"colis -perdu", R"("colis" NOT "perdu")", "colis"},
    {R"(colis -"pas grave")", R"("colis" NOT "pas grave")", "colis"},
    {"colis -rembour*", R"("colis" NOT "rembour" *)", "colis"},
    {"colis NOT perdu", R"("colis" NOT "perdu")", "colis"},
    {"colis livraison -perdu", R"(("colis" AND "livraison") NOT "perdu")", "colis|livraison"},
    {"-perdu colis", R"("colis" NOT "perdu")", "colis"},  // exclusions go last
    {"a -b c", R"(("a" AND "c") NOT "b")", "a|c"},
    {"colis -perdu -volé", R"("colis" NOT ("perdu" OR "volé"))", "colis"},
    {"retard OR annulation", R"("retard" OR "annulation")", "retard|annulation"},
    {"retard OR annulation OR grève", R"("retard" OR "annulation" OR "grève")",
     "retard|annulation|grève"},
    // OR binds tighter than AND, unlike in FTS5: parentheses say so.
    {"train retard OR annulation", R"("train" AND ("retard" OR "annulation"))",
     "train|retard|annulation"},
    {"retard OR annulation train", R"(("retard" OR "annulation") AND "train")",
     "retard|annulation|train"},
    {"(colis perdu) OR remboursement", R"(("colis" AND "perdu") OR "remboursement")",
     "colis|perdu|remboursement"},
    {"colis -(perdu OR volé)", R"("colis" NOT ("perdu" OR "volé"))", "colis"},
    {"colis NOT (perdu volé)", R"("colis" NOT ("perdu" AND "volé"))", "colis"},
    {"a (b -c) OR d", R"("a" AND (("b" NOT "c") OR "d"))", "a|b|d"},
    {"a -(b -c)", R"("a" NOT ("b" NOT "c"))", "a"},  // nothing under an exclusion is shown
    {"((colis))", R"("colis")", "colis"},
    {"(a b) (c OR d)", R"(("a" AND "b") AND ("c" OR "d"))", "a|b|c|d"},
    {"a OR(b c)", R"("a" OR ("b" AND "c"))", "a|b|c"},  // parentheses end words
    {R"(foo"bar")", R"("foo" AND "bar")", "foo|bar"},   // so do quotes
    // Keywords are upper case only; quoted, they are words.
    {"or and not", R"("or" AND "and" AND "not")", "or|and|not"},
    {R"("OR" "NOT")", R"("OR" AND "NOT")", "OR|NOT"},
    // FTS5 syntax is data inside strings.
    {"NEAR(a b)", R"("NEAR" AND ("a" AND "b"))", "NEAR|a|b"},
    {"^colis +x {a b}:c", R"("^colis" AND "+x" AND "{a" AND "b}:c")", "^colis|+x|{a|b}:c"},
    // ':' makes a filter only after ASCII letters and before anything but '/'.
    {"https://sncf.fr/aide", R"("https://sncf.fr/aide")", "https://sncf.fr/aide"},
    {"10:30 retard", R"("10:30" AND "retard")", "10:30|retard"},
    {"été:x", R"("été:x")", "été:x"},
    {"porte-monnaie l'avion", R"("porte-monnaie" AND "l'avion")", "porte-monnaie|l'avion"},
    {"x-", R"("x-")", "x-"},  // '-' excludes only at the start of a word
    // Any white space separates, controls and Unicode spaces included.
    {"colis\tperdu\r\n", R"("colis" AND "perdu")", "colis|perdu"},
    {"colis\u00a0perdu\u202fvite\u3000là", R"("colis" AND "perdu" AND "vite" AND "là")",
     "colis|perdu|vite|là"},
    {"\"pas\x01remboursé\"", R"("pas remboursé")", "pas|remboursé"},
    // Unicode words pass through as written.
    {"Ünïcödé 東京 Москва 😡x", R"("Ünïcödé" AND "東京" AND "Москва" AND "😡x")",
     "Ünïcödé|東京|Москва|😡x"},
    {"ÉCHEC", R"("ÉCHEC")", "ÉCHEC"},
};

TEST(SearchQueryTest, BuildsTheExactFts5Expression) {
  for (const MatchCase& c : kMatchCases) {
    SCOPED_TRACE(c.query);
    const Result<SearchQuery> q = ParseSearchQuery(c.query, kNow);
    ASSERT_TRUE(q.has_value()) << q.error().ToString();
    EXPECT_EQ(q->match, c.match);
    EXPECT_EQ(JoinWords(*q), c.words);
    EXPECT_TRUE(q->brands.empty() && q->stances.empty() && !q->since && !q->case_id);
  }
}

// Whole queries, filters included: `want` fills in what differs from an empty SearchQuery.
struct QueryCase {
  std::string_view query;
  void (*want)(SearchQuery& q);
};

constexpr QueryCase kQueryCases[] = {
    {R"(brand:"Bouygues Telecom" stance:complaint colis)",
     [](SearchQuery& q) {
       q.match = R"("colis")";
       q.brands = {"Bouygues Telecom"};
       q.stances = {Stance::kComplaint};
       q.words = {"colis"};
     }},
    // Filters only: no MATCH.
    {"brand:SNCF", [](SearchQuery& q) { q.brands = {"SNCF"}; }},
    // Repeated filters accept any value, each kept once; values keep their case.
    {R"(brand:SNCF brand:"  Air   France " brand:SNCF brand:sncf)",
     [](SearchQuery& q) {
       q.brands = {"SNCF", "Air France", "sncf"};
     }},
    {"stance:complaint stance:QUESTION stance:complaint",
     [](SearchQuery& q) {
       q.stances = {Stance::kComplaint, Stance::kQuestion};
     }},
    {"topic:delivery topic:product_defect topic:Product-Defect",
     [](SearchQuery& q) {
       q.topics = {Topic::kDelivery, Topic::kProductDefect};
     }},
    {"lang:fr lang:EN lang:fra",
     [](SearchQuery& q) {
       q.langs = {"fr", "en", "fra"};
     }},
    {R"(author:@marie author:"Marie L.")",
     [](SearchQuery& q) {
       q.authors = {"@marie", "Marie L."};
     }},
    {"case:42", [](SearchQuery& q) { q.case_id = 42; }},
    {"case:#42", [](SearchQuery& q) { q.case_id = 42; }},
    {"case:9223372036854775807", [](SearchQuery& q) { q.case_id = INT64_MAX; }},
    // Keys are case-insensitive; a filter may sit anywhere, AND may join it.
    {"retard Brand:SNCF AND annulation",
     [](SearchQuery& q) {
       q.match = R"("retard" AND "annulation")";
       q.brands = {"SNCF"};
       q.words = {"retard", "annulation"};
     }},
    {"brand:SNCF -retard colis",
     [](SearchQuery& q) {
       q.match = R"("colis" NOT "retard")";
       q.brands = {"SNCF"};
       q.words = {"colis"};
     }},
    {"brand:a:b", [](SearchQuery& q) { q.brands = {"a:b"}; }},  // the value runs to a space
};

TEST(SearchQueryTest, ParsesFilters) {
  for (const QueryCase& c : kQueryCases) {
    SCOPED_TRACE(c.query);
    const Result<SearchQuery> q = ParseSearchQuery(c.query, kNow);
    ASSERT_TRUE(q.has_value()) << q.error().ToString();
    SearchQuery want;
    c.want(want);
    EXPECT_EQ(*q, want);
  }
}

// Times: text to the since and until bounds, in RFC 3339 ("" when absent).
struct TimeCase {
  std::string_view query;
  std::string_view since;
  std::string_view until;
};

constexpr TimeCase kTimeCases[] = {
    {"since:2026-05-01", "2026-05-01T00:00:00Z", ""},
    {"until:2026-05-31", "", "2026-06-01T00:00:00Z"},  // through the end of the day
    {"until:2026-12-31", "", "2027-01-01T00:00:00Z"},
    {"since:2026-05-01 until:2026-05-01", "2026-05-01T00:00:00Z", "2026-05-02T00:00:00Z"},
    {"since:2026-05-01T08:30:00Z", "2026-05-01T08:30:00Z", ""},
    {"until:2026-05-31T18:00:00+02:00", "", "2026-05-31T16:00:00Z"},  // a time: exact bound
    {"since:2026-05-01t08:30:00.250-01:00", "2026-05-01T09:30:00Z", ""},
    {"since:2026-05-01T08:30", "2026-05-01T08:30:00Z", ""},  // no zone: UTC
    {R"(since:"2026-05-01 08:30")", "2026-05-01T08:30:00Z", ""},
    {"since:24h", "2026-05-14T12:00:00Z", ""},
    {"since:7d", "2026-05-08T12:00:00Z", ""},
    {"since:2w", "2026-05-01T12:00:00Z", ""},
    {"since:90m", "2026-05-15T10:30:00Z", ""},  // minutes, as the report and the API take
    {"Since:7D", "2026-05-08T12:00:00Z", ""},
    {"until:1d", "", "2026-05-14T12:00:00Z"},
    {"since:0h", "2026-05-15T12:00:00Z", ""},
    {"since:2024-02-29", "2024-02-29T00:00:00Z", ""},
};

TEST(SearchQueryTest, ReadsDatesTimesAndSpans) {
  for (const TimeCase& c : kTimeCases) {
    SCOPED_TRACE(c.query);
    const Result<SearchQuery> q = ParseSearchQuery(c.query, kNow);
    ASSERT_TRUE(q.has_value()) << q.error().ToString();
    EXPECT_EQ(q->since ? FormatRfc3339(*q->since) : "", c.since);
    EXPECT_EQ(q->until ? FormatRfc3339(*q->until) : "", c.until);
    EXPECT_TRUE(q->match.empty());
  }
}

// Text to the exact message; columns count code points.
struct ErrorCase {
  std::string_view query;
  std::string_view message;
};

constexpr ErrorCase kErrorCases[] = {
    {"", "empty query: give words or filters"},
    {" \t\n ", "empty query: give words or filters"},
    // Quotes.
    {R"(remboursé, "pas)", R"(column 12: unterminated quote: add a closing ")"},
    {R"(brand:"Bouygues Telecom)", R"(column 7: unterminated quote: add a closing ")"},
    {R"("a" "b" ")", R"(column 9: unterminated quote: add a closing ")"},
    {R"(a "" b)", "column 3: empty phrase: put words between the quotes"},
    {R"(a "   "*)", "column 3: empty phrase: put words between the quotes"},
    // Words that are no words.
    {"colis : perdu",
     R"(column 7: ":" has no letter or digit; remove it (the index holds only words))"},
    {"😡", R"(column 1: "😡" has no letter or digit; remove it (the index holds only words))"},
    {R"("!!"*)",
     R"(column 1: "!!"* has no letter or digit; remove it (the index holds only words))"},
    {"*", R"(column 1: "*" needs a word before it, as in rembour*)"},
    {"a ***", R"(column 3: "*" needs a word before it, as in rembour*)"},
    // Exclusions.
    {"-colis",
     "column 1: only exclusions: add a word or phrase to search for; FTS5 cannot run a query "
     "of exclusions alone"},
    {"NOT colis -perdu",
     "column 1: only exclusions: add a word or phrase to search for; FTS5 cannot run a query "
     "of exclusions alone"},
    {"brand:SNCF -retard",
     "column 12: only exclusions: add a word or phrase to search for; FTS5 cannot run a query "
     "of exclusions alone"},
    {"a (-b)",
     "column 4: only exclusions: add a word or phrase to search for; FTS5 cannot run a query "
     "of exclusions alone"},
    {"colis - perdu", R"(column 7: "-" alone: glue it to what to exclude, as in -remboursé)"},
    {"colis -", R"(column 7: "-" alone: glue it to what to exclude, as in -remboursé)"},
    {"a --b", R"(column 3: "-" needs a word, phrase or group right after it, as in -remboursé)"},
    {"(a -)", R"(column 4: "-" needs a word, phrase or group right after it, as in -remboursé)"},
    {"a NOT", "column 3: NOT needs a word, phrase or group right after it, as in NOT remboursé"},
    {"a NOT OR b",
     "column 3: NOT needs a word, phrase or group right after it, as in NOT remboursé"},
    {"a -b OR c",
     "column 6: OR cannot take an exclusion; to exclude either of two terms, write "
     "-(a OR b)"},
    {"a OR -b",
     "column 3: OR cannot take an exclusion; to exclude either of two terms, write "
     "-(a OR b)"},
    {"a -(b OR c) OR d",
     "column 13: OR cannot take an exclusion; to exclude either of two "
     "terms, write -(a OR b)"},
    {"a -brand:SNCF",
     "column 3: -brand:SNCF: a filter cannot be excluded; give the values you want instead"},
    {"a NOT stance:praise",
     "column 3: NOT stance:praise: a filter cannot be excluded; give the values you want "
     "instead"},
    // OR and AND.
    {"OR", "column 1: OR needs a term on each side"},
    {"OR retard", "column 1: OR needs a term on each side"},
    {"retard OR", "column 8: OR needs a term on each side"},
    {"retard OR OR grève", "column 8: OR needs a term on each side"},
    {"retard OR )", "column 8: OR needs a term on each side"},
    {"retard AND OR grève", "column 12: OR needs a term on each side"},
    {"AND retard", "column 1: AND needs a term on each side"},
    {"retard AND", "column 8: AND needs a term on each side"},
    {"retard AND AND grève", "column 12: AND needs a term on each side"},
    {"(a AND) b", "column 4: AND needs a term on each side"},
    // Parentheses.
    {"(colis perdu", "column 1: unclosed \"(\": add a \")\""},
    {"a ((b) c", "column 3: unclosed \"(\": add a \")\""},
    {"colis perdu)", "column 12: unmatched \")\": remove it or add a \"(\" before"},
    {"a () b", "column 3: empty parentheses: put words inside or remove them"},
    {"(((((((a)))))))", "column 7: parentheses nested more than 6 deep; simplify the query"},
    // Filters.
    {"foo:bar",
     "column 1: unknown filter \"foo:\"; known filters: brand, stance, topic, lang, "
     "author, since, until, case"},
    {"colis Sujet:retard",
     "column 7: unknown filter \"Sujet:\"; known filters: brand, stance, topic, lang, "
     "author, since, until, case"},
    {"attention:",
     "column 1: unknown filter \"attention:\"; known filters: brand, stance, topic, lang, "
     "author, since, until, case"},
    {"a -foo:b",
     "column 4: unknown filter \"foo:\"; known filters: brand, stance, topic, lang, "
     "author, since, until, case"},
    {"retard stance:angry",
     "column 8: stance:angry: unknown stance; use complaint, praise, resolution, question or "
     "neutral"},
    {R"(stance:"angry")",
     R"(column 1: stance:"angry": unknown stance; use complaint, praise, resolution, )"
     "question or neutral"},
    {"topic:weather",
     "column 1: topic:weather: unknown topic; use billing, delay, support, product_defect, "
     "cancellation, contract, staff_attitude, delivery, outage or other"},
    {"lang:french",
     "column 1: lang:french: not a language code; use ISO 639 letters, as in lang:fr"},
    {"lang:f", "column 1: lang:f: not a language code; use ISO 639 letters, as in lang:fr"},
    {"lang:f1", "column 1: lang:f1: not a language code; use ISO 639 letters, as in lang:fr"},
    {"brand:", R"(column 1: brand: needs a value, as in brand:"Bouygues Telecom")"},
    {R"(colis Brand:"  ")", R"(column 7: Brand: needs a value, as in brand:"Bouygues Telecom")"},
    {"brand:(x)", R"(column 1: brand: needs a value, as in brand:"Bouygues Telecom")"},
    {"stance:", "column 1: stance: needs a value, as in stance:complaint"},
    {"topic:", "column 1: topic: needs a value, as in topic:delivery"},
    {"lang:", "column 1: lang: needs a value, as in lang:fr"},
    {"author:", "column 1: author: needs a value, as in author:@marie"},
    {"since:", "column 1: since: needs a value, as in since:2026-05-01 or since:7d"},
    {"until:", "column 1: until: needs a value, as in until:2026-05-31"},
    {"case:", "column 1: case: needs a value, as in case:42"},
    {"case:abc", "column 1: case:abc: not a case id; use a positive whole number, as in case:42"},
    {"case:0", "column 1: case:0: not a case id; use a positive whole number, as in case:42"},
    {"case:-3", "column 1: case:-3: not a case id; use a positive whole number, as in case:42"},
    {"case:9223372036854775808",
     "column 1: case:9223372036854775808: not a case id; use a positive whole number, as in "
     "case:42"},
    {"case:1 case:2", "column 8: case: given twice; keep one"},
    {"since:2026-13-01",
     "column 1: since:2026-13-01: not a date; write YYYY-MM-DD, an RFC 3339 time or an age like "
     "90m, 12h, 7d or 2w"},
    {"since:2026-02-30",
     "column 1: since:2026-02-30: not a date; write YYYY-MM-DD, an RFC 3339 time or an age like "
     "90m, 12h, 7d or 2w"},
    {"until:2026-05",
     "column 1: until:2026-05: not a date; write YYYY-MM-DD, an RFC 3339 time or an age like "
     "90m, 12h, 7d or 2w"},
    {"since:7s",
     "column 1: since:7s: not a date; write YYYY-MM-DD, an RFC 3339 time or an age like "
     "90m, 12h, 7d or 2w"},
    {"since:yesterday",
     "column 1: since:yesterday: not a date; write YYYY-MM-DD, an RFC 3339 time or an age like "
     "90m, 12h, 7d or 2w"},
    {"since:2026-05-01X",
     "column 1: since:2026-05-01X: not a date; write YYYY-MM-DD, an RFC 3339 time or an age like "
     "90m, 12h, 7d or 2w"},
    {"since:1234567890d",
     "column 1: since:1234567890d: not a date; write YYYY-MM-DD, an RFC 3339 time or an age like "
     "90m, 12h, 7d or 2w"},
    {"since:2026-05-01 since:7d", "column 18: since: given twice; keep one"},
    {"since:2026-05-02 until:2026-05-01",
     "column 18: until:2026-05-01 ends before since:2026-05-02 begins: nothing can match; "
     "check the dates"},
    {"until:1d since:1d",
     "column 10: until:1d ends before since:1d begins: nothing can match; check the dates"},
    {"(brand:SNCF retard)",
     "column 2: brand:SNCF: filters apply to the whole query; move it out of the parentheses"},
    {"retard OR brand:SNCF",
     "column 11: brand:SNCF: a filter cannot be an alternative of OR; filters apply to the "
     "whole query"},
    {"brand:SNCF OR brand:RATP",
     "column 12: OR cannot join filters; repeating a filter already accepts any of its values, "
     "as in stance:complaint stance:question"},
    {"author:@marie)", "column 14: unmatched \")\": remove it or add a \"(\" before"},
    // Encoding: columns count code points; bytes that are not UTF-8 are refused.
    {"été \"x", R"(column 5: unterminated quote: add a closing ")"},
    {"東京 😡x )", "column 7: unmatched \")\": remove it or add a \"(\" before"},
    {"caf\xe9 x", "column 4: byte 0xE9 is not UTF-8; give the query in UTF-8"},
    {"été \xc3(", "column 5: byte 0xC3 is not UTF-8; give the query in UTF-8"},
    {"\xed\xa0\x80", "column 1: byte 0xED is not UTF-8; give the query in UTF-8"},  // surrogate
};

TEST(SearchQueryTest, ExplainsEveryErrorWithItsColumn) {
  for (const ErrorCase& c : kErrorCases) {
    SCOPED_TRACE(c.query);
    const Result<SearchQuery> q = ParseSearchQuery(c.query, kNow);
    ASSERT_FALSE(q.has_value()) << q->match;
    EXPECT_EQ(q.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(q.error().message(), c.message);
  }
}

TEST(SearchQueryTest, AcceptsGroupsAsDeepAsTheLimit) {
  const Result<SearchQuery> q = ParseSearchQuery("((((((a -b) OR c) d) OR e) f) OR g)", kNow);
  ASSERT_TRUE(q.has_value()) << q.error().ToString();
  EXPECT_EQ(q->match, R"(((((("a" NOT "b") OR "c") AND "d") OR "e") AND "f") OR "g")");
}

TEST(SearchQueryTest, BuildsLongQueries) {
  std::string text;
  std::string want;
  for (int i = 0; i < 300; ++i) {
    const std::string n = std::to_string(i);
    text += "w" + n + " OR v" + n + "* -x" + n + " brand:b" + n + " ";
  }
  std::string positives;
  std::string negatives;
  for (int i = 0; i < 300; ++i) {
    const std::string n = std::to_string(i);
    positives += (i ? " AND " : "") + ("(\"w" + n + "\" OR \"v" + n + "\" *)");
    negatives += (i ? " OR " : "") + ("\"x" + n + "\"");
  }
  const Result<SearchQuery> q = ParseSearchQuery(text, kNow);
  ASSERT_TRUE(q.has_value()) << q.error().ToString();
  EXPECT_EQ(q->match, "(" + positives + ") NOT (" + negatives + ")");
  EXPECT_EQ(q->brands.size(), 300u);
  EXPECT_EQ(q->words.size(), 600u);
}

// Balanced quotes and parentheses, operators only outside strings.
bool IsWellFormed(std::string_view match) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < match.size(); ++i) {
    const char c = match[i];
    if (in_string) {
      if (c == '"' && i + 1 < match.size() && match[i + 1] == '"') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth < 0) {
      return false;
    }
  }
  return !in_string && depth == 0;
}

// Random queries over the syntax's own characters: every outcome is a well-formed
// expression or an error with a column.
TEST(SearchQueryTest, NeverBreaksOnRandomInput) {
  static constexpr std::string_view kPieces[] = {
      "a",      "é",    " ",     "\"", "(",
      ")",      "-",    "*",     "OR", "AND",
      "NOT",    ":",    "brand", "x:", "since:",
      "7d",     "\xff", "\xc3",  "/",  "\t",
      "東",     "case", "1",     "\\", std::string_view("\0", 1),
      "until:", "lang", "ab",
  };
  std::mt19937 rng(42);
  std::uniform_int_distribution<size_t> piece(0, std::size(kPieces) - 1);
  std::uniform_int_distribution<int> length(0, 12);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    for (int n = length(rng); n > 0; --n) {
      text += kPieces[piece(rng)];
      text += ' ';
      if (piece(rng) % 2) text.pop_back();
    }
    const Result<SearchQuery> q = ParseSearchQuery(text, kNow);
    if (q.has_value()) {
      ASSERT_TRUE(IsWellFormed(q->match)) << text << " -> " << q->match;
    } else {
      const std::string m = q.error().message();
      ASSERT_TRUE(m.starts_with("column ") || m.starts_with("empty query")) << m;
    }
  }
}

}  // namespace
}  // namespace ecoute

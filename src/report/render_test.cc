#include <algorithm>
#include <cctype>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ecoute/report.h"

namespace ecoute {
namespace {

constexpr int64_t kGeneratedAt = 1'795'162'320;  // 2026-11-20T08:12:00Z
constexpr int64_t kSince = 1'793'491'200;        // 2026-11-01T00:00:00Z
constexpr int64_t kUntil = 1'795'132'800;        // 2026-11-20T00:00:00Z
constexpr int64_t kSpikeHour = 1'795'010'400;    // 2026-11-18T14:00:00Z

// Two brands: one answering (the example of docs/REPORT.md: 4 praise, 2 unanswered cases,
// 1 recovered case; of 5 cases, 2 answered in the channel and 1 only by phone), one never asked
// anything, whose name needs CSV quoting.
Report SampleReport() {
  Report r;
  r.generated_at = kGeneratedAt;
  r.since = kSince;
  r.until = kUntil;

  BrandReport a;
  a.brand = "Société Générale";
  a.mentions = 12;
  a.complaints = 5;
  a.praise = 4;
  a.resolutions = 1;
  a.questions = 2;
  a.cases = 5;
  a.responded = 2;  // observed
  a.response_rate = 0.4;
  a.declared = 1;
  a.declared_rate = 0.2;
  a.first_response_median_s = 7500;  // 2h05
  a.first_response_p90_s = 274'000;  // 3 days, 4 hours and a bit
  a.resolved = 2;
  a.resolution_rate = 0.4;
  a.recovered = 1;
  a.unanswered = 2;
  a.word_of_mouth = 4;  // 3 * 4 - 10 * 2 + 12 * 1
  a.topics = {{Topic::kBilling, 5, 3}, {Topic::kProductDefect, 2, 2}, {Topic::kOther, 0, 0}};
  a.weeks = {{"2026-W45", 3, 1, 1}, {"2026-W46", 0, 0, 0}, {"2026-W47", 9, 4, 3}};
  a.spikes = {{kSpikeHour, 30, 2, 28}};
  a.response_times_s = {45, 7500, 274'000};
  // Wilson for 2/5: [0.1176, 0.7693]; the bootstrap of three times: [45, 274000] (see
  // figures_test.cc for how such values are checked).
  AddIntervals(a);
  r.brands.push_back(a);

  BrandReport b;
  b.brand = "Acme, \"Co\"";
  b.mentions = 3;
  b.praise = 1;
  b.word_of_mouth = 3;
  b.weeks = {{"2026-W45", 0, 0, 0}, {"2026-W46", 1, 0, 1}, {"2026-W47", 2, 0, 0}};
  b.ranked = false;  // no case, under the minimum of 2
  r.brands.push_back(b);
  r.min_cases = 2;
  return r;
}

struct DurationCase {
  double seconds;
  std::string_view want;
};

TEST(RenderTest, FormatsDurationsWithTheirTwoLargestUnits) {
  const DurationCase cases[] = {
      {0, "0s"},           {45, "45s"},
      {59.9, "59s"},  // truncated, never rounded up to "60s"
      {60, "1m"},          {3599, "59m"},
      {3600, "1h00"},      {7500, "2h05"},
      {86399, "23h59"},    {86400, "1d"},
      {274'000, "3d4h"},   {10 * 86400 + 3599, "10d"},  // under an hour past whole days
      {-1, "—"},                                        // unknown
      {std::nan(""), "—"},
  };
  for (const DurationCase& c : cases) {
    SCOPED_TRACE(c.seconds);
    EXPECT_EQ(FormatDuration(c.seconds), c.want);
  }
}

TEST(RenderTest, JsonCarriesEveryFieldWithNullsForTheUnknown) {
  std::string out;
  AppendReportJson(SampleReport(), out);
  const nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["generated_at"], "2026-11-20T08:12:00Z");
  EXPECT_EQ(j["since"], "2026-11-01T00:00:00Z");
  EXPECT_EQ(j["until"], "2026-11-20T00:00:00Z");
  EXPECT_EQ(j["min_cases"], 2);
  EXPECT_EQ(j["confidence"], 0.95);
  EXPECT_EQ(j["bootstrap_resamples"], kBootstrapResamples);
  ASSERT_EQ(j["brands"].size(), 2u);

  const nlohmann::json& a = j["brands"][0];
  EXPECT_EQ(a.size(), 27u);  // every field of BrandReport, and the rank
  EXPECT_EQ(a["brand"], "Société Générale");
  EXPECT_EQ(a["ranked"], true);
  EXPECT_EQ(a["rank"], 1);
  EXPECT_EQ(a["response_rate_ci"], nlohmann::json::parse("[0.1176, 0.7693]"));
  EXPECT_EQ(a["resolution_rate_ci"], nlohmann::json::parse("[0.1176, 0.7693]"));
  EXPECT_EQ(a["first_response_median_ci_s"], nlohmann::json::parse("[45, 274000]"));
  EXPECT_EQ(a["mentions"], 12);
  EXPECT_EQ(a["complaints"], 5);
  EXPECT_EQ(a["praise"], 4);
  EXPECT_EQ(a["resolutions"], 1);
  EXPECT_EQ(a["questions"], 2);
  EXPECT_EQ(a["cases"], 5);
  EXPECT_EQ(a["responded"], 2);
  EXPECT_DOUBLE_EQ(a["response_rate"].get<double>(), 0.4);
  EXPECT_EQ(a["declared"], 1);
  EXPECT_DOUBLE_EQ(a["declared_rate"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(a["first_response_median_s"].get<double>(), 7500);
  EXPECT_DOUBLE_EQ(a["first_response_p90_s"].get<double>(), 274'000);
  EXPECT_EQ(a["resolved"], 2);
  EXPECT_DOUBLE_EQ(a["resolution_rate"].get<double>(), 0.4);
  EXPECT_EQ(a["recovered"], 1);
  EXPECT_EQ(a["unanswered"], 2);
  EXPECT_EQ(a["word_of_mouth"], 4);
  EXPECT_EQ(a["topics"], nlohmann::json::parse(R"([
      {"topic": "billing", "mentions": 5, "complaints": 3},
      {"topic": "product_defect", "mentions": 2, "complaints": 2},
      {"topic": "other", "mentions": 0, "complaints": 0}])"));
  EXPECT_EQ(a["weeks"], nlohmann::json::parse(R"([
      {"week": "2026-W45", "mentions": 3, "complaints": 1, "praise": 1},
      {"week": "2026-W46", "mentions": 0, "complaints": 0, "praise": 0},
      {"week": "2026-W47", "mentions": 9, "complaints": 4, "praise": 3}])"));
  EXPECT_EQ(a["spikes"], nlohmann::json::parse(R"([
      {"hour": "2026-11-18T14:00:00Z", "mentions": 30, "baseline": 2, "z": 28}])"));
  EXPECT_EQ(a["response_times_s"], nlohmann::json::parse("[45, 7500, 274000]"));

  const nlohmann::json& b = j["brands"][1];
  EXPECT_EQ(b["brand"], "Acme, \"Co\"");
  EXPECT_EQ(b["ranked"], false);
  EXPECT_TRUE(b["rank"].is_null());
  EXPECT_TRUE(b["response_rate_ci"].is_null());
  EXPECT_TRUE(b["resolution_rate_ci"].is_null());
  EXPECT_TRUE(b["first_response_median_ci_s"].is_null());
  EXPECT_TRUE(b["first_response_median_s"].is_null());
  EXPECT_TRUE(b["first_response_p90_s"].is_null());
  EXPECT_EQ(b["response_rate"], 0);
  EXPECT_EQ(b["spikes"], nlohmann::json::array());
}

TEST(RenderTest, JsonRoundsRatesToFourDecimalsAndNullsAnOpenPeriod) {
  Report r;
  r.generated_at = kGeneratedAt;
  BrandReport b;
  b.brand = "Line\nbreak";
  b.cases = 3;
  b.responded = 2;
  b.response_rate = 2.0 / 3;
  b.spikes = {{kSpikeHour, 7, 1.23456, 3.14159}};
  r.brands.push_back(b);
  std::string out;
  AppendReportJson(r, out);
  EXPECT_NE(out.find("\"response_rate\": 0.6667,"), std::string::npos) << out;
  EXPECT_NE(out.find("\"baseline\": 1.2346, \"z\": 3.1416"), std::string::npos) << out;
  const nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_TRUE(j["since"].is_null());
  EXPECT_TRUE(j["until"].is_null());
  EXPECT_EQ(j["brands"][0]["brand"], "Line\nbreak");

  out.clear();
  AppendReportJson(Report{}, out);
  EXPECT_EQ(nlohmann::json::parse(out)["brands"], nlohmann::json::array());
}

TEST(RenderTest, CsvHasAHeaderAndOneQuotedRowPerBrand) {
  std::string out;
  AppendReportCsv(SampleReport(), out);
  EXPECT_EQ(out,
            "brand,mentions,complaints,praise,resolutions,questions,cases,responded,"
            "response_rate,declared,declared_rate,first_response_median_s,first_response_p90_s,"
            "resolved,resolution_rate,recovered,unanswered,word_of_mouth,ranked,"
            "response_rate_low,response_rate_high,resolution_rate_low,resolution_rate_high,"
            "first_response_median_low_s,first_response_median_high_s\n"
            "Société Générale,12,5,4,1,2,5,2,0.4,1,0.2,7500,274000,2,0.4,1,2,4,true,"
            "0.1176,0.7693,0.1176,0.7693,45,274000\n"
            "\"Acme, \"\"Co\"\"\",3,0,1,0,0,0,0,0,0,0,,,0,0,0,0,3,false,,,,,,\n");
}

TEST(RenderTest, TextAlignsTheRankingByCodePointsThenDetailsEachBrand) {
  std::string out;
  AppendReportText(SampleReport(), out);
  EXPECT_EQ(out,
            "Brand report, from 2026-11-01 to 2026-11-20 (generated 2026-11-20 08:12 UTC)\n"
            "\n"
            "#  brand             mentions  complaints  cases  observed  declared  median   p90  "
            "resolved  recovered  word of mouth\n"
            "1  Société Générale        12           5      5       40%       20%    2h05  3d4h  "
            "     40%          1             +4\n"
            "—  Acme, \"Co\"               3           0      0         —         —       —     —  "
            "       —          0             +3\n"
            "\n"
            "observed: cases whose answer was seen in the channel (the brand's reply);\n"
            "declared: cases answered elsewhere, on an agent's word only (phone, e-mail...);\n"
            "median, p90: time to the first observed response;\n"
            "resolved: cases resolved; recovered: fixes the customer confirmed;\n"
            "word of mouth: 3 x praise - 10 x unanswered cases + 12 x recovered cases;\n"
            "intervals: 95% Wilson score intervals for the rates, a percentile bootstrap (2000 "
            "resamples) for the median;\n"
            "#: brands with fewer than 2 cases are listed last, not ranked (—).\n"
            "\n"
            "1. Société Générale\n"
            "   mentions        12 (5 complaints, 4 praise, 1 resolution, 2 questions)\n"
            "   cases           5 (2 observed (40%), 1 declared (20%), 2 resolved (40%), 1 "
            "recovered, 2 unanswered)\n"
            "   first response  median 2h05, p90 3d4h\n"
            "   95% intervals   observed 12%–77%, resolved 12%–77%, median 45s–3d4h\n"
            "   word of mouth   +4 = 3 x 4 praise - 10 x 2 unanswered + 12 x 1 recovered\n"
            "   top topics      billing 5 (3 complaints), product defect 2 (2 complaints)\n"
            "   spikes          2026-11-18 14:00 UTC: 30 mentions (baseline 2.0, z 28.0)\n"
            "\n"
            "Acme, \"Co\" (not ranked: 0 cases, fewer than 2)\n"
            "   mentions        3 (0 complaints, 1 praise, 0 resolutions, 0 questions)\n"
            "   cases           0 (0 observed (—), 0 declared (—), 0 resolved (—), 0 recovered, 0 "
            "unanswered)\n"
            "   first response  median —, p90 —\n"
            "   word of mouth   +3 = 3 x 1 praise - 10 x 0 unanswered + 12 x 0 recovered\n"
            "   top topics      none\n"
            "   spikes          none\n");
}

TEST(RenderTest, TextSaysSoWhenNoBrandWasMentioned) {
  Report r;
  r.generated_at = kGeneratedAt;
  std::string out;
  AppendReportText(r, out);
  EXPECT_EQ(out,
            "Brand report, all posts (generated 2026-11-20 08:12 UTC)\n\n"
            "No brand mentioned in this period.\n");
}

TEST(RenderTest, TextKeepsControlCharactersOffTheTerminal) {
  Report r;
  r.generated_at = kGeneratedAt;
  BrandReport b;
  b.brand = "Two\nlines\x1b[31m";
  r.brands.push_back(b);
  std::string out;
  AppendReportText(r, out);
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_NE(out.find("\n1  Two lines [31m  "), std::string::npos) << out;
  EXPECT_NE(out.find("\n1. Two lines [31m\n"), std::string::npos) << out;
}

size_t CountOf(const std::string& haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

TEST(RenderTest, HtmlIsOneSelfContainedPageWithEveryNameEscaped) {
  Report r = SampleReport();
  r.brands[1].brand = "<script>alert(1)</script> & \"Co\"";
  std::string out;
  AppendReportHtml(r, out);
  const std::string lower = Lower(out);

  EXPECT_EQ(out.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_NE(out.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(out.find("<style>"), std::string::npos);
  EXPECT_EQ(lower.find("<script"), std::string::npos);
  EXPECT_EQ(lower.find("http:"), std::string::npos);
  EXPECT_EQ(lower.find("https:"), std::string::npos);
  EXPECT_EQ(lower.find("src="), std::string::npos);
  EXPECT_EQ(lower.find("url("), std::string::npos);
  EXPECT_EQ(lower.find("@import"), std::string::npos);
  EXPECT_NE(out.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;"),
            std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 8), "</html>\n");

  // One section per brand, each with its three charts described for screen readers.
  EXPECT_EQ(CountOf(out, "<section"), 2u);
  EXPECT_EQ(CountOf(out, "</section>"), 2u);
  EXPECT_EQ(CountOf(out, "<svg "), 3u + 1u);  // the second brand has no topic, no response
  EXPECT_EQ(CountOf(out, "role=\"img\" aria-label=\""), CountOf(out, "<svg "));
  EXPECT_NE(out.find("aria-label=\"Weekly mentions of Société Générale, 2026-W45 to 2026-W47: "
                     "12 mentions, 5 complaints; peak 9 in 2026-W47\""),
            std::string::npos);
  EXPECT_NE(out.find("<title>2026-W47: 9 mentions, 4 complaints, 3 praise</title>"),
            std::string::npos);
  EXPECT_NE(out.find("<title>product defect: 2 mentions, 2 complaints</title>"), std::string::npos);
  // 45 s, 2h05 and 3d4h fall in <1h, 1-4h and >3d.
  EXPECT_NE(out.find("First response times of Société Générale, 3 cases: &lt;1h 1, 1-4h 1, "
                     "4-24h 0, 1-3d 0, &gt;3d 1"),
            std::string::npos);
  EXPECT_NE(out.find("<time datetime=\"2026-11-18T14:00:00Z\">2026-11-18 14:00 UTC</time>: "
                     "30 mentions (baseline 2.0, z 28.0)"),
            std::string::npos);

  // The leaderboard keeps the report's order, word-of-mouth colored by its sign.
  const size_t table = out.find("<tbody>");
  const size_t first = out.find("<a href=\"#b1\">Société Générale</a>", table);
  const size_t second = out.find("<a href=\"#b2\">&lt;script&gt;", table);
  ASSERT_NE(table, std::string::npos);
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_LT(second, out.find("</tbody>"));
  EXPECT_NE(out.find("<td>3d4h</td><td>40%</td><td>1</td><td class=\"pos\">+4</td></tr>"),
            std::string::npos);
  EXPECT_LT(out.find("<section id=\"b1\""), out.find("<section id=\"b2\""));
}

TEST(RenderTest, HtmlColorsANegativeWordOfMouth) {
  Report r;
  BrandReport b;
  b.brand = "Mute";
  b.cases = 2;
  b.unanswered = 2;
  b.word_of_mouth = -20;
  r.brands.push_back(b);
  std::string out;
  AppendReportHtml(r, out);
  EXPECT_NE(out.find("<td class=\"neg\">-20</td>"), std::string::npos);
  EXPECT_NE(out.find("No response from the brand."), std::string::npos);
}

}  // namespace
}  // namespace ecoute

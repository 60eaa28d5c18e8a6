// The report in four formats, written straight into a string: JSON and CSV for programs,
// an aligned text table for the terminal, one self-contained HTML page for people.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <utility>

#include "ecoute/report.h"

#include "util/datetime.h"
#include "util/json.h"

namespace ecoute {
namespace {

constexpr std::string_view kUnknown = "—";

std::string Number(double value, int decimals) {
  std::string s;
  AppendNumber(value, decimals, s);
  return s;
}

// A number with exactly one decimal: "2.0", "28.5" (baselines and z-scores in prose).
std::string Fixed1(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, std::isfinite(value) ? value : 0.0,
                                 std::chars_format::fixed, 1);
  if (ec != std::errc()) return "0.0";
  return std::string(buffer, static_cast<size_t>(end - buffer));
}

void AppendInt(int64_t value, std::string& out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, static_cast<size_t>(end - buffer));
}

std::string Int(int64_t value) {
  std::string s;
  AppendInt(value, s);
  return s;
}

// "+4", "-20", "0": word-of-mouth always shows its sign.
std::string Signed(int64_t value) {
  std::string s;
  if (value > 0) s += '+';
  AppendInt(value, s);
  return s;
}

// A share of cases as a whole percent; "—" without cases, where 0% would accuse.
std::string Percent(double rate, int64_t cases) {
  if (cases == 0) return std::string(kUnknown);
  return Number(std::round(rate * 100.0), 0) + "%";
}

std::string DurationOrUnknown(const std::optional<double>& seconds) {
  return seconds ? FormatDuration(*seconds) : std::string(kUnknown);
}

// A moment for people: "2026-11-20" at midnight UTC, else "2026-11-20 08:12 UTC".
std::string DisplayTime(int64_t seconds) {
  std::string rfc = FormatRfc3339(seconds);  // 2026-11-20T08:12:00Z
  if (rfc.size() != 20) return rfc;
  if (rfc.compare(10, 10, "T00:00:00Z") == 0) return rfc.substr(0, 10);
  return rfc.substr(0, 10) + " " + rfc.substr(11, 5) + " UTC";
}

std::string DisplayPeriod(const Report& report) {
  if (report.since && report.until) {
    return "from " + DisplayTime(*report.since) + " to " + DisplayTime(*report.until);
  }
  if (report.since) return "since " + DisplayTime(*report.since);
  if (report.until) return "until " + DisplayTime(*report.until);
  return "all posts";
}

// "product_defect" -> "product defect".
std::string DisplayTopic(Topic topic) {
  std::string name(TopicName(topic));
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

// Code points, not bytes: "Société" is 7 columns wide, like "Societe".
size_t Width(std::string_view s) {
  size_t width = 0;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

// A name fit for a terminal line: control characters (a newline, an escape sequence's
// ESC) become spaces.
std::string Printable(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return out;
}

// The leaderboard's cells, shared by the text table and the HTML table.
struct Column {
  std::string_view header;
  bool left_aligned = false;
};
constexpr std::array<Column, 12> kColumns = {{
    {"#", false},
    {"brand", true},
    {"mentions", false},
    {"complaints", false},
    {"cases", false},
    {"observed", false},
    {"declared", false},
    {"median", false},
    {"p90", false},
    {"resolved", false},
    {"recovered", false},
    {"word of mouth", false},
}};
constexpr size_t kWordOfMouthColumn = 11;

// A brand below the report's minimum of cases has no rank: "—".
std::array<std::string, kColumns.size()> LeaderboardCells(size_t rank, const BrandReport& b) {
  return {b.ranked ? Int(static_cast<int64_t>(rank)) : std::string(kUnknown),
          Printable(b.brand),
          Int(b.mentions),
          Int(b.complaints),
          Int(b.cases),
          Percent(b.response_rate, b.cases),
          Percent(b.declared_rate, b.cases),
          DurationOrUnknown(b.first_response_median_s),
          DurationOrUnknown(b.first_response_p90_s),
          Percent(b.resolution_rate, b.cases),
          Int(b.recovered),
          Signed(b.word_of_mouth)};
}

// "3 x 4 praise - 10 x 2 unanswered + 12 x 1 recovered": the rule behind the figure.
std::string WordOfMouthTerms(const BrandReport& b) {
  return "3 x " + Int(b.praise) + " praise - 10 x " + Int(b.unanswered) + " unanswered + 12 x " +
         Int(b.recovered) + " recovered";
}

// "1 case", "2 cases".
std::string Count(int64_t n, std::string_view noun) {
  std::string s = Int(n) + " ";
  s += noun;
  if (n != 1) s += 's';
  return s;
}

// "5 complaints, 3 praise, 1 resolution, 2 questions".
std::string MentionsBreakdown(const BrandReport& b) {
  return Count(b.complaints, "complaint") + ", " + Int(b.praise) + " praise, " +
         Count(b.resolutions, "resolution") + ", " + Count(b.questions, "question");
}

// "3 observed (60%), 1 declared (20%), 2 resolved (40%), 1 recovered, 1 unanswered".
std::string CasesBreakdown(const BrandReport& b) {
  return Int(b.responded) + " observed (" + Percent(b.response_rate, b.cases) + "), " +
         Int(b.declared) + " declared (" + Percent(b.declared_rate, b.cases) + "), " +
         Int(b.resolved) + " resolved (" + Percent(b.resolution_rate, b.cases) + "), " +
         Int(b.recovered) + " recovered, " + Int(b.unanswered) + " unanswered";
}

// "12%–74%": a rate's interval in whole percents.
std::string PercentInterval(const std::optional<Interval>& ci) {
  if (!ci) return std::string(kUnknown);
  return Number(std::round(ci->low * 100.0), 0) + "%–" + Number(std::round(ci->high * 100.0), 0) +
         "%";
}

// "observed 12%–74%, resolved 5%–60%, median 45s–3d4h": the 95 % intervals of a brand.
std::string IntervalsSentence(const BrandReport& b) {
  std::string median = std::string(kUnknown);
  if (b.first_response_median_ci_s) {
    median = FormatDuration(b.first_response_median_ci_s->low) + "–" +
             FormatDuration(b.first_response_median_ci_s->high);
  }
  return "observed " + PercentInterval(b.response_rate_ci) + ", resolved " +
         PercentInterval(b.resolution_rate_ci) + ", median " + median;
}

// "1. Acme" or "Acme (not ranked: 3 cases, fewer than 10)".
std::string BrandHeading(size_t rank, const BrandReport& b, int64_t min_cases) {
  if (b.ranked) return Int(static_cast<int64_t>(rank)) + ". " + Printable(b.brand);
  return Printable(b.brand) + " (not ranked: " + Count(b.cases, "case") + ", fewer than " +
         Int(min_cases) + ")";
}

std::string SpikeSentence(const Spike& s) {
  return DisplayTime(s.hour) + ": " + Count(s.mentions, "mention") + " (baseline " +
         Fixed1(s.baseline) + ", z " + Fixed1(s.z) + ")";
}

constexpr size_t kTextTopTopics = 5;

// ---- JSON ----

void AppendOptionalTime(const std::optional<int64_t>& t, std::string& out) {
  if (t) {
    AppendJsonString(FormatRfc3339(*t), out);
  } else {
    out += "null";
  }
}

void AppendOptionalNumber(const std::optional<double>& v, std::string& out) {
  if (v) {
    AppendNumber(*v, 3, out);
  } else {
    out += "null";
  }
}

void AppendOptionalInterval(const std::optional<Interval>& ci, int decimals, std::string& out) {
  if (!ci) {
    out += "null";
    return;
  }
  out += '[';
  AppendNumber(ci->low, decimals, out);
  out += ", ";
  AppendNumber(ci->high, decimals, out);
  out += ']';
}

void AppendBrandJson(size_t rank, const BrandReport& b, std::string& out) {
  const auto field = [&out](std::string_view name) {
    out += ",\n      \"";
    out += name;
    out += "\": ";
  };
  out += "    {\n      \"brand\": ";
  AppendJsonString(b.brand, out);
  field("ranked");
  out += b.ranked ? "true" : "false";
  field("rank");
  if (b.ranked) {
    AppendInt(static_cast<int64_t>(rank), out);
  } else {
    out += "null";
  }
  field("mentions");
  AppendInt(b.mentions, out);
  field("complaints");
  AppendInt(b.complaints, out);
  field("praise");
  AppendInt(b.praise, out);
  field("resolutions");
  AppendInt(b.resolutions, out);
  field("questions");
  AppendInt(b.questions, out);
  field("cases");
  AppendInt(b.cases, out);
  field("responded");
  AppendInt(b.responded, out);
  field("response_rate");
  AppendNumber(b.response_rate, 4, out);
  field("response_rate_ci");
  AppendOptionalInterval(b.response_rate_ci, 4, out);
  field("declared");
  AppendInt(b.declared, out);
  field("declared_rate");
  AppendNumber(b.declared_rate, 4, out);
  field("first_response_median_s");
  AppendOptionalNumber(b.first_response_median_s, out);
  field("first_response_median_ci_s");
  AppendOptionalInterval(b.first_response_median_ci_s, 3, out);
  field("first_response_p90_s");
  AppendOptionalNumber(b.first_response_p90_s, out);
  field("resolved");
  AppendInt(b.resolved, out);
  field("resolution_rate");
  AppendNumber(b.resolution_rate, 4, out);
  field("resolution_rate_ci");
  AppendOptionalInterval(b.resolution_rate_ci, 4, out);
  field("recovered");
  AppendInt(b.recovered, out);
  field("unanswered");
  AppendInt(b.unanswered, out);
  field("word_of_mouth");
  AppendInt(b.word_of_mouth, out);
  field("topics");
  out += '[';
  for (size_t i = 0; i < b.topics.size(); ++i) {
    if (i > 0) out += ", ";
    out += "{\"topic\": ";
    AppendJsonString(TopicName(b.topics[i].topic), out);
    out += ", \"mentions\": ";
    AppendInt(b.topics[i].mentions, out);
    out += ", \"complaints\": ";
    AppendInt(b.topics[i].complaints, out);
    out += '}';
  }
  out += ']';
  field("weeks");
  out += '[';
  for (size_t i = 0; i < b.weeks.size(); ++i) {
    if (i > 0) out += ", ";
    out += "{\"week\": ";
    AppendJsonString(b.weeks[i].week, out);
    out += ", \"mentions\": ";
    AppendInt(b.weeks[i].mentions, out);
    out += ", \"complaints\": ";
    AppendInt(b.weeks[i].complaints, out);
    out += ", \"praise\": ";
    AppendInt(b.weeks[i].praise, out);
    out += '}';
  }
  out += ']';
  field("spikes");
  out += '[';
  for (size_t i = 0; i < b.spikes.size(); ++i) {
    if (i > 0) out += ", ";
    out += "{\"hour\": ";
    AppendJsonString(FormatRfc3339(b.spikes[i].hour), out);
    out += ", \"mentions\": ";
    AppendInt(b.spikes[i].mentions, out);
    out += ", \"baseline\": ";
    AppendNumber(b.spikes[i].baseline, 4, out);
    out += ", \"z\": ";
    AppendNumber(b.spikes[i].z, 4, out);
    out += '}';
  }
  out += ']';
  field("response_times_s");
  out += '[';
  for (size_t i = 0; i < b.response_times_s.size(); ++i) {
    if (i > 0) out += ", ";
    AppendInt(b.response_times_s[i], out);
  }
  out += "]\n    }";
}

// ---- CSV ----

// RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.
void AppendCsvField(std::string_view s, std::string& out) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// ---- HTML ----

void AppendHtml(std::string_view s, std::string& out) {
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    std::string_view entity;
    switch (s[i]) {
      case '&':
        entity = "&amp;";
        break;
      case '<':
        entity = "&lt;";
        break;
      case '>':
        entity = "&gt;";
        break;
      case '"':
        entity = "&quot;";
        break;
      case '\'':
        entity = "&#39;";
        break;
      default:
        continue;
    }
    out.append(s.data() + run, i - run);
    out += entity;
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
}

// Plain, print-friendly; the leaderboard scrolls sideways on a phone rather than wrapping
// its figures. Every color passes 3:1 against white for shapes and 4.5:1 for
// text (WCAG 2.1), and complaints differ from other mentions in lightness, not hue only.
constexpr std::string_view kStyle = R"(
:root{color-scheme:light}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:#1f2328;background:#fff;max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 .2em}
h2{font-size:1.25em;border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin:2em 0 .5em}
h3{font-size:1em;margin:1em 0 .3em}
.meta,.none,figcaption,caption,footer{color:#57606a}
.wide{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
caption{text-align:left;padding:.3em 0;font-size:.9em}
th,td{padding:.35em .6em;border-bottom:1px solid #d0d7de;text-align:right;white-space:nowrap}
th.brand{text-align:left;font-weight:600}
thead th{background:#f6f8fa;font-weight:600}
tbody tr:nth-child(even){background:#fafbfc}
a{color:#0b57d0}
.pos{color:#1a7f37;font-weight:600}.neg{color:#b3261e;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:16px 32px}
figure{margin:0}
figcaption{font-size:.85em}
svg{max-width:100%;height:auto;font:11px system-ui,sans-serif}
svg text{fill:#57606a}
.m{fill:#6a8dbf}.c{fill:#b3261e}.r{fill:#4a6fa5}.hit{fill:transparent}
.axis{stroke:#8c959f;stroke-width:1}
.grid{stroke:#d0d7de;stroke-width:1;stroke-dasharray:3 3}
.key{display:inline-block;width:.8em;height:.8em;vertical-align:-.05em;margin:0 .3em 0 .8em}
.key.m{background:#6a8dbf}.key.c{background:#b3261e}
footer{margin-top:3em;font-size:.85em;border-top:1px solid #d0d7de;padding-top:.5em}
@media print{body{padding:0;max-width:none;font-size:10pt}a{color:inherit;text-decoration:none}
section{break-inside:avoid-page}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
)";

// The attributes every chart shares: its size, and its summary for screen readers.
void OpenSvg(double width, double height, const std::string& label, std::string& out) {
  out += "<svg viewBox=\"0 0 ";
  AppendNumber(width, 1, out);
  out += ' ';
  AppendNumber(height, 1, out);
  out += "\" width=\"";
  AppendNumber(width, 1, out);
  out += "\" height=\"";
  AppendNumber(height, 1, out);
  out += "\" role=\"img\" aria-label=\"";
  AppendHtml(label, out);
  out += "\"><title>";
  AppendHtml(label, out);
  out += "</title>\n";
}

void AppendRect(std::string_view css_class, double x, double y, double w, double h,
                std::string& out) {
  out += "<rect class=\"";
  out += css_class;
  out += "\" x=\"";
  AppendNumber(x, 1, out);
  out += "\" y=\"";
  AppendNumber(y, 1, out);
  out += "\" width=\"";
  AppendNumber(w, 1, out);
  out += "\" height=\"";
  AppendNumber(h, 1, out);
  out += "\"/>";
}

// `anchor`: "start", "middle" or "end".
void AppendSvgText(double x, double y, std::string_view anchor, std::string_view text,
                   std::string& out) {
  out += "<text x=\"";
  AppendNumber(x, 1, out);
  out += "\" y=\"";
  AppendNumber(y, 1, out);
  out += "\" text-anchor=\"";
  out += anchor;
  out += "\">";
  AppendHtml(text, out);
  out += "</text>";
}

void AppendLine(std::string_view css_class, double x1, double y1, double x2, double y2,
                std::string& out) {
  out += "<line class=\"";
  out += css_class;
  out += "\" x1=\"";
  AppendNumber(x1, 1, out);
  out += "\" y1=\"";
  AppendNumber(y1, 1, out);
  out += "\" x2=\"";
  AppendNumber(x2, 1, out);
  out += "\" y2=\"";
  AppendNumber(y2, 1, out);
  out += "\"/>";
}

// Weekly mentions as columns, complaints stacked at their foot.
void AppendWeeksChart(const BrandReport& b, std::string& out) {
  out += "<figure>\n";
  if (b.weeks.empty()) {
    out += "<p class=\"none\">No weekly figures.</p></figure>\n";
    return;
  }
  int64_t peak = 0;
  size_t peak_week = 0;
  int64_t mentions = 0;
  int64_t complaints = 0;
  for (size_t i = 0; i < b.weeks.size(); ++i) {
    if (b.weeks[i].mentions > peak) {
      peak = b.weeks[i].mentions;
      peak_week = i;
    }
    mentions += b.weeks[i].mentions;
    complaints += b.weeks[i].complaints;
  }
  // Wide columns for a few weeks, thin ones for a year; a week label ("2026-W47", about
  // 50 px) under every k-th column so that labels never overlap.
  constexpr double kLeft = 34, kRight = 26, kTop = 10, kPlot = 120, kBottom = 22;
  constexpr double kLabelWidth = 58;
  const auto n = static_cast<double>(b.weeks.size());
  const double step = std::clamp(480.0 / n, 4.0, 60.0);
  const double bar = std::clamp(step * 0.7, 2.0, 32.0);
  const auto label_every = static_cast<size_t>(std::ceil(kLabelWidth / step));
  const double width = kLeft + n * step + kRight;
  const double height = kTop + kPlot + kBottom;
  const double scale = kPlot / static_cast<double>(std::max<int64_t>(peak, 1));
  const double base = kTop + kPlot;

  std::string label = "Weekly mentions of " + b.brand + ", " + b.weeks.front().week;
  if (b.weeks.size() > 1) label += " to " + b.weeks.back().week;
  label += ": " + Count(mentions, "mention") + ", " + Count(complaints, "complaint");
  if (peak > 0) label += "; peak " + Int(peak) + " in " + b.weeks[peak_week].week;
  OpenSvg(width, height, label, out);

  AppendLine("grid", kLeft, kTop, width - kRight, kTop, out);
  AppendSvgText(kLeft - 4, kTop + 4, "end", Int(peak), out);
  AppendSvgText(kLeft - 4, base + 4, "end", "0", out);
  out += '\n';
  for (size_t i = 0; i < b.weeks.size(); ++i) {
    const WeekCount& w = b.weeks[i];
    const double left = kLeft + static_cast<double>(i) * step;
    const double x = left + (step - bar) / 2;
    const double all = static_cast<double>(w.mentions) * scale;
    const double complained =
        static_cast<double>(std::clamp<int64_t>(w.complaints, 0, w.mentions)) * scale;
    out += "<g><title>";
    AppendHtml(w.week + ": " + Count(w.mentions, "mention") + ", " +
                   Count(w.complaints, "complaint") + ", " + Int(w.praise) + " praise",
               out);
    out += "</title>";
    // An invisible full-height target keeps the tooltip of a short or empty week reachable.
    AppendRect("hit", left, kTop, step, kPlot, out);
    if (all > complained) AppendRect("m", x, base - all, bar, all - complained, out);
    if (complained > 0) AppendRect("c", x, base - complained, bar, complained, out);
    if (i % label_every == 0) AppendSvgText(left + step / 2, base + 15, "middle", w.week, out);
    out += "</g>\n";
  }
  AppendLine("axis", kLeft, base, width - kRight, base, out);
  out +=
      "\n</svg>\n<figcaption>Mentions per week:<span class=\"key c\"></span>complaints"
      "<span class=\"key m\"></span>other mentions</figcaption>\n</figure>\n";
}

// Topics as horizontal bars, complaints darker at the start of each.
void AppendTopicsChart(const BrandReport& b, std::string& out) {
  std::vector<const TopicCount*> topics;
  int64_t most = 0;
  for (const TopicCount& t : b.topics) {
    if (t.mentions <= 0) continue;
    topics.push_back(&t);
    most = std::max(most, t.mentions);
  }
  out += "<figure>\n";
  if (topics.empty()) {
    out += "<p class=\"none\">No topic.</p></figure>\n";
    return;
  }
  constexpr double kLabel = 110, kBar = 200, kRow = 20, kTop = 4;
  const double width = kLabel + 8 + kBar + 40;
  const double height = kTop + static_cast<double>(topics.size()) * kRow + 4;
  const double scale = kBar / static_cast<double>(most);
  std::string label = "Topics of " + b.brand + ":";
  for (size_t i = 0; i < topics.size(); ++i) {
    label += (i > 0 ? ", " : " ") + DisplayTopic(topics[i]->topic) + " " +
             Int(topics[i]->mentions) + " (" + Count(topics[i]->complaints, "complaint") + ")";
  }
  OpenSvg(width, height, label, out);
  for (size_t i = 0; i < topics.size(); ++i) {
    const TopicCount& t = *topics[i];
    const double y = kTop + static_cast<double>(i) * kRow;
    const double all = static_cast<double>(t.mentions) * scale;
    const double complained =
        static_cast<double>(std::clamp<int64_t>(t.complaints, 0, t.mentions)) * scale;
    const std::string name = DisplayTopic(t.topic);
    out += "<g><title>";
    AppendHtml(name + ": " + Count(t.mentions, "mention") + ", " + Count(t.complaints, "complaint"),
               out);
    out += "</title>";
    AppendSvgText(kLabel, y + 13, "end", name, out);
    if (complained > 0) AppendRect("c", kLabel + 8, y + 3, complained, kRow - 6, out);
    if (all > complained)
      AppendRect("m", kLabel + 8 + complained, y + 3, all - complained, kRow - 6, out);
    AppendSvgText(kLabel + 8 + all + 4, y + 13, "start", Int(t.mentions), out);
    out += "</g>\n";
  }
  out +=
      "</svg>\n<figcaption>Mentions per topic:<span class=\"key c\"></span>complaints"
      "<span class=\"key m\"></span>other mentions</figcaption>\n</figure>\n";
}

// First response times in five buckets, from "within the hour" to "after three days".
void AppendResponseChart(const BrandReport& b, std::string& out) {
  out += "<figure>\n";
  if (b.response_times_s.empty()) {
    out += "<p class=\"none\">No response from the brand.</p></figure>\n";
    return;
  }
  constexpr std::array<std::string_view, 5> kBuckets = {"<1h", "1-4h", "4-24h", "1-3d", ">3d"};
  constexpr std::array<int64_t, 4> kBounds = {3600, int64_t{4} * 3600, 86400, int64_t{3} * 86400};
  std::array<int64_t, kBuckets.size()> counts{};
  for (const int64_t t : b.response_times_s) {
    const auto bucket =
        static_cast<size_t>(std::upper_bound(kBounds.begin(), kBounds.end(), t) - kBounds.begin());
    ++counts[bucket];
  }
  const int64_t most = *std::max_element(counts.begin(), counts.end());
  constexpr double kLeft = 8, kTop = 18, kPlot = 100, kStep = 60, kBar = 44;
  const double width = kLeft * 2 + kStep * static_cast<double>(kBuckets.size());
  const double height = kTop + kPlot + 22;
  const double base = kTop + kPlot;
  const double scale = kPlot / static_cast<double>(most);
  std::string label = "First response times of " + b.brand + ", " +
                      Count(static_cast<int64_t>(b.response_times_s.size()), "case") + ":";
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    label += (i > 0 ? ", " : " ") + std::string(kBuckets[i]) + " " + Int(counts[i]);
  }
  OpenSvg(width, height, label, out);
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    const double x = kLeft + static_cast<double>(i) * kStep + (kStep - kBar) / 2;
    const double h = static_cast<double>(counts[i]) * scale;
    out += "<g><title>";
    AppendHtml(std::string(kBuckets[i]) + ": " + Count(counts[i], "case"), out);
    out += "</title>";
    if (h > 0) AppendRect("r", x, base - h, kBar, h, out);
    AppendSvgText(x + kBar / 2, base - h - 4, "middle", Int(counts[i]), out);
    AppendSvgText(x + kBar / 2, base + 15, "middle", kBuckets[i], out);
    out += "</g>\n";
  }
  AppendLine("axis", kLeft, base, width - kLeft, base, out);
  out +=
      "\n</svg>\n<figcaption>Time to the brand's first response, in cases</figcaption>\n"
      "</figure>\n";
}

void AppendBrandSection(size_t rank, const BrandReport& b, int64_t min_cases, std::string& out) {
  const std::string id = "b" + Int(static_cast<int64_t>(rank));
  out += "<section id=\"" + id + "\" aria-labelledby=\"" + id + "-h\">\n<h2 id=\"" + id + "-h\">";
  if (b.ranked) out += Int(static_cast<int64_t>(rank)) + ". ";
  AppendHtml(b.brand, out);
  if (!b.ranked) {
    out += " <small>(not ranked: ";
    AppendHtml(Count(b.cases, "case") + ", fewer than " + Int(min_cases), out);
    out += ")</small>";
  }
  out += "</h2>\n<p>";
  AppendHtml(Count(b.mentions, "mention") + ": " + MentionsBreakdown(b), out);
  out += ".<br>";
  AppendHtml(Count(b.cases, "case") + ": " + CasesBreakdown(b), out);
  out += ".<br>First response: median ";
  AppendHtml(DurationOrUnknown(b.first_response_median_s), out);
  out += ", p90 ";
  AppendHtml(DurationOrUnknown(b.first_response_p90_s), out);
  if (b.cases > 0) {
    out += ".<br>95% intervals: ";
    AppendHtml(IntervalsSentence(b), out);
  }
  out += ".<br>Word of mouth: <span";
  if (b.word_of_mouth != 0) out += b.word_of_mouth > 0 ? " class=\"pos\"" : " class=\"neg\"";
  out += '>';
  AppendHtml(Signed(b.word_of_mouth), out);
  out += "</span> = ";
  AppendHtml(WordOfMouthTerms(b), out);
  out += ".</p>\n<div class=\"charts\">\n";
  AppendWeeksChart(b, out);
  AppendTopicsChart(b, out);
  AppendResponseChart(b, out);
  out += "</div>\n<h3>Spikes</h3>\n";
  if (b.spikes.empty()) {
    out += "<p class=\"none\">No spike.</p>\n";
  } else {
    out += "<ul>\n";
    for (const Spike& s : b.spikes) {
      out += "<li><time datetime=\"" + FormatRfc3339(s.hour) + "\">";
      AppendHtml(DisplayTime(s.hour), out);
      out += "</time>: ";
      AppendHtml(Count(s.mentions, "mention"), out);
      out += " (baseline " + Fixed1(s.baseline) + ", z " + Fixed1(s.z) + ")</li>\n";
    }
    out += "</ul>\n";
  }
  out += "</section>\n";
}

}  // namespace

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return std::string(kUnknown);
  // Past a million years the figure means nothing; the clamp keeps the cast defined.
  const auto s = static_cast<int64_t>(std::min(seconds, 3.2e13));
  char buffer[48];
  if (s < 60) {
    std::snprintf(buffer, sizeof buffer, "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldm", static_cast<long long>(s / 60));
  } else if (s < 86400) {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else if (s % 86400 < 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldd", static_cast<long long>(s / 86400));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldd%lldh", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  }
  return buffer;
}

void AppendReportJson(const Report& report, std::string& out) {
  out += "{\n  \"generated_at\": ";
  AppendJsonString(FormatRfc3339(report.generated_at), out);
  out += ",\n  \"since\": ";
  AppendOptionalTime(report.since, out);
  out += ",\n  \"until\": ";
  AppendOptionalTime(report.until, out);
  out += ",\n  \"min_cases\": ";
  AppendInt(report.min_cases, out);
  out += ",\n  \"confidence\": 0.95,\n  \"bootstrap_resamples\": ";
  AppendInt(kBootstrapResamples, out);
  out += ",\n  \"brands\": [";
  for (size_t i = 0; i < report.brands.size(); ++i) {
    out += i > 0 ? ",\n" : "\n";
    AppendBrandJson(i + 1, report.brands[i], out);
  }
  out += report.brands.empty() ? "]\n}\n" : "\n  ]\n}\n";
}

void AppendReportCsv(const Report& report, std::string& out) {
  out +=
      "brand,mentions,complaints,praise,resolutions,questions,cases,responded,response_rate,"
      "declared,declared_rate,first_response_median_s,first_response_p90_s,resolved,resolution_"
      "rate,recovered,"
      "unanswered,word_of_mouth,ranked,response_rate_low,response_rate_high,resolution_rate_low,"
      "resolution_rate_high,first_response_median_low_s,first_response_median_high_s\n";
  for (const BrandReport& b : report.brands) {
    AppendCsvField(b.brand, out);
    for (const int64_t v :
         {b.mentions, b.complaints, b.praise, b.resolutions, b.questions, b.cases, b.responded}) {
      out += ',';
      AppendInt(v, out);
    }
    out += ',';
    AppendNumber(b.response_rate, 4, out);
    out += ',';
    AppendInt(b.declared, out);
    out += ',';
    AppendNumber(b.declared_rate, 4, out);
    out += ',';
    if (b.first_response_median_s) AppendNumber(*b.first_response_median_s, 3, out);
    out += ',';
    if (b.first_response_p90_s) AppendNumber(*b.first_response_p90_s, 3, out);
    out += ',';
    AppendInt(b.resolved, out);
    out += ',';
    AppendNumber(b.resolution_rate, 4, out);
    for (const int64_t v : {b.recovered, b.unanswered, b.word_of_mouth}) {
      out += ',';
      AppendInt(v, out);
    }
    out += b.ranked ? ",true" : ",false";
    for (const auto& [ci, decimals] :
         {std::pair{b.response_rate_ci, 4}, std::pair{b.resolution_rate_ci, 4},
          std::pair{b.first_response_median_ci_s, 3}}) {
      for (const bool high : {false, true}) {
        out += ',';
        if (ci) AppendNumber(high ? ci->high : ci->low, decimals, out);
      }
    }
    out += '\n';
  }
}

void AppendReportText(const Report& report, std::string& out) {
  out += "Brand report, " + DisplayPeriod(report) + " (generated " +
         DisplayTime(report.generated_at) + ")\n\n";
  if (report.brands.empty()) {
    out += "No brand mentioned in this period.\n";
    return;
  }

  std::vector<std::array<std::string, kColumns.size()>> rows;
  rows.reserve(report.brands.size());
  std::array<size_t, kColumns.size()> widths{};
  for (size_t c = 0; c < kColumns.size(); ++c) widths[c] = Width(kColumns[c].header);
  for (size_t i = 0; i < report.brands.size(); ++i) {
    rows.push_back(LeaderboardCells(i + 1, report.brands[i]));
    for (size_t c = 0; c < kColumns.size(); ++c) {
      widths[c] = std::max(widths[c], Width(rows.back()[c]));
    }
  }
  const auto append_row = [&](const auto& cell_of) {
    std::string line;
    for (size_t c = 0; c < kColumns.size(); ++c) {
      const std::string_view cell = cell_of(c);
      const std::string pad(widths[c] - Width(cell), ' ');
      if (c > 0) line += "  ";
      if (kColumns[c].left_aligned) {
        line += cell;
        line += pad;
      } else {
        line += pad;
        line += cell;
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  append_row([](size_t c) { return kColumns[c].header; });
  for (const auto& row : rows) {
    append_row([&row](size_t c) { return std::string_view(row[c]); });
  }
  out +=
      "\nobserved: cases whose answer was seen in the channel (the brand's reply);\n"
      "declared: cases answered elsewhere, on an agent's word only (phone, e-mail...);\n"
      "median, p90: time to the first observed response;\n"
      "resolved: cases resolved; recovered: fixes the customer confirmed;\n"
      "word of mouth: 3 x praise - 10 x unanswered cases + 12 x recovered cases;\n"
      "intervals: 95% Wilson score intervals for the rates, a percentile bootstrap (" +
      Int(kBootstrapResamples) + " resamples) for the median;\n";
  out += report.min_cases > 0
             ? "#: brands with fewer than " + Count(report.min_cases, "case") +
                   " are listed last, not ranked (—).\n"
             : std::string("#: every brand is ranked, whatever its number of cases.\n");

  constexpr std::string_view kIndent = "   ";
  constexpr size_t kLabelWidth = 16;
  const auto append_field = [&](std::string_view label, std::string_view value) {
    out += kIndent;
    out += label;
    out.append(kLabelWidth - label.size(), ' ');
    out += value;
    out += '\n';
  };
  for (size_t i = 0; i < report.brands.size(); ++i) {
    const BrandReport& b = report.brands[i];
    out += '\n' + BrandHeading(i + 1, b, report.min_cases) + '\n';
    append_field("mentions", Int(b.mentions) + " (" + MentionsBreakdown(b) + ")");
    append_field("cases", Int(b.cases) + " (" + CasesBreakdown(b) + ")");
    append_field("first response", "median " + DurationOrUnknown(b.first_response_median_s) +
                                       ", p90 " + DurationOrUnknown(b.first_response_p90_s));
    if (b.cases > 0) append_field("95% intervals", IntervalsSentence(b));
    append_field("word of mouth", Signed(b.word_of_mouth) + " = " + WordOfMouthTerms(b));
    std::string topics;
    size_t shown = 0;
    for (const TopicCount& t : b.topics) {
      if (t.mentions <= 0 || shown == kTextTopTopics) continue;
      if (shown++ > 0) topics += ", ";
      topics += DisplayTopic(t.topic) + " " + Int(t.mentions) + " (" +
                Count(t.complaints, "complaint") + ")";
    }
    append_field("top topics", shown == 0 ? "none" : topics);
    if (b.spikes.empty()) {
      append_field("spikes", "none");
    } else {
      for (size_t s = 0; s < b.spikes.size(); ++s) {
        append_field(s == 0 ? "spikes" : "", SpikeSentence(b.spikes[s]));
      }
    }
  }
}

void AppendReportHtml(const Report& report, std::string& out) {
  const std::string period = DisplayPeriod(report);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Brand report, ";
  AppendHtml(period, out);
  out += "</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<header>\n<h1>Brand report</h1>\n<p class=\"meta\">";
  out += "Period: ";
  AppendHtml(period, out);
  out += ". Generated <time datetime=\"" + FormatRfc3339(report.generated_at) + "\">";
  AppendHtml(DisplayTime(report.generated_at), out);
  out += "</time>.</p>\n</header>\n<main>\n";
  if (report.brands.empty()) {
    out += "<p class=\"none\">No brand mentioned in this period.</p>\n";
  } else {
    out +=
        "<div class=\"wide\">\n<table>\n<caption>Ranked by observed response rate, then median "
        "time to the first observed response, "
        "then mentions.</caption>\n<thead><tr>";
    for (const Column& column : kColumns) {
      out += column.left_aligned ? "<th scope=\"col\" class=\"brand\">" : "<th scope=\"col\">";
      AppendHtml(column.header, out);
      out += "</th>";
    }
    out += "</tr></thead>\n<tbody>\n";
    for (size_t i = 0; i < report.brands.size(); ++i) {
      const BrandReport& b = report.brands[i];
      const auto cells = LeaderboardCells(i + 1, b);
      out += "<tr>";
      for (size_t c = 0; c < cells.size(); ++c) {
        if (kColumns[c].left_aligned) {
          out += "<th scope=\"row\" class=\"brand\"><a href=\"#b" +
                 Int(static_cast<int64_t>(i + 1)) + "\">";
          AppendHtml(cells[c], out);
          out += "</a></th>";
          continue;
        }
        out += "<td";
        if (c == kWordOfMouthColumn && b.word_of_mouth != 0) {
          out += b.word_of_mouth > 0 ? " class=\"pos\"" : " class=\"neg\"";
        }
        out += '>';
        AppendHtml(cells[c], out);
        out += "</td>";
      }
      out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n</div>\n";
    for (size_t i = 0; i < report.brands.size(); ++i) {
      AppendBrandSection(i + 1, report.brands[i], report.min_cases, out);
    }
  }
  out +=
      "</main>\n<footer>\n<p>Observed: share of cases whose answer was seen in the channel "
      "(the brand's reply). Declared: share answered elsewhere, on an agent's word only (phone, "
      "e-mail...), and never seen. Median, p90: time from a case's first post to the first "
      "observed response (nearest rank). Resolved: share "
      "of cases resolved. Recovered: cases whose customer confirmed the fix. Word of mouth: "
      "3 per praise, &minus;10 per unanswered case, +12 per recovered case. Spikes: hours far "
      "above the brand's own recent hourly baseline. 95% intervals: Wilson score intervals for "
      "the rates, a percentile bootstrap (";
  AppendInt(kBootstrapResamples, out);
  out += " resamples, fixed seed) for the median. ";
  if (report.min_cases > 0) {
    out += "Brands with fewer than ";
    AppendHtml(Count(report.min_cases, "case"), out);
    out += " are listed last, without a rank (&mdash;).";
  }
  out += "</p>\n</footer>\n</body>\n</html>\n";
}

}  // namespace ecoute

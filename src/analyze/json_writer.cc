// Writes analyses as JSON lines and as readable text, straight into a string buffer: no
// document tree on the hot path.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ecoute/analysis.h"

#include "util/json.h"

namespace ecoute {
namespace {

using std::string_view_literals::operator""sv;

void AppendInt(int64_t value, std::string& out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, static_cast<size_t>(end - buffer));
}

// "[b, e], [b, e]...": a post names its brands up to hundreds of times, so the spans are
// written straight into the buffer, grown once.
void AppendSpans(const std::vector<Span>& spans, std::string& out) {
  constexpr size_t kMaxSpanBytes = 28;  // ", [4294967295, 4294967295]"
  const size_t old_size = out.size();
  out.resize(old_size + spans.size() * kMaxSpanBytes);
  char* p = out.data() + old_size;
  for (size_t k = 0; k < spans.size(); ++k) {
    if (k > 0) {
      *p++ = ',';
      *p++ = ' ';
    }
    *p++ = '[';
    p = std::to_chars(p, p + 10, spans[k].begin).ptr;
    *p++ = ',';
    *p++ = ' ';
    p = std::to_chars(p, p + 10, spans[k].end).ptr;
    *p++ = ']';
  }
  out.resize(static_cast<size_t>(p - out.data()));
}

// AppendJsonString, shorter for the strings that need no escape (nearly all of them).
void AppendString(std::string_view s, std::string& out) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(' ');
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // Bytes below 0x20: the unsigned minimum of the byte and ' ' is not ' '.
    const __m128i control =
        _mm_xor_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, space), space), _mm_set1_epi8(-1));
    const __m128i special =
        _mm_or_si128(control, _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    if (_mm_movemask_epi8(special) != 0) {
      AppendJsonString(s, out);
      return;
    }
  }
#endif
  for (; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u < 0x20 || u == '"' || u == '\\') {
      AppendJsonString(s, out);
      return;
    }
  }
  out += '"';
  out += s;
  out += '"';
}

// AppendNumber(value, 2, out), byte for byte, without std::to_chars for the numbers a
// result holds (scores, amounts): the value is rounded to hundredths as to_chars rounds
// (to nearest, ties to even, on the exact binary value), with the product's rounding error
// recovered exactly by fma.
void AppendHundredths(double value, std::string& out) {
  const double magnitude = std::fabs(value);
  if (!(magnitude < 1e7)) {  // large, infinite or NaN
    AppendNumber(value, 2, out);
    return;
  }
  const double product = magnitude * 100;
  const double error = std::fma(magnitude, 100, -product);  // magnitude * 100 - product, exact
  const double floor = std::floor(product);
  const double above_half = (product - floor) - 0.5;  // exact when it matters
  auto hundredths = static_cast<uint64_t>(floor);
  if (above_half > 0 || (above_half == 0 && (error > 0 || (error == 0 && (hundredths & 1))))) {
    ++hundredths;
  }
  char buffer[32];
  char* p = buffer;
  if (value < 0 && hundredths > 0) *p++ = '-';
  p = std::to_chars(p, buffer + sizeof buffer, hundredths / 100).ptr;
  const auto cents = static_cast<unsigned>(hundredths % 100);
  if (cents != 0) {
    *p++ = '.';
    *p++ = static_cast<char>('0' + cents / 10);
    if (cents % 10 != 0) *p++ = static_cast<char>('0' + cents % 10);
  }
  out.append(buffer, static_cast<size_t>(p - buffer));
}

void AppendStrings(const std::vector<std::string_view>& values, std::string& out) {
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    AppendString(values[i], out);
  }
  out += ']';
}

}  // namespace

void AppendAnalysisJson(const Analysis& a, std::string& out) {
  out += "{\"id\": "sv;
  AppendString(a.id, out);
  out += ", \"lang\": "sv;
  AppendString(a.lang, out);
  out += ", \"langs\": ["sv;
  for (size_t i = 0; i < a.langs.size(); ++i) {
    if (i > 0) out += ", "sv;
    out += "{\"lang\": "sv;
    AppendString(a.langs[i].lang, out);
    out += ", \"share\": "sv;
    AppendHundredths(a.langs[i].share, out);
    out += '}';
  }
  out += "], \"stance\": "sv;
  AppendString(StanceName(a.stance), out);
  out += ", \"confidence\": "sv;
  AppendHundredths(a.confidence, out);
  out += ", \"cues\": "sv;
  AppendStrings(a.cues, out);
  out += ", \"brands\": ["sv;
  for (size_t i = 0; i < a.brands.size(); ++i) {
    const BrandVerdict& b = a.brands[i];
    if (i > 0) out += ", "sv;
    out += "{\"name\": "sv;
    AppendString(b.name, out);
    out += ", \"mentions\": "sv;
    AppendInt(b.mentions, out);
    out += ", \"spans\": ["sv;
    AppendSpans(b.spans, out);
    out += "], \"stance\": "sv;
    AppendString(StanceName(b.stance), out);
    out += ", \"confidence\": "sv;
    AppendHundredths(b.confidence, out);
    out += ", \"cues\": "sv;
    AppendStrings(b.cues, out);
    out += '}';
  }
  out += "], \"topics\": ["sv;
  for (size_t i = 0; i < a.topics.size(); ++i) {
    if (i > 0) out += ", "sv;
    out += "{\"name\": "sv;
    AppendString(TopicName(a.topics[i].topic), out);
    out += ", \"score\": "sv;
    AppendHundredths(a.topics[i].score, out);
    out += ", \"cues\": "sv;
    AppendStrings(a.topics[i].cues, out);
    if (a.topics[i].model >= 0) {
      out += ", \"model\": "sv;
      AppendHundredths(a.topics[i].model, out);
    }
    out += '}';
  }
  out += "], \"facts\": {\"money\": ["sv;
  for (size_t i = 0; i < a.facts.money.size(); ++i) {
    const Money& m = a.facts.money[i];
    if (i > 0) out += ", "sv;
    out += "{\"text\": "sv;
    AppendString(m.text, out);
    out += ", \"amount\": "sv;
    AppendHundredths(m.amount, out);
    out += ", \"currency\": "sv;
    AppendString(m.currency, out);
    out += '}';
  }
  out += "], \"durations\": ["sv;
  for (size_t i = 0; i < a.facts.durations.size(); ++i) {
    if (i > 0) out += ", "sv;
    out += "{\"text\": "sv;
    AppendString(a.facts.durations[i].text, out);
    out += ", \"seconds\": "sv;
    AppendInt(a.facts.durations[i].seconds, out);
    out += '}';
  }
  out += "], \"channels\": ["sv;
  for (size_t i = 0; i < a.facts.channels.size(); ++i) {
    if (i > 0) out += ", "sv;
    AppendString(ChannelName(a.facts.channels[i]), out);
  }
  out += "], \"links\": "sv;
  AppendStrings(a.facts.links, out);
  out += ", \"signals\": ["sv;
  for (size_t i = 0; i < a.facts.signals.size(); ++i) {
    if (i > 0) out += ", "sv;
    out += "{\"name\": "sv;
    AppendString(SignalName(a.facts.signals[i].first), out);
    out += ", \"cue\": "sv;
    AppendString(a.facts.signals[i].second, out);
    out += '}';
  }
  out += "]}, "sv;
  if (a.has_model) {
    out += "\"model\": {\"label\": "sv;
    AppendString(a.model_label, out);
    out += ", \"confidence\": "sv;
    AppendHundredths(a.model_confidence, out);
    out += "}, "sv;
  }
  out += "\"severity\": "sv;
  AppendHundredths(a.severity, out);
  out += ", \"priority\": "sv;
  AppendInt(a.priority, out);
  out += ", \"reasons\": ["sv;
  for (size_t i = 0; i < a.reasons.size(); ++i) {
    if (i > 0) out += ", "sv;
    AppendString(a.reasons[i], out);
  }
  out += "]}"sv;
}

void AppendAnalysisText(const Analysis& a, std::string& out) {
  auto quoted = [&out](const std::vector<std::string_view>& cues) {
    if (cues.empty()) return;
    out += "  (";
    for (size_t i = 0; i < cues.size(); ++i) {
      if (i > 0) out += ", ";
      out += '"';
      out += cues[i];
      out += '"';
    }
    out += ')';
  };
  out += "== ";
  out += a.id;
  out += "\n  language   ";
  out += a.lang;
  if (a.langs.size() > 1) {
    out += " (";
    for (size_t i = 0; i < a.langs.size(); ++i) {
      if (i > 0) out += ", ";
      out += a.langs[i].lang;
      out += ' ';
      AppendInt(std::lround(a.langs[i].share * 100), out);
      out += '%';
    }
    out += ')';
  }
  out += "\n  stance     ";
  out += StanceName(a.stance);
  quoted(a.cues);
  if (a.has_model) {
    out += "\n  model      ";
    out += a.model_label;
    out += " (";
    AppendNumber(a.model_confidence, 2, out);
    out += ')';
  }
  out += "\n  priority   ";
  AppendInt(a.priority, out);
  out += "  (severity ";
  AppendNumber(a.severity, 2, out);
  out += ")\n";
  for (const BrandVerdict& b : a.brands) {
    out += "  brand      ";
    out += b.name;
    out += ": ";
    out += StanceName(b.stance);
    out += " (confidence ";
    AppendNumber(b.confidence, 2, out);
    out += ", ";
    AppendInt(b.mentions, out);
    out += b.mentions == 1 ? " mention)" : " mentions)";
    quoted(b.cues);
    out += '\n';
  }
  for (const TopicVerdict& t : a.topics) {
    out += "  topic      ";
    out += TopicName(t.topic);
    out += ' ';
    AppendNumber(t.score, 2, out);
    if (t.model >= 0) {
      out += " (model ";
      AppendNumber(t.model, 2, out);
      out += ')';
    }
    quoted(t.cues);
    out += '\n';
  }
  for (const Money& m : a.facts.money) {
    out += "  money      ";
    out += m.text;
    out += " = ";
    AppendNumber(m.amount, 2, out);
    out += ' ';
    out += m.currency;
    out += '\n';
  }
  for (const Duration& d : a.facts.durations) {
    out += "  duration   ";
    out += d.text;
    out += " = ";
    AppendInt(d.seconds, out);
    out += " s\n";
  }
  if (!a.facts.channels.empty()) {
    out += "  channels   ";
    for (size_t i = 0; i < a.facts.channels.size(); ++i) {
      if (i > 0) out += ", ";
      out += ChannelName(a.facts.channels[i]);
    }
    out += '\n';
  }
  for (const std::string_view link : a.facts.links) {
    out += "  link       ";
    out += link;
    out += '\n';
  }
  if (!a.reasons.empty()) {
    out += "  reasons    ";
    for (size_t i = 0; i < a.reasons.size(); ++i) {
      if (i > 0) out += "; ";
      out += a.reasons[i];
    }
    out += '\n';
  }
}

}  // namespace ecoute

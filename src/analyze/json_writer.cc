// Writes analyses as JSON lines and as readable text, straight into a string buffer: no
// document tree on the hot path.
#include <charconv>
#include <cmath>
#include <cstdio>

#include "ecoute/analysis.h"

#include "util/json.h"

namespace ecoute {
namespace {

void AppendInt(int64_t value, std::string& out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, static_cast<size_t>(end - buffer));
}

void AppendStrings(const std::vector<std::string_view>& values, std::string& out) {
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    AppendJsonString(values[i], out);
  }
  out += ']';
}

}  // namespace

void AppendAnalysisJson(const Analysis& a, std::string& out) {
  out += "{\"id\": ";
  AppendJsonString(a.id, out);
  out += ", \"lang\": ";
  AppendJsonString(a.lang, out);
  out += ", \"langs\": [";
  for (size_t i = 0; i < a.langs.size(); ++i) {
    if (i > 0) out += ", ";
    out += "{\"lang\": ";
    AppendJsonString(a.langs[i].lang, out);
    out += ", \"share\": ";
    AppendNumber(a.langs[i].share, 2, out);
    out += '}';
  }
  out += "], \"stance\": ";
  AppendJsonString(StanceName(a.stance), out);
  out += ", \"confidence\": ";
  AppendNumber(a.confidence, 2, out);
  out += ", \"cues\": ";
  AppendStrings(a.cues, out);
  out += ", \"brands\": [";
  for (size_t i = 0; i < a.brands.size(); ++i) {
    const BrandVerdict& b = a.brands[i];
    if (i > 0) out += ", ";
    out += "{\"name\": ";
    AppendJsonString(b.name, out);
    out += ", \"mentions\": ";
    AppendInt(b.mentions, out);
    out += ", \"spans\": [";
    for (size_t k = 0; k < b.spans.size(); ++k) {
      if (k > 0) out += ", ";
      out += '[';
      AppendInt(b.spans[k].begin, out);
      out += ", ";
      AppendInt(b.spans[k].end, out);
      out += ']';
    }
    out += "], \"stance\": ";
    AppendJsonString(StanceName(b.stance), out);
    out += ", \"confidence\": ";
    AppendNumber(b.confidence, 2, out);
    out += ", \"cues\": ";
    AppendStrings(b.cues, out);
    out += '}';
  }
  out += "], \"topics\": [";
  for (size_t i = 0; i < a.topics.size(); ++i) {
    if (i > 0) out += ", ";
    out += "{\"name\": ";
    AppendJsonString(TopicName(a.topics[i].topic), out);
    out += ", \"score\": ";
    AppendNumber(a.topics[i].score, 2, out);
    out += ", \"cues\": ";
    AppendStrings(a.topics[i].cues, out);
    if (a.topics[i].model >= 0) {
      out += ", \"model\": ";
      AppendNumber(a.topics[i].model, 2, out);
    }
    out += '}';
  }
  out += "], \"facts\": {\"money\": [";
  for (size_t i = 0; i < a.facts.money.size(); ++i) {
    const Money& m = a.facts.money[i];
    if (i > 0) out += ", ";
    out += "{\"text\": ";
    AppendJsonString(m.text, out);
    out += ", \"amount\": ";
    AppendNumber(m.amount, 2, out);
    out += ", \"currency\": ";
    AppendJsonString(m.currency, out);
    out += '}';
  }
  out += "], \"durations\": [";
  for (size_t i = 0; i < a.facts.durations.size(); ++i) {
    if (i > 0) out += ", ";
    out += "{\"text\": ";
    AppendJsonString(a.facts.durations[i].text, out);
    out += ", \"seconds\": ";
    AppendInt(a.facts.durations[i].seconds, out);
    out += '}';
  }
  out += "], \"channels\": [";
  for (size_t i = 0; i < a.facts.channels.size(); ++i) {
    if (i > 0) out += ", ";
    AppendJsonString(ChannelName(a.facts.channels[i]), out);
  }
  out += "], \"links\": ";
  AppendStrings(a.facts.links, out);
  out += ", \"signals\": [";
  for (size_t i = 0; i < a.facts.signals.size(); ++i) {
    if (i > 0) out += ", ";
    out += "{\"name\": ";
    AppendJsonString(SignalName(a.facts.signals[i].first), out);
    out += ", \"cue\": ";
    AppendJsonString(a.facts.signals[i].second, out);
    out += '}';
  }
  out += "]}, ";
  if (a.has_model) {
    out += "\"model\": {\"label\": ";
    AppendJsonString(a.model_label, out);
    out += ", \"confidence\": ";
    AppendNumber(a.model_confidence, 2, out);
    out += "}, ";
  }
  out += "\"severity\": ";
  AppendNumber(a.severity, 2, out);
  out += ", \"priority\": ";
  AppendInt(a.priority, out);
  out += ", \"reasons\": [";
  for (size_t i = 0; i < a.reasons.size(); ++i) {
    if (i > 0) out += ", ";
    AppendJsonString(a.reasons[i], out);
  }
  out += "]}";
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

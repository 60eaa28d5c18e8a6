#include <gtest/gtest.h>

#include "ecoute/analysis.h"

namespace ecoute {
namespace {

TEST(JsonWriterTest, WritesEveryFieldWithEscapes) {
  Analysis a;
  a.id = "a\"1";
  a.lang = "fr";
  a.langs = {{"fr", 0.9}, {"en", 0.1}};
  a.stance = Stance::kComplaint;
  a.confidence = 0.875;
  a.cues = {"honte"};
  BrandVerdict b;
  b.name = "Cyrillus";
  b.mentions = 2;
  b.spans = {{120, 128}, {903, 911}};
  b.stance = Stance::kComplaint;
  b.confidence = 0.87;
  b.cues = {"refuse", "défaut"};
  a.brands.push_back(b);
  TopicVerdict t;
  t.topic = Topic::kProductDefect;
  t.score = 0.8;
  t.cues = {"trou"};
  a.topics.push_back(t);
  a.facts.money.push_back({"88 247 euros", 88247, "EUR"});
  a.facts.durations.push_back({"15 heures", 54000});
  a.facts.channels = {Channel::kPhone, Channel::kTwitter};
  a.facts.links = {"http://example.org/a\\b"};
  a.severity = 0.72;
  a.priority = 81;
  a.reasons = {"complaint to Cyrillus", "line\nbreak"};
  std::string out;
  AppendAnalysisJson(a, out);
  EXPECT_EQ(out,
            R"({"id": "a\"1", "lang": "fr", "langs": [{"lang": "fr", "share": 0.9}, )"
            R"({"lang": "en", "share": 0.1}], "stance": "complaint", "confidence": 0.88, )"
            R"("cues": ["honte"], "brands": [{"name": "Cyrillus", "mentions": 2, )"
            R"("spans": [[120, 128], [903, 911]], "stance": "complaint", "confidence": 0.87, )"
            R"("cues": ["refuse", "défaut"]}], "topics": [{"name": "product_defect", )"
            R"("score": 0.8, "cues": ["trou"]}], "facts": {"money": [{"text": "88 247 euros", )"
            R"("amount": 88247, "currency": "EUR"}], "durations": [{"text": "15 heures", )"
            R"("seconds": 54000}], "channels": ["phone", "twitter"], )"
            R"("links": ["http://example.org/a\\b"], "signals": []}, "severity": 0.72, )"
            R"("priority": 81, "reasons": ["complaint to Cyrillus", "line\nbreak"]})");
}

TEST(JsonWriterTest, EscapesControlCharacters) {
  Analysis a;
  a.id = std::string_view("x\x01y", 3);
  std::string out;
  AppendAnalysisJson(a, out);
  EXPECT_EQ(out.substr(0, 18), R"({"id": "x\u0001y",)");
}

}  // namespace
}  // namespace ecoute

// The walk over the scan's hits, in text order: brand mentions, stance cues (with their
// negators and intensifiers), urgency signals, topic cues, clause breaks, irony and outside
// causes, each located in its sentence or clause.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string_view>

#include <utf8proc.h>

#include "analyze/analyzer_internal.h"
#include "util/utf8.h"

namespace ecoute {

namespace {

// How much an urgency signal (legal threat, long wait...) counts as a complaint cue.
constexpr double kSignalComplaintWeight = 0.75;
// A negator flips a stance cue that starts within this many words after it.
constexpr int kNegationWindowWords = 3;
// An intensifier strengthens a stance cue within this many words after it.
constexpr int kIntensifierWindowWords = 2;

using State = Analyzer::Scratch::State;

// Number of words strictly between normalized positions `from` and `to` (from <= to), or
// a large number when the gap is long.
int WordsBetween(std::string_view text, uint32_t from, uint32_t to) {
  if (to < from || to - from > 64) return 1000;
  int spaces = 0;
  for (uint32_t i = from; i < to; ++i) spaces += text[i] == ' ';
  return std::max(0, spaces - 1);
}

// The word of normalized `text` that ends just before `end` (spaces and punctuation
// skipped), "" at the start.
std::string_view WordBefore(std::string_view text, size_t end) {
  while (end > 0 && IsWordBoundaryBefore(text, end)) --end;
  size_t begin = end;
  while (begin > 0 && !IsWordBoundaryBefore(text, begin)) --begin;
  return text.substr(begin, end - begin);
}

// Whether a common word at `begin` of normalized `text` follows words that only a company
// follows: "chez orange", "client free", "abonnée chez sfr", "customer of three",
// "switched to orange". Such a word is the brand, written in lower case or not.
bool FollowsBrandFrame(std::string_view text, size_t begin) {
  static constexpr std::string_view kFrames[] = {
      "chez",    "client",   "cliente",   "clients",     "clientes", "abonne",   "abonnee",
      "abonnes", "abonnees", "operateur", "fournisseur", "customer", "customers"};
  static constexpr std::string_view kLinks[] = {"de", "d", "a", "of", "to", "with"};
  static constexpr std::string_view kMoves[] = {"switched", "switching", "moved",  "moving",
                                                "passe",    "partir",    "repars", "retourne"};
  const auto in = [](std::string_view word, const auto& list) {
    return std::find(std::begin(list), std::end(list), word) != std::end(list);
  };
  const std::string_view previous = WordBefore(text, begin);
  if (previous.empty()) return false;
  if (in(previous, kFrames)) return true;
  if (!in(previous, kLinks)) return false;
  const size_t at = static_cast<size_t>(previous.data() - text.data());
  const std::string_view before = WordBefore(text, at);
  return in(before, kFrames) || in(before, kMoves);
}

// Whether a clause ends between two points of the normalized text: a comma, semicolon or
// colon in the original between them. Negation does not reach past one: in "commande
// jamais livrée, scandale", "jamais" says nothing of "scandale".
bool ClauseBreakBetween(std::string_view original, const NormalizedText& n, uint32_t from,
                        uint32_t to) {
  const uint32_t begin = n.OriginalEnd(from);
  const uint32_t end = std::min<size_t>(n.OriginalBegin(to), original.size());
  for (uint32_t i = begin; i < end; ++i) {
    if (original[i] == ',' || original[i] == ';' || original[i] == ':') return true;
  }
  return false;
}

bool IsUpperCodepointAt(std::string_view original, size_t at) {
  if (at >= original.size()) return false;
  const auto c = static_cast<unsigned char>(original[at]);
  if (c < 0x80) return c >= 'A' && c <= 'Z';
  size_t length = 0;
  const char32_t cp = DecodeUtf8(original, at, length);
  return utf8proc_category(static_cast<utf8proc_int32_t>(cp)) == UTF8PROC_CATEGORY_LU;
}

// True when every ASCII letter of original[begin, end) is a capital ("BT", not "bt").
bool IsAllCapitals(std::string_view original, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    const char c = original[i];
    if (c >= 'a' && c <= 'z') return false;
  }
  return true;
}

// "the train to Nice", "un hôtel à Bonneuil": a capitalized word right after a preposition
// of place is a proper noun, not the cue it spells.
bool IsPlaceName(std::string_view original, const NormalizedText& n, const Hit& hit) {
  if (hit.begin < 2 || n.text[hit.begin - 1] != ' ') return false;
  for (uint32_t i = hit.begin; i < hit.end; ++i) {
    if (n.text[i] == ' ') return false;  // one word only
  }
  const uint32_t first = n.OriginalBegin(hit.begin);
  if (!IsUpperCodepointAt(original, first)) return false;
  if (hit.end - hit.begin > 1 && IsUpperCodepointAt(original, first + 1)) return false;  // "NUL"
  uint32_t word_begin = hit.begin - 1;
  while (word_begin > 0 && n.text[word_begin - 1] != ' ') --word_begin;
  const std::string_view before(n.text.data() + word_begin, hit.begin - 1 - word_begin);
  static constexpr std::string_view kPlacePrepositions[] = {"to",  "in", "at", "from", "near",
                                                            "via", "a",  "de", "en",   "vers"};
  for (const std::string_view p : kPlacePrepositions) {
    if (before == p) return true;
  }
  return false;
}

// Where the walk stands: the sentence and clause, the cues that cover the next hits, and
// the last negator and intensifier seen.
struct Walk {
  std::string_view original;
  const NormalizedText& n;
  State& s;
  uint32_t sentence = 0;
  uint32_t clauses = 0;
  // Negators, intensifiers and stance cues form one family: a hit inside a strictly longer
  // hit of the family is part of it ("pas" in "pas de réponse", "jamais" in the intensifier
  // "jamais été aussi"). Hits of equal extent keep all their roles: "refuse" can be both a
  // complaint and a negator.
  uint32_t stance_cover_end = 0;
  uint32_t stance_cover_length = 0;
  uint32_t topic_cover_end = 0;
  uint32_t topic_cover_length = 0;
  uint32_t brand_cover_end = 0;
  int64_t last_negator_end = -1;
  uint32_t last_negator_begin = 0;
  uint32_t last_negator_sentence = 0;
  int64_t last_intensifier_end = -1;
  double last_intensifier = 1;

  // A unit is a sentence, or a clause of it after "mais", "but"...: the granularity of
  // stance attribution and negation. Units are numbered in text order.
  uint32_t unit() const { return sentence + clauses; }

  bool InsideLongerStanceCue(const Hit& hit) {
    const uint32_t length = hit.end - hit.begin;
    if (hit.end <= stance_cover_end && length < stance_cover_length) return true;
    if (hit.end > stance_cover_end) {
      stance_cover_end = hit.end;
      stance_cover_length = length;
    }
    return false;
  }
};

void AddMention(Walk& w, const Hit& hit, const Pattern& p) {
  State& s = w.s;
  const NormalizedText& n = w.n;
  if (hit.end <= w.brand_cover_end) return;  // inside a longer brand mention
  const uint32_t ob = n.OriginalBegin(hit.begin);
  const uint32_t oe = n.OriginalEnd(hit.end);
  if (p.is_upper_only && !IsAllCapitals(w.original, ob, oe)) return;
  // Exclusions start at or before the alias they cover: the last few are enough, which
  // keeps a post with a million of them linear.
  const size_t recent = std::min<size_t>(s.exclusions.size(), 8);
  const bool excluded =
      std::any_of(s.exclusions.end() - static_cast<std::ptrdiff_t>(recent), s.exclusions.end(),
                  [&](const auto& r) {
                    return r.brand == p.index && r.begin <= hit.begin && hit.end <= r.end;
                  });
  if (excluded) return;
  Mention m;
  m.brand = p.index;
  m.begin = hit.begin;
  m.end = hit.end;
  m.sentence = w.unit();
  m.needs_context = p.kind == PatternKind::kAlias && p.is_common_word;
  if (m.needs_context) {
    const uint32_t sentence_start = w.sentence == 0 ? 0 : n.sentence_ends[w.sentence - 1];
    const bool at_sentence_start =
        hit.begin <= sentence_start + 1 ||
        (hit.begin >= 2 &&
         std::string_view("\"«(").find(n.text[hit.begin - 2]) != std::string_view::npos &&
         hit.begin - 2 <= sentence_start + 1);
    m.is_capitalized_mid_sentence = !at_sentence_start && IsUpperCodepointAt(w.original, ob);
    m.follows_brand_frame = FollowsBrandFrame(n.text, hit.begin);
  }
  s.mentions.push_back(m);
  w.brand_cover_end = hit.end;
}

void AddIntensifier(Walk& w, const Hit& hit, const Cue& cue) {
  if (w.InsideLongerStanceCue(hit)) return;
  // Intensifiers do not compound: the strongest in reach applies.
  if (w.last_intensifier_end >= 0 &&
      WordsBetween(w.n.text, static_cast<uint32_t>(w.last_intensifier_end), hit.begin) <
          kIntensifierWindowWords) {
    w.last_intensifier = std::max(w.last_intensifier, cue.weight);
  } else {
    w.last_intensifier = cue.weight;
  }
  w.last_intensifier_end = hit.end;
}

// A complaint, praise, resolution or question cue, flipped by a negator and strengthened by
// an intensifier in reach.
void AddStanceCue(Walk& w, const Hit& hit, const Cue& cue) {
  if (w.InsideLongerStanceCue(hit)) return;
  if (IsPlaceName(w.original, w.n, hit)) return;
  const uint32_t unit = w.unit();
  const std::string_view text = w.n.text;
  LocatedStanceCue c;
  c.cue.cue_class =
      static_cast<CueClass>(static_cast<int>(cue.kind) - static_cast<int>(CueKind::kComplaint));
  c.cue.weight = cue.weight;
  c.cue.position = hit.begin;
  c.cue.sentence = unit;
  c.sentence = unit;
  c.show_begin = hit.begin;
  c.show_end = hit.end;
  if (!cue.is_negation_immune && w.last_negator_end >= 0 && w.last_negator_sentence == unit &&
      static_cast<uint32_t>(w.last_negator_end) <= hit.begin &&
      WordsBetween(text, static_cast<uint32_t>(w.last_negator_end), hit.begin) <
          kNegationWindowWords &&
      !ClauseBreakBetween(w.original, w.n, static_cast<uint32_t>(w.last_negator_end), hit.begin)) {
    c.cue.cue_class = Negate(c.cue.cue_class);
    if (c.cue.cue_class == CueClass::kPraise) c.cue.weight *= 0.5;  // "pas mal"
    c.show_begin = w.last_negator_begin;
  }
  if (w.last_intensifier_end >= 0 && static_cast<uint32_t>(w.last_intensifier_end) <= hit.begin &&
      WordsBetween(text, static_cast<uint32_t>(w.last_intensifier_end), hit.begin) <
          kIntensifierWindowWords) {
    c.cue.weight *= w.last_intensifier;
  }
  w.s.stance_cues.push_back(c);
}

// "On hold for an hour", "called five times", "mon avocat": an urgency signal is also the
// customer's complaint, at kSignalComplaintWeight of its weight, unless a stance cue
// already covers its words.
void AddSignalAsComplaint(Walk& w, const Hit& hit, const Cue& cue) {
  if (hit.end <= w.stance_cover_end) return;
  const uint32_t unit = w.unit();
  LocatedStanceCue c;
  c.cue.cue_class = CueClass::kComplaint;
  c.cue.weight = cue.weight * kSignalComplaintWeight;
  c.cue.position = hit.begin;
  c.cue.sentence = unit;
  c.sentence = unit;
  c.show_begin = hit.begin;
  c.show_end = hit.end;
  w.s.stance_cues.push_back(c);
}

// "en retard" holds "retard": one delay cue, not two; "gate agent" (staff) is not also
// "agent" (support). Cues of equal extent keep every topic they name ("frais de
// résiliation": billing and cancellation).
void AddTopicCue(Walk& w, const Hit& hit, const Cue& cue) {
  const uint32_t length = hit.end - hit.begin;
  if (hit.end <= w.topic_cover_end && length < w.topic_cover_length) return;
  if (hit.end > w.topic_cover_end) {
    w.topic_cover_end = hit.end;
    w.topic_cover_length = length;
  }
  const uint32_t unit = w.unit();
  State& s = w.s;
  s.topic_cues.push_back({static_cast<Topic>(cue.detail), cue.weight, unit, hit.begin, hit.end});
  if (s.topic_sentences.empty() || s.topic_sentences.back() != unit) {
    s.topic_sentences.push_back(unit);
  }
}

void AddCue(Walk& w, const Hit& hit, const Cue& cue) {
  switch (cue.kind) {
    case CueKind::kNegator:
      if (w.InsideLongerStanceCue(hit)) break;
      w.last_negator_end = hit.end;
      w.last_negator_begin = hit.begin;
      w.last_negator_sentence = w.unit();
      break;
    case CueKind::kIntensifier:
      AddIntensifier(w, hit, cue);
      break;
    case CueKind::kComplaint:
    case CueKind::kPraise:
    case CueKind::kResolution:
    case CueKind::kQuestion:
      AddStanceCue(w, hit, cue);
      break;
    case CueKind::kSignal:
      AddSignalAsComplaint(w, hit, cue);
      break;
    case CueKind::kTopic:
      AddTopicCue(w, hit, cue);
      break;
    case CueKind::kClause:
      if (!w.InsideLongerStanceCue(hit)) ++w.clauses;
      break;
    case CueKind::kIrony:
      w.s.irony = std::max(w.s.irony, cue.weight);
      break;
    case CueKind::kOutsideCause:
      w.s.names_outside_cause = true;
      break;
    default:
      break;  // facts: channels, signals, amounts, durations
  }
}

}  // namespace

// Hits come sorted by begin, longer first; a cue inside a longer cue of the same family
// ("bien" inside "tout est bien qui finit bien") is not counted again.
void Analyzer::Impl::WalkHits(std::string_view original, State& s) const {
  const NormalizedText& n = s.normalized;
  Walk w{original, n, s};
  for (const Hit& hit : s.hits) {
    while (w.sentence < n.sentence_ends.size() && n.sentence_ends[w.sentence] <= hit.begin) {
      ++w.sentence;
    }
    const Pattern& p = scanner->pattern(hit.pattern);
    switch (p.kind) {
      case PatternKind::kExclusion:
        s.exclusions.push_back({hit.begin, hit.end, p.index});
        break;
      case PatternKind::kAlias:
      case PatternKind::kHandle:
      case PatternKind::kDomain:
        AddMention(w, hit, p);
        break;
      case PatternKind::kUrl:
      case PatternKind::kFunction:
        break;  // facts; function words are counted by the scan
      case PatternKind::kCue:
        AddCue(w, hit, lexicon.cues[p.index]);
        break;
    }
  }
}

}  // namespace ecoute

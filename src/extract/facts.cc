#include "extract/facts.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ecoute {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

// A token of digits and separators, with no space: "3,500", "12,50", "1.234,56".
bool ParseToken(std::string_view s, double& value) {
  if (s.empty() || !IsDigit(s.front()) || !IsDigit(s.back())) return false;
  const size_t last_comma = s.rfind(',');
  const size_t last_dot = s.rfind('.');
  char decimal = 0;
  if (last_comma != std::string_view::npos && last_dot != std::string_view::npos) {
    decimal = last_comma > last_dot ? ',' : '.';
  } else if (last_comma != std::string_view::npos || last_dot != std::string_view::npos) {
    const char sep = last_comma != std::string_view::npos ? ',' : '.';
    const size_t pos = sep == ',' ? last_comma : last_dot;
    const size_t count = static_cast<size_t>(std::count(s.begin(), s.end(), sep));
    // "3,500" and "1.000.000" group thousands; "12,50" and "3.5" have decimals.
    const bool is_grouping = (s.size() - pos - 1 == 3) && (sep == ',' || count > 1);
    if (!is_grouping) {
      if (count > 1) return false;
      decimal = sep;
    }
  }
  double integer = 0;
  double fraction = 0;
  double scale = 1;
  bool after_decimal = false;
  size_t group = 0;
  bool first_group = true;
  for (char c : s) {
    if (IsDigit(c)) {
      if (after_decimal) {
        scale /= 10;
        fraction += (c - '0') * scale;
      } else {
        integer = integer * 10 + (c - '0');
        ++group;
      }
    } else if (c == decimal) {
      after_decimal = true;
    } else {
      // A thousands separator: the group before must fit (1-3 digits first, 3 after).
      if ((first_group && (group == 0 || group > 3)) || (!first_group && group != 3)) {
        return false;
      }
      first_group = false;
      group = 0;
    }
  }
  if (!first_group && !after_decimal && group != 3) return false;
  value = integer + fraction;
  return true;
}

bool IsNumberChar(char c) { return IsDigit(c) || c == ',' || c == '.'; }

}  // namespace

bool ParseNumber(std::string_view s, double& value) {
  // Space-separated groups: "88 247" (all but the first of exactly three digits).
  if (s.find(' ') == std::string_view::npos) return ParseToken(s, value);
  std::string joined;
  size_t start = 0;
  bool first = true;
  while (start <= s.size()) {
    const size_t space = s.find(' ', start);
    const std::string_view part =
        s.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start);
    const bool is_last = space == std::string_view::npos;
    if (first) {
      if (!AllDigits(part) || part.size() > 3) return false;
    } else if (is_last ? part.size() < 3 || !AllDigits(part.substr(0, 3)) ||
                             (part.size() > 3 && part[3] != ',' && part[3] != '.')
                       : !AllDigits(part) || part.size() != 3) {
      return false;
    }
    joined += part;
    first = false;
    if (is_last) break;
    start = space + 1;
  }
  return ParseToken(joined, value);
}

bool FindNumberBefore(std::string_view text, size_t end, size_t& begin, double& value) {
  if (end == 0 || end > text.size() || !IsDigit(text[end - 1])) return false;
  size_t token_begin = end;
  while (token_begin > 0 && IsNumberChar(text[token_begin - 1])) --token_begin;
  while (token_begin < end && !IsDigit(text[token_begin])) ++token_begin;
  size_t start = token_begin;
  // Extend over space-separated groups while the group on the right has three digits.
  std::string_view right = text.substr(token_begin, end - token_begin);
  while (start >= 2 && text[start - 1] == ' ' && IsDigit(text[start - 2]) && right.size() >= 3 &&
         AllDigits(right.substr(0, 3))) {
    size_t group_begin = start - 1;
    while (group_begin > 0 && IsDigit(text[group_begin - 1])) --group_begin;
    const size_t group_length = start - 1 - group_begin;
    if (group_length == 0 || group_length > 3) break;
    if (group_begin > 0 && IsNumberChar(text[group_begin - 1])) break;
    right = text.substr(group_begin, start - 1 - group_begin);
    start = group_begin;
  }
  if (start > 0) {
    // "v2", "x10": a number glued to a word is not a quantity.
    const char c = text[start - 1];
    if ((c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80) return false;
  }
  double parsed = 0;
  if (!ParseNumber(text.substr(start, end - start), parsed)) {
    // Fall back to the last token alone ("2006 88" fails as a group).
    if (!ParseToken(text.substr(token_begin, end - token_begin), parsed)) return false;
    start = token_begin;
  }
  begin = start;
  value = parsed;
  return true;
}

bool FindNumberAfter(std::string_view text, size_t begin, size_t& end, double& value) {
  if (begin >= text.size() || !IsDigit(text[begin])) return false;
  size_t stop = begin;
  while (stop < text.size() && IsNumberChar(text[stop])) ++stop;
  while (stop > begin && !IsDigit(text[stop - 1])) --stop;
  size_t best = stop;
  // "$3 500": one more group of exactly three digits after a space.
  if (stop - begin <= 3 && stop + 4 <= text.size() && text[stop] == ' ' &&
      AllDigits(text.substr(stop + 1, 3)) &&
      (stop + 4 == text.size() || !IsNumberChar(text[stop + 4]) || text[stop + 4] == ',' ||
       text[stop + 4] == '.')) {
    size_t group_end = stop + 4;
    while (group_end < text.size() && IsNumberChar(text[group_end])) ++group_end;
    while (group_end > stop + 4 && !IsDigit(text[group_end - 1])) --group_end;
    best = group_end;
  }
  double parsed = 0;
  if (!ParseNumber(text.substr(begin, best - begin), parsed)) {
    if (!ParseToken(text.substr(begin, stop - begin), parsed)) return false;
    best = stop;
  }
  end = best;
  value = parsed;
  return true;
}

namespace {

// The number word ("deux", "a couple of") that ends at `end`, trying the last three words.
bool FindNumberWordBefore(std::string_view text, size_t end, const Lexicon& lexicon, size_t& begin,
                          double& value) {
  if (lexicon.numbers.empty()) return false;
  size_t start = end;
  std::string key;
  bool found = false;
  for (int words = 0; words < 3 && start > 0; ++words) {
    size_t word_begin = start;
    while (word_begin > 0 && text[word_begin - 1] != ' ') --word_begin;
    if (word_begin == start) break;
    key.assign(text.substr(word_begin, end - word_begin));
    if (auto it = lexicon.numbers.find(key); it != lexicon.numbers.end()) {
      begin = word_begin;
      value = it->second;
      found = true;
    }
    if (word_begin == 0) break;
    start = word_begin - 1;
  }
  return found;
}

// "à 21 h", "vers 15 heures", "dès 8 h": a time of day, not a duration.
bool IsTimeOfDay(std::string_view text, size_t number_begin) {
  if (number_begin < 2 || text[number_begin - 1] != ' ') return false;
  size_t word_begin = number_begin - 1;
  while (word_begin > 0 && text[word_begin - 1] != ' ') --word_begin;
  const std::string_view word = text.substr(word_begin, number_begin - 1 - word_begin);
  if (word == "a" && word_begin >= 2 && text.substr(word_begin - 2, 2) == "y ") {
    return false;  // "il y a 3 heures": three hours ago
  }
  return word == "a" || word == "vers" || word == "des" || word == "at" || word == "avant" ||
         word == "until" || word == "by";
}

// The multiplier hit that ends at `end` (or starts at `begin`), if any. `multipliers` is
// sorted by begin (hits are); a multiplier is shorter than kMaxMultiplierBytes.
constexpr size_t kMaxMultiplierBytes = 64;
const LocatedMultiplier* MultiplierEndingAt(const std::vector<LocatedMultiplier>& multipliers,
                                            size_t end) {
  auto it =
      std::lower_bound(multipliers.begin(), multipliers.end(),
                       end > kMaxMultiplierBytes ? end - kMaxMultiplierBytes : 0,
                       [](const LocatedMultiplier& m, size_t value) { return m.begin < value; });
  for (; it != multipliers.end() && it->begin < end; ++it) {
    if (it->end == end) return &*it;
  }
  return nullptr;
}
const LocatedMultiplier* MultiplierStartingAt(const std::vector<LocatedMultiplier>& multipliers,
                                              size_t begin) {
  auto it =
      std::lower_bound(multipliers.begin(), multipliers.end(), begin,
                       [](const LocatedMultiplier& m, size_t value) { return m.begin < value; });
  return it != multipliers.end() && it->begin == begin ? &*it : nullptr;
}

std::string_view OriginalSlice(std::string_view original, const NormalizedText& n, size_t begin,
                               size_t end) {
  const uint32_t b = n.OriginalBegin(static_cast<uint32_t>(begin));
  const uint32_t e = n.OriginalEnd(static_cast<uint32_t>(end));
  return original.substr(b, e - b);
}

// Where a URL that starts at original[begin] ends: at white space, a quote or an angle
// bracket, without trailing punctuation, and without a closing parenthesis it did not open
// (a Markdown link's ")").
size_t UrlEnd(std::string_view original, size_t begin) {
  size_t end = begin;
  int open_parens = 0;
  while (end < original.size()) {
    const char c = original[end];
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '"' || c == '<' || c == '>' ||
        c == '\'' || c == '[' || c == ']') {
      break;
    }
    if (c == '(') ++open_parens;
    if (c == ')' && open_parens-- == 0) break;
    ++end;
  }
  while (end > begin &&
         std::string_view(".,;:!?").find(original[end - 1]) != std::string_view::npos) {
    --end;
  }
  return end;
}

// An amount found around a currency cue: its normalized extent and value.
struct FoundAmount {
  size_t begin = 0;
  size_t end = 0;
  double value = 0;
};

// The amount a currency cue at `hit` belongs to. Written after the number: "88 247 euros",
// "180 millions de dollars", "15€"; or before it: "$3,500", "€ 15", "$3.5 million".
bool FindAmount(std::string_view text, const Hit& hit, const Lexicon& lexicon,
                const std::vector<LocatedMultiplier>& multipliers, FoundAmount& amount) {
  double factor = 1;
  size_t left = hit.begin;
  if (left > 0 && text[left - 1] == ' ') --left;
  if (const LocatedMultiplier* m = MultiplierEndingAt(multipliers, left)) {
    factor = m->value;
    left = m->begin;
    if (left > 0 && text[left - 1] == ' ') --left;
  }
  if (FindNumberBefore(text, left, amount.begin, amount.value) ||
      (factor != 1 && FindNumberWordBefore(text, left, lexicon, amount.begin, amount.value))) {
    amount.end = hit.end;
    amount.value *= factor;
    return true;
  }
  if (factor != 1) {
    // "mille euros", "a million dollars" without a digit: one times the factor.
    amount.value = factor;
    amount.begin = left;
    if (amount.begin < text.size() && text[amount.begin] == ' ') ++amount.begin;
    amount.end = hit.end;
    return true;
  }
  size_t right = hit.end;
  if (right < text.size() && text[right] == ' ') ++right;
  size_t number_end = 0;
  if (!FindNumberAfter(text, right, number_end, amount.value)) return false;
  amount.begin = hit.begin;
  amount.end = number_end;
  size_t after = number_end;
  if (after < text.size() && text[after] == ' ') ++after;
  if (const LocatedMultiplier* m = MultiplierStartingAt(multipliers, after)) {
    amount.value *= m->value;
    amount.end = m->end;
  }
  return true;
}

// The duration a duration cue at `hit` ends: a number or number word before the unit, not
// a time of day ("15h30").
bool FindDuration(std::string_view text, const Hit& hit, const Cue& cue, const Lexicon& lexicon,
                  size_t& begin, double& seconds) {
  size_t left = hit.begin;
  if (left > 0 && text[left - 1] == ' ') --left;
  double value = 0;
  if (!FindNumberBefore(text, left, begin, value) &&
      !FindNumberWordBefore(text, left, lexicon, begin, value)) {
    return false;
  }
  if (cue.weight < 86400 && IsTimeOfDay(text, begin)) return false;
  seconds = std::round(value * cue.weight);
  return true;
}

void AddLink(std::string_view original, const NormalizedText& normalized, const Hit& hit,
             const Pattern& p, Facts& out) {
  const uint32_t begin = normalized.OriginalBegin(hit.begin);
  const size_t end = UrlEnd(original, begin);
  if (end <= begin + p.length) return;
  const std::string_view link = original.substr(begin, end - begin);
  if (out.links.size() < kMaxFactsPerKind &&
      std::find(out.links.begin(), out.links.end(), link) == out.links.end()) {
    out.links.push_back(link);
  }
}

void AddChannel(Channel channel, Facts& out) {
  if (std::find(out.channels.begin(), out.channels.end(), channel) == out.channels.end()) {
    out.channels.push_back(channel);
  }
}

void AddSignal(std::string_view original, const NormalizedText& normalized, const Hit& hit,
               Signal signal, Facts& out) {
  const bool seen = std::any_of(out.signals.begin(), out.signals.end(),
                                [&](const auto& s) { return s.first == signal; });
  if (!seen) {
    out.signals.emplace_back(signal, OriginalSlice(original, normalized, hit.begin, hit.end));
  }
}

}  // namespace

void ExtractFacts(std::string_view original, const NormalizedText& normalized,
                  const std::vector<Hit>& hits, const Scanner& scanner, const Lexicon& lexicon,
                  FactsScratch& scratch, Facts& out) {
  out.money.clear();
  out.durations.clear();
  out.channels.clear();
  out.links.clear();
  out.signals.clear();
  const std::string_view text = normalized.text;

  // Multipliers first: amounts look them up on both sides.
  std::vector<LocatedMultiplier>& multipliers = scratch.multipliers;
  multipliers.clear();
  for (const Hit& hit : hits) {
    const Pattern& p = scanner.pattern(hit.pattern);
    if (p.kind == PatternKind::kCue && lexicon.cues[p.index].kind == CueKind::kMultiplier) {
      multipliers.push_back({hit.begin, hit.end, lexicon.cues[p.index].weight});
    }
  }

  size_t money_covered_until = 0;  // one amount per number: "$3,500 USD" is one amount
  for (const Hit& hit : hits) {
    const Pattern& p = scanner.pattern(hit.pattern);
    if (p.kind == PatternKind::kUrl) {
      AddLink(original, normalized, hit, p, out);
      continue;
    }
    if (p.kind != PatternKind::kCue) continue;
    const Cue& cue = lexicon.cues[p.index];
    switch (cue.kind) {
      case CueKind::kChannel:
        AddChannel(static_cast<Channel>(cue.detail), out);
        break;
      case CueKind::kSignal:
        AddSignal(original, normalized, hit, static_cast<Signal>(cue.detail), out);
        break;
      case CueKind::kCurrency: {
        if (hit.begin < money_covered_until || out.money.size() >= kMaxFactsPerKind) break;
        FoundAmount amount;
        if (!FindAmount(text, hit, lexicon, multipliers, amount)) break;
        out.money.push_back(
            Money{OriginalSlice(original, normalized, amount.begin, amount.end), amount.value, {}});
        out.money.back().currency = cue.currency;
        money_covered_until = amount.end;
        break;
      }
      case CueKind::kDuration: {
        if (out.durations.size() >= kMaxFactsPerKind) break;
        size_t begin = 0;
        double seconds = 0;
        if (!FindDuration(text, hit, cue, lexicon, begin, seconds)) break;
        out.durations.push_back(Duration{OriginalSlice(original, normalized, begin, hit.end),
                                         static_cast<int64_t>(seconds)});
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace ecoute

#include "extract/scanner.h"

#include <algorithm>
#include <cstddef>
#include <set>
#include <tuple>

#include "text/normalize.h"
#include "util/utf8.h"

namespace ecoute {
namespace {

bool IsWordByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z');
}

bool IsUpperShortAlias(std::string_view alias) {
  if (alias.empty() || alias.size() > 3) return false;
  return std::all_of(alias.begin(), alias.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

struct Builder {
  std::vector<std::string> literals;
  std::vector<Pattern> patterns;

  void Add(std::string literal, Pattern pattern) {
    pattern.length = static_cast<uint32_t>(literal.size());
    // Ends made of symbols ("$", "€", "?") need no word boundary.
    pattern.check_left = !IsWordBoundaryAfter(literal, 0);
    pattern.check_right = !IsWordBoundaryBefore(literal, literal.size()) && !pattern.extends_word;
    literals.push_back(std::move(literal));
    patterns.push_back(pattern);
  }
};

// A domain ends where the host ends: "fnac.com/x" and "fnac.com." at a sentence end do,
// "fnac.com.evil.org" and "fnac.community" do not.
bool IsHostEnd(std::string_view text, size_t pos) {
  if (pos >= text.size()) return true;
  const char c = text[pos];
  if (c == '.') return pos + 1 >= text.size() || !IsWordByte(text[pos + 1]);
  return !IsWordByte(c) && c != '.';
}

// Whether a candidate at [begin, end) of `text` passes the pattern's boundary checks;
// sets `hit_end` (a prefix cue runs to the end of its word).
bool Accept(const Pattern& p, std::string_view text, size_t begin, size_t end, size_t& hit_end) {
  if (p.check_left && !IsWordBoundaryBefore(text, begin) &&
      !(p.allows_digit_before && text[begin - 1] >= '0' && text[begin - 1] <= '9')) {
    return false;
  }
  if (p.kind == PatternKind::kDomain) {
    if (!IsHostEnd(text, end)) return false;
  } else if (p.check_right && !IsWordBoundaryAfter(text, end)) {
    return false;
  }
  hit_end = end;
  if (p.extends_word) {
    while (hit_end < text.size() && IsWordByte(text[hit_end])) ++hit_end;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<Scanner>> Scanner::Compile(const BrandCatalog& catalog,
                                                  const Lexicon& lexicon) {
  Builder b;
  for (uint32_t i = 0; i < catalog.brands.size(); ++i) {
    const Brand& brand = catalog.brands[i];
    auto add_alias = [&](const std::string& alias) -> Status {
      std::string literal = NormalizeTerm(alias);
      if (literal.empty()) {
        return InvalidArgumentError("brand \"" + brand.name + "\": alias \"" + alias +
                                    "\" has no letters once normalized");
      }
      Pattern p;
      p.kind = PatternKind::kAlias;
      p.index = i;
      p.is_upper_only = IsUpperShortAlias(alias);
      p.is_common_word =
          brand.is_common_word ||
          std::binary_search(lexicon.common_words.begin(), lexicon.common_words.end(), literal);
      // The phrases in which this word is never a brand exclude it, as the catalog's own
      // `not` does.
      auto lookalike = std::lower_bound(lexicon.lookalikes.begin(), lexicon.lookalikes.end(),
                                        std::pair<std::string, std::string>(literal, ""));
      for (; lookalike != lexicon.lookalikes.end() && lookalike->first == literal; ++lookalike) {
        Pattern exclusion;
        exclusion.kind = PatternKind::kExclusion;
        exclusion.index = i;
        b.Add(lookalike->second, exclusion);
      }
      b.Add(std::move(literal), p);
      return OkStatus();
    };
    ECOUTE_RETURN_IF_ERROR(add_alias(brand.name));
    for (const std::string& alias : brand.aliases) ECOUTE_RETURN_IF_ERROR(add_alias(alias));
    for (const std::string& handle : brand.handles) {
      Pattern p;
      p.kind = PatternKind::kHandle;
      p.index = i;
      b.Add(NormalizeTerm(handle), p);
    }
    for (const std::string& domain : brand.domains) {
      Pattern p;
      p.kind = PatternKind::kDomain;
      p.index = i;
      b.Add(NormalizeTerm(domain), p);
    }
    for (const std::string& phrase : brand.exclusions) {
      std::string literal = NormalizeTerm(phrase);
      if (literal.empty()) continue;
      Pattern p;
      p.kind = PatternKind::kExclusion;
      p.index = i;
      b.Add(std::move(literal), p);
    }
  }
  // The same cue in two languages ("euros", "h") is one pattern: one hit, one fact.
  std::set<std::tuple<std::string, CueKind, uint8_t, std::string, bool>> seen;
  for (uint32_t i = 0; i < lexicon.cues.size(); ++i) {
    const Cue& cue = lexicon.cues[i];
    if (cue.kind == CueKind::kFunction) {
      Pattern p;
      p.kind = PatternKind::kFunction;
      p.index = cue.lang;
      b.Add(cue.term, p);
      continue;
    }
    if (!seen.emplace(cue.term, cue.kind, cue.detail, cue.currency, cue.is_prefix).second) {
      continue;
    }
    Pattern p;
    p.kind = PatternKind::kCue;
    p.index = i;
    p.extends_word = lexicon.cues[i].is_prefix;
    const CueKind kind = lexicon.cues[i].kind;
    p.allows_digit_before =
        kind == CueKind::kDuration || kind == CueKind::kMultiplier || kind == CueKind::kCurrency;
    b.Add(lexicon.cues[i].term, p);
  }
  for (const char* start : {"http://", "https://", "www."}) {
    Pattern p;
    p.kind = PatternKind::kUrl;
    b.Add(start, p);
  }

  std::unique_ptr<Scanner> scanner(new Scanner());
  // Two indexes: the lexicon's, small and hot, and the catalog's, which may be large and
  // is rarely hit; its compact Bloom filter keeps most tokens away from its slots.
  for (uint32_t id = 0; id < b.literals.size(); ++id) {
    const PatternKind kind = b.patterns[id].kind;
    const bool is_brand = kind == PatternKind::kAlias || kind == PatternKind::kHandle ||
                          kind == PatternKind::kDomain || kind == PatternKind::kExclusion;
    (is_brand ? scanner->brand_index_ : scanner->index_)
        .Add(b.literals[id], id, b.patterns[id].extends_word);
  }
  scanner->index_.Build(16);
  scanner->brand_index_.Build(8);
  scanner->patterns_ = std::move(b.patterns);
  scanner->language_count_ = lexicon.langs.size();
  return scanner;
}

Scanner::~Scanner() = default;

void Scanner::Scan(std::string_view text, const std::vector<uint32_t>& paragraph_ends,
                   Scratch& scratch, std::vector<Hit>& hits,
                   std::vector<uint32_t>& function_counts) const {
  hits.clear();
  function_counts.assign((paragraph_ends.size() + 1) * language_count_, 0);
  text = text.substr(0, std::min<size_t>(text.size(), UINT32_MAX));
  WordIndex::Pad(text, scratch.padded_);
  text = std::string_view(scratch.padded_.data(), text.size());
  const std::vector<Token>& tokens = scratch.tokens_;
  WordIndex::Tokenize(text, scratch.tokens_);
  size_t paragraph = 0;  // candidates come in text order
  auto found = [&](uint32_t id, size_t begin, size_t end) {
    const Pattern& p = patterns_[id];
    size_t hit_end = end;
    // Between spaces (the common case) every boundary holds; otherwise check them.
    const bool is_spaced =
        (begin == 0 || text[begin - 1] == ' ') && (end == text.size() || text[end] == ' ');
    if (!(is_spaced && !p.extends_word && p.kind != PatternKind::kDomain) &&
        !Accept(p, text, begin, end, hit_end)) {
      return;
    }
    if (p.kind == PatternKind::kFunction) {
      while (paragraph < paragraph_ends.size() && paragraph_ends[paragraph] <= begin) ++paragraph;
      ++function_counts[paragraph * language_count_ + p.index];
      return;
    }
    hits.push_back(Hit{static_cast<uint32_t>(begin), static_cast<uint32_t>(hit_end), id});
  };
  const bool has_brands = brand_index_.size() > 0;
  for (size_t k = 0; k < tokens.size(); ++k) {
    const Token* next = k + 1 < tokens.size() ? &tokens[k + 1] : nullptr;
    index_.ProbeToken(text, tokens[k], next, found);
    // The catalog's index is large and rarely hit: its filter answers for most tokens.
    if (has_brands && brand_index_.MayStartAt(tokens[k])) {
      brand_index_.ProbeToken(text, tokens[k], next, found);
    }
  }
  // Hits come by token start already; only those of one start (the two indexes', a phrase
  // and its first word, a prefix cue running to the end of its word) may need reordering.
  auto before = [](const Hit& a, const Hit& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.end != b.end) return a.end > b.end;
    return a.pattern < b.pattern;
  };
  for (size_t run = 0; run < hits.size();) {
    size_t run_end = run + 1;
    while (run_end < hits.size() && hits[run_end].begin == hits[run].begin) ++run_end;
    if (run_end - run > 1) {
      std::sort(hits.begin() + static_cast<std::ptrdiff_t>(run),
                hits.begin() + static_cast<std::ptrdiff_t>(run_end), before);
    }
    run = run_end;
  }
}

}  // namespace ecoute

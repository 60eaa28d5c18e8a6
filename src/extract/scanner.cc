#include "extract/scanner.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <set>
#include <tuple>

#include "text/normalize.h"

namespace ecoute {
namespace {

// Cue words up to this length are compiled padded with spaces (Pattern::is_padded).
constexpr size_t kMaxPaddedLength = 3;

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
    if (pattern.is_padded) {
      if (literal.size() <= kMaxPaddedLength && pattern.check_left && pattern.check_right) {
        literal = " " + literal + " ";
        pattern.length = static_cast<uint32_t>(literal.size());
        pattern.check_left = pattern.check_right = false;
      } else {
        pattern.is_padded = false;
      }
    }
    literals.push_back(std::move(literal));
    patterns.push_back(pattern);
  }
};

struct ScanContext {
  std::string_view text;
  const std::vector<Pattern>* patterns;
  std::vector<Hit>* hits;
};

// A domain ends where the host ends: "fnac.com/x" and "fnac.com." at a sentence end do,
// "fnac.com.evil.org" and "fnac.community" do not.
bool IsHostEnd(std::string_view text, size_t pos) {
  if (pos >= text.size()) return true;
  const char c = text[pos];
  if (c == '.') return pos + 1 >= text.size() || !IsWordByte(text[pos + 1]);
  return !IsWordByte(c) && c != '.';
}

int OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to,
            unsigned int /*flags*/, void* context) {
  auto& ctx = *static_cast<ScanContext*>(context);
  const Pattern& p = (*ctx.patterns)[id];
  // The scanned text is padded with one space at each end: positions shift by one.
  const size_t start = static_cast<size_t>(to) - p.length;  // in padded coordinates
  // A padded literal's first byte is the space before the word; others start after the
  // text's leading pad, so never at 0.
  const size_t begin = p.is_padded ? start : start - 1;
  const size_t end = p.is_padded ? static_cast<size_t>(to) - 2 : static_cast<size_t>(to) - 1;
  if (p.check_left && !IsWordBoundaryBefore(ctx.text, begin) &&
      !(p.allows_digit_before && ctx.text[begin - 1] >= '0' && ctx.text[begin - 1] <= '9')) {
    return 0;
  }
  if (p.kind == PatternKind::kDomain) {
    if (!IsHostEnd(ctx.text, end)) return 0;
  } else if (p.check_right && !IsWordBoundaryAfter(ctx.text, end)) {
    return 0;
  }
  size_t hit_end = end;
  if (p.extends_word) {
    while (hit_end < ctx.text.size() && IsWordByte(ctx.text[hit_end])) ++hit_end;
  }
  ctx.hits->push_back(Hit{static_cast<uint32_t>(begin), static_cast<uint32_t>(hit_end), id});
  return 0;
}

Status CompileLiterals(const std::vector<std::string>& literals, hs_database_t*& database) {
  std::vector<const char*> expressions;
  std::vector<size_t> lengths;
  std::vector<unsigned> flags(literals.size(), 0);
  std::vector<unsigned> ids;
  for (size_t i = 0; i < literals.size(); ++i) {
    expressions.push_back(literals[i].data());
    lengths.push_back(literals[i].size());
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_compile_error_t* error = nullptr;
  if (hs_compile_lit_multi(expressions.data(), flags.data(), ids.data(), lengths.data(),
                           static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr,
                           &database, &error) == HS_SUCCESS) {
    return OkStatus();
  }
  std::string message = "cannot compile the brand and cue patterns";
  if (error != nullptr) {
    if (error->expression >= 0 && static_cast<size_t>(error->expression) < literals.size()) {
      message += " (pattern \"" + literals[error->expression] + "\")";
    }
    message += ": ";
    message += error->message;
    hs_free_compile_error(error);
  }
  return InvalidArgumentError(message);
}

struct FunctionContext {
  const std::vector<uint8_t>* langs;
  uint32_t* counts;  // this paragraph's row
};

int OnFunctionWord(unsigned int id, unsigned long long /*from*/, unsigned long long /*to*/,
                   unsigned int /*flags*/, void* context) {
  auto& ctx = *static_cast<FunctionContext*>(context);
  ++ctx.counts[(*ctx.langs)[id]];
  return 0;
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
  Builder function_words;
  std::vector<uint8_t> function_langs;
  for (uint32_t i = 0; i < lexicon.cues.size(); ++i) {
    const Cue& cue = lexicon.cues[i];
    if (cue.kind == CueKind::kFunction) {
      Pattern p;
      p.kind = PatternKind::kCue;
      p.index = i;
      p.is_padded = true;
      function_words.Add(cue.term, p);
      function_langs.push_back(cue.lang);
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
    p.allows_digit_before = kind == CueKind::kDuration || kind == CueKind::kMultiplier ||
                            kind == CueKind::kCurrency;
    p.is_padded = !p.allows_digit_before && !p.extends_word;
    b.Add(lexicon.cues[i].term, p);
  }
  for (const char* start : {"http://", "https://", "www."}) {
    Pattern p;
    p.kind = PatternKind::kUrl;
    b.Add(start, p);
  }

  std::unique_ptr<Scanner> scanner(new Scanner());
  ECOUTE_RETURN_IF_ERROR(CompileLiterals(b.literals, scanner->database_));
  if (!function_words.literals.empty()) {
    ECOUTE_RETURN_IF_ERROR(CompileLiterals(function_words.literals, scanner->function_database_));
  }
  scanner->patterns_ = std::move(b.patterns);
  scanner->function_langs_ = std::move(function_langs);
  scanner->language_count_ = lexicon.langs.size();
  static std::atomic<uint64_t> next_id{1};
  scanner->id_ = next_id.fetch_add(1);
  return scanner;
}

Scanner::~Scanner() {
  hs_free_database(database_);
  if (function_database_ != nullptr) hs_free_database(function_database_);
}

Scanner::Scratch::~Scratch() {
  if (scratch_ != nullptr) hs_free_scratch(scratch_);
  if (function_scratch_ != nullptr) hs_free_scratch(function_scratch_);
}

void Scanner::CountFunctionWords(std::string_view text, const std::vector<uint32_t>& paragraph_ends,
                                 Scratch& scratch, std::vector<uint32_t>& counts) const {
  const size_t paragraphs = paragraph_ends.size() + 1;
  counts.assign(paragraphs * language_count_, 0);
  if (function_database_ == nullptr || text.empty()) return;
  if (scratch.function_scratch_ == nullptr || scratch.sized_for_ != id_) {
    if (hs_alloc_scratch(function_database_, &scratch.function_scratch_) != HS_SUCCESS) return;
  }
  std::string& sample = scratch.padded_;
  size_t begin = 0;
  for (size_t p = 0; p < paragraphs; ++p) {
    const size_t end = p < paragraph_ends.size() ? paragraph_ends[p] : text.size();
    size_t length = std::min(end - begin, kFunctionSampleBytes);
    // Cut the sample after a whole word.
    while (begin + length < end && length > 0 && text[begin + length] != ' ') --length;
    sample.assign(1, ' ');
    sample.append(text.substr(begin, length));
    sample.push_back(' ');
    FunctionContext context{&function_langs_, counts.data() + p * language_count_};
    hs_scan(function_database_, sample.data(), static_cast<unsigned>(sample.size()), 0,
            scratch.function_scratch_, OnFunctionWord, &context);
    begin = end;
  }
}

void Scanner::Scan(std::string_view text, Scratch& scratch, std::vector<Hit>& hits) const {
  hits.clear();
  if (text.empty()) return;
  if (scratch.sized_for_ != id_) {
    // Grows the scratch when this database needs more than it has; done once per pair.
    if (hs_alloc_scratch(database_, &scratch.scratch_) != HS_SUCCESS) return;
    if (function_database_ != nullptr &&
        hs_alloc_scratch(function_database_, &scratch.function_scratch_) != HS_SUCCESS) {
      return;
    }
    scratch.sized_for_ = id_;
  }
  // Hyperscan takes lengths as unsigned int; the readers cap posts far below that.
  const size_t length = std::min<size_t>(text.size(), (size_t{1} << 31) - 2);
  std::string& padded = scratch.padded_;
  padded.resize(length + 2);
  padded.front() = ' ';
  std::memcpy(padded.data() + 1, text.data(), length);
  padded.back() = ' ';
  ScanContext context{text.substr(0, length), &patterns_, &hits};
  hs_scan(database_, padded.data(), static_cast<unsigned>(padded.size()), 0, scratch.scratch_,
          OnMatch, &context);
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.end != b.end) return a.end > b.end;
    return a.pattern < b.pattern;
  });
}

}  // namespace ecoute

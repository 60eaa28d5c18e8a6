// The query language: a hand-written lexer and recursive-descent parser that emit the FTS5
// expression as they go, so that there is no tree to keep in sync with the output.
#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecoute/analysis.h"
#include "ecoute/search.h"
#include "ecoute/status.h"

#include "text/normalize.h"
#include "util/datetime.h"
#include "util/utf8.h"

namespace ecoute {
namespace {

constexpr size_t kNone = std::string_view::npos;

constexpr std::array<std::string_view, 8> kFilterKeys = {"brand",  "stance", "topic", "lang",
                                                         "author", "since",  "until", "case"};

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLowerAscii(c);
  return out;
}

// White space, control characters included: they separate tokens and never reach FTS5.
bool IsSpaceCodepoint(char32_t cp) {
  if (cp <= 0x20 || cp == 0x7F || cp == 0x85 || cp == 0xA0 || cp == 0x1680) return true;
  if (cp >= 0x2000 && cp <= 0x200A) return true;
  return cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// The byte length of the white space character at `s[i]`, or 0 when there is none.
size_t SpaceLength(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return IsSpaceCodepoint(c) ? 1 : 0;
  size_t length = 0;
  const char32_t cp = DecodeUtf8(s, i, length);
  return IsSpaceCodepoint(cp) && length > 1 ? length : 0;
}

// Splits `s` on white space and joins the pieces with one space.
std::vector<std::string_view> SplitWords(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < s.size()) {
    if (const size_t n = SpaceLength(s, i); n > 0) {
      i += n;
      continue;
    }
    const size_t begin = i;
    while (i < s.size() && SpaceLength(s, i) == 0) ++i;
    words.push_back(s.substr(begin, i - begin));
  }
  return words;
}

std::string CollapseSpace(std::string_view s) {
  std::string out;
  for (std::string_view word : SplitWords(s)) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

bool HasWordCodepoint(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t length = 0;
    if (IsWordCodepoint(DecodeUtf8(s, i, length))) return true;
    i += length;
  }
  return false;
}

// An FTS5 string: inside one, only '"' is special, and it is written twice.
std::string Fts5String(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

template <typename T>
void AddOnce(std::vector<T>& list, T value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

// "a, b, c or d"
template <typename Names>
std::string ListWithOr(const Names& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

enum class TokenKind {
  kEnd,
  kOpen,    // (
  kClose,   // )
  kMinus,   // - glued to what follows
  kOr,      // OR
  kAnd,     // AND
  kNot,     // NOT
  kWord,    // a word or a prefix
  kPhrase,  // a quoted phrase, maybe a prefix
  kFilter,  // key:value
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t begin = 0;  // byte offsets in the query: the token as written
  size_t end = 0;
  std::string_view text;  // word: without its trailing "*"; phrase: between the quotes
  bool is_prefix = false;
  std::string_view key;    // filter: the key as written, without ':'
  std::string_view value;  // filter: the value, without its quotes
};

// A piece of FTS5 expression; compound ones need parentheses as operands.
struct Expr {
  std::string text;
  bool is_compound = false;
};

std::string Operand(const Expr& e) { return e.is_compound ? "(" + e.text + ")" : e.text; }

// The items of one level: the top of the query or one pair of parentheses.
struct Group {
  std::vector<Expr> positives;
  std::vector<Expr> negatives;
  size_t first_negative = kNone;  // byte offset of the first exclusion
};

// Positives joined by AND, minus the negatives. `group.positives` must not be empty.
Expr Conjunction(Group& group) {
  if (group.positives.size() == 1 && group.negatives.empty()) {
    return std::move(group.positives.front());
  }
  std::string text;
  for (const Expr& e : group.positives) {
    if (!text.empty()) text += " AND ";
    text += Operand(e);
  }
  if (!group.negatives.empty()) {
    if (group.positives.size() > 1) text = "(" + text + ")";
    text += " NOT ";
    if (group.negatives.size() == 1) {
      text += Operand(group.negatives.front());
    } else {
      std::string either;
      for (const Expr& e : group.negatives) {
        if (!either.empty()) either += " OR ";
        either += Operand(e);
      }
      text += "(" + either + ")";
    }
  }
  return {std::move(text), true};
}

class Parser {
 public:
  Parser(std::string_view text, int64_t now) : text_(text), now_(now) {}

  Result<SearchQuery> Parse() {
    // Bytes that are not UTF-8 are refused up front: a query typed in a Latin-1 terminal
    // would otherwise find nothing, silently, and SQLite expects UTF-8.
    for (size_t i = 0; i < text_.size();) {
      size_t length = 0;
      DecodeUtf8(text_, i, length);
      if (length == 1 && static_cast<unsigned char>(text_[i]) >= 0x80) {
        static constexpr char kHex[] = "0123456789ABCDEF";
        const auto byte = static_cast<unsigned char>(text_[i]);
        return Error(i, std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 15] +
                            " is not UTF-8; give the query in UTF-8");
      }
      i += length;
    }
    SkipSpace();
    if (pos_ == text_.size()) return InvalidArgumentError("empty query: give words or filters");

    Group top;
    ECOUTE_RETURN_IF_ERROR(ParseSequence(0, kNone, /*is_positive=*/true, top));
    if (!top.positives.empty()) {
      query_.match = Conjunction(top).text;
    } else if (!top.negatives.empty()) {
      return OnlyExclusions(top.first_negative);
    }
    if (query_.since && query_.until && *query_.until <= *query_.since) {
      const size_t later = std::max(since_at_.begin, until_at_.begin);
      return Error(later, Raw(until_at_) + " ends before " + Raw(since_at_) +
                              " begins: nothing can match; check the dates");
    }
    return std::move(query_);
  }

 private:
  // "column N: message", N counting code points (an invalid byte counts as one).
  Status Error(size_t offset, std::string_view message) const {
    size_t column = 1;
    for (size_t i = 0; i < offset && i < text_.size(); ++column) {
      size_t length = 0;
      DecodeUtf8(text_, i, length);
      i += length;
    }
    return InvalidArgumentError("column " + std::to_string(column) + ": " + std::string(message));
  }

  Status OnlyExclusions(size_t offset) const {
    return Error(offset,
                 "only exclusions: add a word or phrase to search for; FTS5 cannot run a query "
                 "of exclusions alone");
  }

  std::string Raw(const Token& t) const {
    return std::string(text_.substr(t.begin, t.end - t.begin));
  }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      const size_t n = SpaceLength(text_, pos_);
      if (n == 0) break;
      pos_ += n;
    }
  }

  bool IsTokenEnd(size_t i) const {
    if (i >= text_.size()) return true;
    const char c = text_[i];
    return c == '"' || c == '(' || c == ')' || SpaceLength(text_, i) > 0;
  }

  // Reads `"..."` at pos_ (on the opening quote) into `content`.
  Status ReadQuoted(std::string_view& content) {
    const size_t open = pos_;
    const size_t close = text_.find('"', open + 1);
    if (close == kNone) return Error(open, "unterminated quote: add a closing \"");
    content = text_.substr(open + 1, close - open - 1);
    pos_ = close + 1;
    return OkStatus();
  }

  Status Lex(Token& t) {
    SkipSpace();
    t = Token();
    t.begin = pos_;
    if (pos_ == text_.size()) {
      t.end = pos_;
      return OkStatus();
    }
    const char c = text_[pos_];
    if (c == '(' || c == ')') {
      t.kind = c == '(' ? TokenKind::kOpen : TokenKind::kClose;
      t.end = ++pos_;
      return OkStatus();
    }
    if (c == '-') {
      if (pos_ + 1 == text_.size() || SpaceLength(text_, pos_ + 1) > 0) {
        return Error(pos_, "\"-\" alone: glue it to what to exclude, as in -remboursé");
      }
      t.kind = TokenKind::kMinus;
      t.end = ++pos_;
      return OkStatus();
    }
    if (c == '"') {
      ECOUTE_RETURN_IF_ERROR(ReadQuoted(t.text));
      t.kind = TokenKind::kPhrase;
      // A '*' glued to the closing quote makes the phrase's last word a prefix.
      if (pos_ < text_.size() && text_[pos_] == '*') {
        t.is_prefix = true;
        ++pos_;
      }
      t.end = pos_;
      return OkStatus();
    }
    while (!IsTokenEnd(pos_)) ++pos_;
    t.end = pos_;
    const std::string_view bare = text_.substr(t.begin, t.end - t.begin);
    if (bare == "OR" || bare == "AND" || bare == "NOT") {
      t.kind = bare == "OR" ? TokenKind::kOr : bare == "AND" ? TokenKind::kAnd : TokenKind::kNot;
      return OkStatus();
    }
    // A filter is letters, ':', then anything but '/': "https://x" and "10:30" are words.
    size_t colon = 0;
    while (colon < bare.size() && IsAsciiLetter(bare[colon])) ++colon;
    if (colon > 0 && colon < bare.size() && bare[colon] == ':' &&
        (colon + 1 == bare.size() || bare[colon + 1] != '/')) {
      t.kind = TokenKind::kFilter;
      t.key = bare.substr(0, colon);
      t.value = bare.substr(colon + 1);
      if (t.value.empty() && pos_ < text_.size() && text_[pos_] == '"') {
        ECOUTE_RETURN_IF_ERROR(ReadQuoted(t.value));
        t.end = pos_;
      }
      return OkStatus();
    }
    t.kind = TokenKind::kWord;
    t.text = bare;
    while (!t.text.empty() && t.text.back() == '*') {
      t.is_prefix = true;
      t.text.remove_suffix(1);
    }
    if (t.text.empty()) return Error(t.begin, "\"*\" needs a word before it, as in rembour*");
    return OkStatus();
  }

  Status Next(Token& t) {
    if (peeked_) {
      t = *peeked_;
      peeked_.reset();
      return OkStatus();
    }
    return Lex(t);
  }

  Status Peek(TokenKind& kind) {
    if (!peeked_) {
      Token t;
      ECOUTE_RETURN_IF_ERROR(Lex(t));
      peeked_ = t;
    }
    kind = peeked_->kind;
    return OkStatus();
  }

  // The items up to the ')' that closes the group opened at `open` (depth > 0) or up to
  // the end of the query.
  Status ParseSequence(int depth, size_t open, bool is_positive, Group& group) {
    enum class Previous { kStart, kTerm, kFilter, kExclusion, kAnd };
    Previous previous = Previous::kStart;
    Token and_token;
    for (;;) {
      Token t;
      ECOUTE_RETURN_IF_ERROR(Next(t));
      switch (t.kind) {
        case TokenKind::kEnd:
        case TokenKind::kClose:
          if (previous == Previous::kAnd) return MissingOperand(and_token);
          if (t.kind == TokenKind::kEnd && depth > 0) {
            return Error(open, "unclosed \"(\": add a \")\"");
          }
          if (t.kind == TokenKind::kClose && depth == 0) {
            return Error(t.begin, "unmatched \")\": remove it or add a \"(\" before");
          }
          return OkStatus();
        case TokenKind::kOr:
          if (previous == Previous::kFilter) {
            return Error(t.begin,
                         "OR cannot join filters; repeating a filter already accepts any of its "
                         "values, as in stance:complaint stance:question");
          }
          if (previous == Previous::kExclusion) return ExclusionInOr(t);
          return MissingOperand(t);
        case TokenKind::kAnd:
          if (previous == Previous::kStart || previous == Previous::kAnd) {
            return MissingOperand(t);
          }
          previous = Previous::kAnd;
          and_token = t;
          break;
        case TokenKind::kFilter:
          ECOUTE_RETURN_IF_ERROR(CheckFilterKey(t));
          if (depth > 0) {
            return Error(t.begin, Raw(t) +
                                      ": filters apply to the whole query; move it out of the "
                                      "parentheses");
          }
          ECOUTE_RETURN_IF_ERROR(ApplyFilter(t));
          previous = Previous::kFilter;
          break;
        case TokenKind::kMinus:
        case TokenKind::kNot: {
          Token operand;
          ECOUTE_RETURN_IF_ERROR(Next(operand));
          Expr e;
          ECOUTE_RETURN_IF_ERROR(ParseNegated(t, operand, depth, e));
          TokenKind next = TokenKind::kEnd;
          ECOUTE_RETURN_IF_ERROR(Peek(next));
          if (next == TokenKind::kOr) return ExclusionInOr(*peeked_);
          if (group.first_negative == kNone) group.first_negative = t.begin;
          group.negatives.push_back(std::move(e));
          previous = Previous::kExclusion;
          break;
        }
        case TokenKind::kOpen:
        case TokenKind::kWord:
        case TokenKind::kPhrase: {
          Expr e;
          ECOUTE_RETURN_IF_ERROR(ParseChain(t, depth, is_positive, e));
          group.positives.push_back(std::move(e));
          previous = Previous::kTerm;
          break;
        }
      }
    }
  }

  Status MissingOperand(const Token& op) const {
    return Error(op.begin, Raw(op) + " needs a term on each side");
  }

  Status ExclusionInOr(const Token& op) const {
    return Error(op.begin,
                 "OR cannot take an exclusion; to exclude either of two terms, write "
                 "-(a OR b)");
  }

  // What follows "-" or NOT.
  Status ParseNegated(const Token& op, const Token& operand, int depth, Expr& out) {
    switch (operand.kind) {
      case TokenKind::kOpen:
      case TokenKind::kWord:
      case TokenKind::kPhrase:
        return ParseUnit(operand, depth, /*is_positive=*/false, out);
      case TokenKind::kFilter:
        ECOUTE_RETURN_IF_ERROR(CheckFilterKey(operand));
        return Error(op.begin, Raw(op) + (op.kind == TokenKind::kNot ? " " : "") + Raw(operand) +
                                   ": a filter cannot be excluded; give the values you want "
                                   "instead");
      default:
        return Error(op.begin,
                     (op.kind == TokenKind::kNot ? "NOT" : "\"-\"") +
                         std::string(" needs a word, phrase or group right after it, as in ") +
                         (op.kind == TokenKind::kNot ? "NOT remboursé" : "-remboursé"));
    }
  }

  // A unit and its alternatives: a OR b OR (c d).
  Status ParseChain(const Token& first, int depth, bool is_positive, Expr& out) {
    ECOUTE_RETURN_IF_ERROR(ParseUnit(first, depth, is_positive, out));
    std::string alternatives = Operand(out);
    bool is_chain = false;
    for (;;) {
      TokenKind next = TokenKind::kEnd;
      ECOUTE_RETURN_IF_ERROR(Peek(next));
      if (next != TokenKind::kOr) break;
      Token op;
      ECOUTE_RETURN_IF_ERROR(Next(op));
      Token t;
      ECOUTE_RETURN_IF_ERROR(Next(t));
      switch (t.kind) {
        case TokenKind::kOpen:
        case TokenKind::kWord:
        case TokenKind::kPhrase: {
          Expr e;
          ECOUTE_RETURN_IF_ERROR(ParseUnit(t, depth, is_positive, e));
          alternatives += " OR " + Operand(e);
          is_chain = true;
          break;
        }
        case TokenKind::kMinus:
        case TokenKind::kNot:
          return ExclusionInOr(op);
        case TokenKind::kFilter:
          ECOUTE_RETURN_IF_ERROR(CheckFilterKey(t));
          return Error(t.begin, Raw(t) +
                                    ": a filter cannot be an alternative of OR; filters apply "
                                    "to the whole query");
        default:
          return MissingOperand(op);
      }
    }
    if (is_chain) out = {std::move(alternatives), true};
    return OkStatus();
  }

  // A word, a phrase or a parenthesized group.
  Status ParseUnit(const Token& t, int depth, bool is_positive, Expr& out) {
    if (t.kind == TokenKind::kOpen) {
      if (depth >= kMaxSearchGroupDepth) {
        return Error(t.begin, "parentheses nested more than " +
                                  std::to_string(kMaxSearchGroupDepth) +
                                  " deep; simplify the query");
      }
      Group group;
      ECOUTE_RETURN_IF_ERROR(ParseSequence(depth + 1, t.begin, is_positive, group));
      if (group.positives.empty()) {
        if (group.negatives.empty()) {
          return Error(t.begin, "empty parentheses: put words inside or remove them");
        }
        return OnlyExclusions(group.first_negative);
      }
      out = Conjunction(group);
      return OkStatus();
    }
    if (!HasWordCodepoint(t.text)) {
      if (t.kind == TokenKind::kPhrase && SplitWords(t.text).empty()) {
        return Error(t.begin, "empty phrase: put words between the quotes");
      }
      // A phrase as written carries its quotes; a word gets some.
      const bool is_phrase = t.kind == TokenKind::kPhrase;
      std::string message = is_phrase ? "" : "\"";
      message += Raw(t);
      message += is_phrase ? "" : "\"";
      message += " has no letter or digit; remove it (the index holds only words)";
      return Error(t.begin, message);
    }
    const std::string text = CollapseSpace(t.text);
    out = {Fts5String(text) + (t.is_prefix ? " *" : ""), false};
    if (is_positive) {
      for (std::string_view word : SplitWords(text)) AddOnce(query_.words, std::string(word));
    }
    return OkStatus();
  }

  Status CheckFilterKey(const Token& t) const {
    const std::string key = ToLowerAscii(t.key);
    if (std::find(kFilterKeys.begin(), kFilterKeys.end(), key) != kFilterKeys.end()) {
      return OkStatus();
    }
    std::string known;
    for (std::string_view k : kFilterKeys) {
      if (!known.empty()) known += ", ";
      known += k;
    }
    return Error(t.begin,
                 "unknown filter \"" + std::string(t.key) + ":\"; known filters: " + known);
  }

  Status ApplyFilter(const Token& t) {
    const std::string key = ToLowerAscii(t.key);
    const std::string value = CollapseSpace(t.value);
    if (value.empty()) {
      static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kExamples = {{
          {"brand", "brand:\"Bouygues Telecom\""},
          {"stance", "stance:complaint"},
          {"topic", "topic:delivery"},
          {"lang", "lang:fr"},
          {"author", "author:@marie"},
          {"since", "since:2026-05-01 or since:7d"},
          {"until", "until:2026-05-31"},
          {"case", "case:42"},
      }};
      std::string_view example;
      for (const auto& [k, e] : kExamples) {
        if (k == key) example = e;
      }
      return Error(t.begin, std::string(t.key) + ": needs a value, as in " + std::string(example));
    }
    if (key == "brand") {
      AddOnce(query_.brands, value);
    } else if (key == "author") {
      AddOnce(query_.authors, value);
    } else if (key == "stance") {
      Stance stance;
      if (!ParseStance(ToLowerAscii(value), stance)) {
        return Error(t.begin, Raw(t) +
                                  ": unknown stance; use complaint, praise, resolution, question "
                                  "or neutral");
      }
      AddOnce(query_.stances, stance);
    } else if (key == "topic") {
      std::string name = ToLowerAscii(value);
      std::replace(name.begin(), name.end(), '-', '_');
      Topic topic;
      if (!ParseTopic(name, topic)) {
        std::vector<std::string_view> names;
        names.reserve(kTopicCount);
        for (int i = 0; i < kTopicCount; ++i) names.push_back(TopicName(static_cast<Topic>(i)));
        return Error(t.begin, Raw(t) + ": unknown topic; use " + ListWithOr(names));
      }
      AddOnce(query_.topics, topic);
    } else if (key == "lang") {
      const bool is_code = value.size() >= 2 && value.size() <= 3 &&
                           std::all_of(value.begin(), value.end(), IsAsciiLetter);
      if (!is_code) {
        return Error(t.begin, Raw(t) + ": not a language code; use ISO 639 letters, as in lang:fr");
      }
      AddOnce(query_.langs, ToLowerAscii(value));
    } else if (key == "since" || key == "until") {
      const bool is_until = key == "until";
      if ((is_until ? query_.until : query_.since).has_value()) {
        return Error(t.begin, key + ": given twice; keep one");
      }
      const std::optional<int64_t> time =
          ParseTimeBound(value, is_until ? TimeBound::kUntil : TimeBound::kSince, now_);
      if (!time) return Error(t.begin, Raw(t) + ": not a date; " + std::string(kTimeBoundForms));
      (is_until ? query_.until : query_.since) = time;
      (is_until ? until_at_ : since_at_) = t;
    } else {  // case
      if (query_.case_id) return Error(t.begin, "case: given twice; keep one");
      std::string_view digits = value;
      if (!digits.empty() && digits.front() == '#') digits.remove_prefix(1);
      int64_t id = 0;
      bool is_number = !digits.empty();
      for (char c : digits) {
        if (!IsDigit(c) || id > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) {
          is_number = false;
          break;
        }
        id = id * 10 + (c - '0');
      }
      if (!is_number || id == 0) {
        return Error(t.begin,
                     Raw(t) + ": not a case id; use a positive whole number, as in case:42");
      }
      query_.case_id = id;
    }
    return OkStatus();
  }

  std::string_view text_;
  int64_t now_;
  size_t pos_ = 0;
  std::optional<Token> peeked_;
  SearchQuery query_;
  Token since_at_;  // the filters that set since and until, for messages
  Token until_at_;
};

}  // namespace

Result<SearchQuery> ParseSearchQuery(std::string_view text, int64_t now) {
  return Parser(text, now).Parse();
}

}  // namespace ecoute

#include "sources/html_fragment.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <gumbo.h>

#include "sources/article.h"
#include "sources/html_elements.h"
#include "sources/html_text.h"
#include "util/utf8.h"

namespace ecoute::sources_internal {

namespace {

// The reasoning behind the equivalence with ReadHtmlPost (gumbo, then FindArticle and the
// page walk) is kept next to each rule below; in short:
// - The tree: only tags whose tree building is simple are accepted, and only where no
//   HTML parser recovery (adoption agency, reconstruction of formatting elements, foster
//   parenting, implied <p>) could run; anything else declines.
// - The article: with every paragraph a child of <body> and no other container scored,
//   FindArticle can only choose <body> itself (or nothing), so the text is the whole
//   fragment's, minus the containers CleanInside drops (short or link-heavy div/ul/ol),
//   which this path computes with the same measures.

enum class Tag : uint8_t {
  kBody,  // the fragment itself
  kA,
  kInline,  // formatting and phrasing elements: no layout, no special parsing
  kBr,
  kWbr,
  kImg,
  kP,
  kDiv,
  kBlockquote,
  kUl,
  kOl,
  kLi,
  kH1,
  kH2,
  kH3,
  kH4,
  kH5,
  kH6,
  kHr,
  kFigure,
  kFigcaption,
  kScript,
  kStyle,
  kUnknown,
};

// `b` lower-case.
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

struct TagName {
  std::string_view name;
  Tag tag;
  GumboTag element;  // its row in html_elements.h
};

// Most frequent first: looked up linearly.
constexpr TagName kTags[] = {
    {"a", Tag::kA, GUMBO_TAG_A},
    {"p", Tag::kP, GUMBO_TAG_P},
    {"br", Tag::kBr, GUMBO_TAG_BR},
    {"b", Tag::kInline, GUMBO_TAG_B},
    {"i", Tag::kInline, GUMBO_TAG_I},
    {"em", Tag::kInline, GUMBO_TAG_EM},
    {"strong", Tag::kInline, GUMBO_TAG_STRONG},
    {"span", Tag::kInline, GUMBO_TAG_SPAN},
    {"img", Tag::kImg, GUMBO_TAG_IMG},
    {"div", Tag::kDiv, GUMBO_TAG_DIV},
    {"li", Tag::kLi, GUMBO_TAG_LI},
    {"ul", Tag::kUl, GUMBO_TAG_UL},
    {"ol", Tag::kOl, GUMBO_TAG_OL},
    {"blockquote", Tag::kBlockquote, GUMBO_TAG_BLOCKQUOTE},
    {"h1", Tag::kH1, GUMBO_TAG_H1},
    {"h2", Tag::kH2, GUMBO_TAG_H2},
    {"h3", Tag::kH3, GUMBO_TAG_H3},
    {"h4", Tag::kH4, GUMBO_TAG_H4},
    {"h5", Tag::kH5, GUMBO_TAG_H5},
    {"h6", Tag::kH6, GUMBO_TAG_H6},
    {"hr", Tag::kHr, GUMBO_TAG_HR},
    {"figure", Tag::kFigure, GUMBO_TAG_FIGURE},
    {"figcaption", Tag::kFigcaption, GUMBO_TAG_FIGCAPTION},
    {"script", Tag::kScript, GUMBO_TAG_SCRIPT},
    {"style", Tag::kStyle, GUMBO_TAG_STYLE},
    {"wbr", Tag::kWbr, GUMBO_TAG_WBR},
    {"u", Tag::kInline, GUMBO_TAG_U},
    {"s", Tag::kInline, GUMBO_TAG_S},
    {"q", Tag::kInline, GUMBO_TAG_Q},
    {"small", Tag::kInline, GUMBO_TAG_SMALL},
    {"sub", Tag::kInline, GUMBO_TAG_SUB},
    {"sup", Tag::kInline, GUMBO_TAG_SUP},
    {"code", Tag::kInline, GUMBO_TAG_CODE},
    {"cite", Tag::kInline, GUMBO_TAG_CITE},
    {"abbr", Tag::kInline, GUMBO_TAG_ABBR},
    {"acronym", Tag::kInline, GUMBO_TAG_ACRONYM},
    {"big", Tag::kInline, GUMBO_TAG_BIG},
    {"tt", Tag::kInline, GUMBO_TAG_TT},
    {"font", Tag::kInline, GUMBO_TAG_FONT},
    {"strike", Tag::kInline, GUMBO_TAG_STRIKE},
    {"del", Tag::kInline, GUMBO_TAG_DEL},
    {"ins", Tag::kInline, GUMBO_TAG_INS},
    {"mark", Tag::kInline, GUMBO_TAG_MARK},
    {"kbd", Tag::kInline, GUMBO_TAG_KBD},
    {"samp", Tag::kInline, GUMBO_TAG_SAMP},
    {"var", Tag::kInline, GUMBO_TAG_VAR},
    {"dfn", Tag::kInline, GUMBO_TAG_DFN},
    {"time", Tag::kInline, GUMBO_TAG_TIME},
    {"data", Tag::kInline, GUMBO_TAG_DATA},
    {"bdi", Tag::kInline, GUMBO_TAG_BDI},
    {"bdo", Tag::kInline, GUMBO_TAG_BDO},
};

// The index of `lower` in kTags, or -1.
int TagIndex(std::string_view lower) {
  for (size_t i = 0; i < std::size(kTags); ++i) {
    if (kTags[i].name == lower) return static_cast<int>(i);
  }
  return -1;
}

// Each Tag's row in html_elements.h (kInline: any inline element's, all alike).
constexpr GumboTag kElementOfTag[] = {
    GUMBO_TAG_BODY,       GUMBO_TAG_A,      GUMBO_TAG_SPAN,  GUMBO_TAG_BR,         GUMBO_TAG_WBR,
    GUMBO_TAG_IMG,        GUMBO_TAG_P,      GUMBO_TAG_DIV,   GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_UL,
    GUMBO_TAG_OL,         GUMBO_TAG_LI,     GUMBO_TAG_H1,    GUMBO_TAG_H2,         GUMBO_TAG_H3,
    GUMBO_TAG_H4,         GUMBO_TAG_H5,     GUMBO_TAG_H6,    GUMBO_TAG_HR,         GUMBO_TAG_FIGURE,
    GUMBO_TAG_FIGCAPTION, GUMBO_TAG_SCRIPT, GUMBO_TAG_STYLE, GUMBO_TAG_UNKNOWN,
};
static_assert(std::size(kElementOfTag) == static_cast<size_t>(Tag::kUnknown) + 1);

// What the layout, the article extraction and the parser make of a tag: html_elements.h's
// row. (<body> is the fragment itself: its gap would fall at the ends of the text, where
// there is nothing to separate.)
constexpr const HtmlElement& ElementOf(Tag tag) {
  return HtmlElementOf(kElementOfTag[static_cast<size_t>(tag)]);
}

// Every name of kTags has its Tag's row, so that one Tag stands for all of them.
constexpr bool TagsMatchTheirRows() {
  for (const TagName& name : kTags) {
    if (!(HtmlElementOf(name.element) == ElementOf(name.tag))) return false;
  }
  return true;
}
static_assert(TagsMatchTheirRows());

bool IsHeading(Tag tag) { return tag >= Tag::kH1 && tag <= Tag::kH6; }

bool IsVoid(Tag tag) {
  return tag == Tag::kBr || tag == Tag::kWbr || tag == Tag::kImg || tag == Tag::kHr;
}

// The parser's "special" elements among ours (they stop the search for an open <li>).
bool IsSpecial(Tag tag) { return tag != Tag::kA && tag != Tag::kInline && tag != Tag::kUnknown; }

// Containers that the article cleaning may drop (article.cc's IsClutter, our tags).
bool IsClutterCandidate(Tag tag) { return tag == Tag::kDiv || tag == Tag::kUl || tag == Tag::kOl; }

void AppendUtf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// Named references this path decodes; any other makes it decline (the HTML standard's
// table has over 2,000, some without ';').
struct NamedReference {
  std::string_view name;
  uint32_t code_point;
};
constexpr NamedReference kNamedReferences[] = {
    {"amp", '&'},      {"lt", '<'},        {"gt", '>'},       {"quot", '"'},     {"apos", '\''},
    {"nbsp", 0xA0},    {"hellip", 0x2026}, {"rsquo", 0x2019}, {"lsquo", 0x2018}, {"ldquo", 0x201C},
    {"rdquo", 0x201D}, {"mdash", 0x2014},  {"ndash", 0x2013}, {"laquo", 0xAB},   {"raquo", 0xBB},
    {"eacute", 0xE9},  {"egrave", 0xE8},   {"ecirc", 0xEA},   {"agrave", 0xE0},  {"acirc", 0xE2},
    {"ccedil", 0xE7},  {"ocirc", 0xF4},    {"ucirc", 0xFB},   {"ugrave", 0xF9},  {"icirc", 0xEE},
    {"iuml", 0xEF},    {"euml", 0xEB},     {"euro", 0x20AC},  {"copy", 0xA9},    {"reg", 0xAE},
    {"trade", 0x2122}, {"middot", 0xB7},   {"bull", 0x2022},  {"deg", 0xB0},
};

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlnum(char c) { return IsAsciiAlpha(c) || IsAsciiDigit(c); }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes the reference at `s[i]` ('&') into `out`, advancing `i` past it. False when it is
// one this path does not decode.
bool DecodeReference(std::string_view s, size_t& i, std::string& out) {
  size_t j = i + 1;
  if (j >= s.size() || (!IsAsciiAlnum(s[j]) && s[j] != '#')) {
    out.push_back('&');  // not a reference: the ampersand is text
    i = j;
    return true;
  }
  if (s[j] == '#') {
    ++j;
    const bool is_hex = j < s.size() && (s[j] == 'x' || s[j] == 'X');
    if (is_hex) ++j;
    const size_t start = j;
    uint32_t value = 0;
    while (j < s.size() && j - start < 8) {
      const int digit = is_hex ? HexDigit(s[j]) : (IsAsciiDigit(s[j]) ? s[j] - '0' : -1);
      if (digit < 0) break;
      value = value * (is_hex ? 16 : 10) + static_cast<uint32_t>(digit);
      ++j;
    }
    if (j == start || j >= s.size() || s[j] != ';') return false;
    // Controls, surrogates, noncharacters and out-of-range values are replaced or
    // remapped by the parser: decline them.
    const bool is_plain = (value >= 0x20 && value < 0x7F) || value == '\t' || value == '\n' ||
                          (value >= 0xA0 && value < 0xD800) ||
                          (value >= 0xE000 && value < 0xFDD0) ||
                          (value > 0xFDEF && value <= 0x10FFFF && (value & 0xFFFE) != 0xFFFE);
    if (!is_plain) return false;
    AppendUtf8(value, out);
    i = j + 1;
    return true;
  }
  while (j < s.size() && IsAsciiAlnum(s[j])) ++j;
  if (j >= s.size() || s[j] != ';') return false;
  const std::string_view name = s.substr(i + 1, j - i - 1);
  for (const NamedReference& reference : kNamedReferences) {
    if (reference.name == name) {
      AppendUtf8(reference.code_point, out);
      i = j + 1;
      return true;
    }
  }
  return false;
}

// Appends `s` with its references decoded; false when one is not decodable here.
bool AppendDecoded(std::string_view s, std::string& out) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t amp = s.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(s, i, std::string_view::npos);
      return true;
    }
    out.append(s, i, amp - i);
    i = amp;
    if (!DecodeReference(s, i, out)) return false;
  }
  return true;
}

// One element or text node, in document order.
struct Node {
  bool is_text = false;
  Tag tag = Tag::kBody;
  int8_t name = -1;  // elements: index in kTags
  int parent = -1;
  int end = 0;  // elements: index of the last node of the subtree
  // Text nodes: their decoded text in Converter::texts_. <a>: its href.
  uint32_t text_begin = 0;
  uint32_t text_size = 0;
  bool has_href = false;
  // What article.cc measures of an element's subtree.
  uint32_t text = 0;
  uint32_t links = 0;
  uint32_t commas = 0;
  uint32_t own_text = 0;
  uint32_t own_commas = 0;
  uint32_t images = 0;
  bool has_block = false;
};

// Bounds under the HTML reader's LimitMarkup ones (nesting 512, attributes 128), so that
// it never rewrites what this path accepts.
constexpr size_t kMaxDepth = 256;
constexpr int kMaxAttributes = 64;

class Converter {
 public:
  explicit Converter(std::string_view html) : html_(html) {}

  bool Parse() {
    nodes_.reserve(64);
    nodes_.emplace_back();  // the body
    open_.push_back(0);
    size_t i = 0;
    const size_t n = html_.size();
    while (i < n) {
      const size_t lt = html_.find('<', i);
      const size_t text_end = lt == std::string_view::npos ? n : lt;
      if (text_end > i && !AddText(html_.substr(i, text_end - i))) return false;
      if (lt == std::string_view::npos) break;
      i = lt;
      if (i + 1 >= n) {  // a lone '<' at the end is text
        if (!AddText("<")) return false;
        break;
      }
      const char next = html_[i + 1];
      if (next == '!') {
        if (!SkipComment(i)) return false;
        continue;
      }
      if (next == '/') {
        if (i + 2 >= n || !IsAsciiAlpha(html_[i + 2])) return false;
        if (!EndTag(i)) return false;
        continue;
      }
      if (next == '?') return false;  // a bogus comment
      if (!IsAsciiAlpha(next)) {
        // Not a tag: '<' is text, and so is what follows up to the next '<'.
        const size_t more = html_.find('<', i + 1);
        const size_t end = more == std::string_view::npos ? n : more;
        if (!AddText(html_.substr(i, end - i))) return false;
        i = end;
        continue;
      }
      if (!StartTag(i)) return false;
    }
    FlushText();
    while (open_.size() > 1) Pop();
    return Close(0);
  }

  void Write(std::string& text, std::vector<std::string>& links) const {
    const Node& body = nodes_[0];
    bool is_article = false;
    if (body.text >= 140 && content_ > 0) {
      const double density = static_cast<double>(body.links) / body.text;
      is_article = content_ * (1 - density) > 0;
    }
    std::string out;
    out.reserve(html_.size());
    TextBuilder builder(out);
    std::vector<std::string> found;
    struct Frame {
      int end;
      Gap gap;
    };
    std::vector<Frame> frames;
    const int last = static_cast<int>(nodes_.size()) - 1;
    for (int k = 1; k <= last;) {
      while (!frames.empty() && frames.back().end < k) {
        builder.RequestGap(frames.back().gap);
        frames.pop_back();
      }
      const Node& node = nodes_[static_cast<size_t>(k)];
      if (node.is_text) {
        builder.AppendCollapsed(std::string_view(texts_).substr(node.text_begin, node.text_size));
        ++k;
        continue;
      }
      if (is_article && IsClutter(node)) {
        k = node.end + 1;
        continue;
      }
      if (node.tag == Tag::kA && node.has_href) {
        std::string_view href = std::string_view(texts_).substr(node.text_begin, node.text_size);
        while (!href.empty() && IsHtmlSpace(href.front())) href.remove_prefix(1);
        while (!href.empty() && IsHtmlSpace(href.back())) href.remove_suffix(1);
        const bool is_script =
            href.size() >= 11 && EqualsIgnoreAsciiCase(href.substr(0, 11), "javascript:");
        if (!href.empty() && href.front() != '#' && !is_script &&
            std::find(found.begin(), found.end(), href) == found.end()) {
          found.emplace_back(href);
        }
      }
      const Gap gap = ElementOf(node.tag).gap;
      builder.RequestGap(gap);
      frames.push_back({node.end, gap});
      ++k;
    }
    while (!frames.empty()) {
      builder.RequestGap(frames.back().gap);
      frames.pop_back();
    }
    builder.Finish();
    text = std::move(out);
    if (text.empty()) return;  // the HTML reader makes no post, so no links either
    for (std::string& link : found) links.push_back(std::move(link));
  }

 private:
  static bool IsClutter(const Node& node) {
    if (!IsClutterCandidate(node.tag)) return false;
    if (node.commas >= 10) return false;
    const double density = node.text == 0 ? 0 : static_cast<double>(node.links) / node.text;
    if (density > 0.25) return true;  // weight is 0 here: no class or id on these
    return node.text < 25 && node.images == 0;
  }

  int Top() const { return open_.back(); }
  Tag TopTag() const { return nodes_[static_cast<size_t>(Top())].tag; }

  bool AddText(std::string_view raw) {
    for (char c : raw) {
      const auto byte = static_cast<unsigned char>(c);
      // NUL and other controls: the parser and the binary check treat them specially.
      if ((byte < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || byte == 0x7F) {
        return false;
      }
    }
    pending_.append(raw);
    return true;
  }

  // Ends the current text node: the parser makes one per run of characters between tags.
  void FlushText() {
    if (pending_.empty()) return;
    Node node;
    node.is_text = true;
    node.parent = Top();
    node.text_begin = static_cast<uint32_t>(texts_.size());
    decoded_ok_ = decoded_ok_ && AppendDecoded(pending_, texts_);
    pending_.clear();
    node.text_size = static_cast<uint32_t>(texts_.size() - node.text_begin);
    uint32_t length = 0;
    uint32_t commas = 0;
    MeasureText(std::string_view(texts_).substr(node.text_begin, node.text_size), length, commas);
    Node& parent = nodes_[static_cast<size_t>(node.parent)];
    parent.own_text += length;
    parent.own_commas += commas;
    parent.text += length;
    parent.commas += commas;
    if (open_links_ > 0) parent.links += length;
    node.end = static_cast<int>(nodes_.size());
    nodes_.push_back(node);
  }

  bool SkipComment(size_t& i) {
    if (html_.substr(i, 4) != "<!--") return false;  // doctype, CDATA: bogus comments
    FlushText();
    const size_t body = i + 4;
    if (html_.substr(body, 1) == ">" || html_.substr(body, 2) == "->") return false;
    for (size_t j = body; (j = html_.find("--", j)) != std::string_view::npos; ++j) {
      if (html_.substr(j + 2, 1) == ">") {
        i = j + 3;
        return true;
      }
      if (html_.substr(j + 2, 2) == "!>") return false;
    }
    return false;  // unterminated: the rest would be a comment
  }

  // Reads the attributes of the tag whose name ends at `i`, up to its '>'.
  bool ReadAttributes(size_t& i, Tag tag, bool& has_href, std::string& href) {
    const size_t n = html_.size();
    int count = 0;
    bool is_clutter_candidate = IsClutterCandidate(tag);
    std::string names;              // class and id, for the furniture words
    std::vector<std::string> seen;  // attribute names so far
    while (true) {
      while (i < n && (IsHtmlSpace(html_[i]) || html_[i] == '/')) ++i;
      if (i >= n) return false;
      if (html_[i] == '>') {
        ++i;
        break;
      }
      if (++count > kMaxAttributes) return false;
      const size_t name_start = i;
      while (i < n && !IsHtmlSpace(html_[i]) && html_[i] != '/' && html_[i] != '>' &&
             html_[i] != '=') {
        const char c = html_[i];
        if (c == '"' || c == '\'' || c == '<') return false;
        ++i;
      }
      if (i == name_start) return false;  // '=' opening a name
      std::string name(html_.substr(name_start, i - name_start));
      for (char& c : name) c = Lower(c);
      while (i < n && IsHtmlSpace(html_[i])) ++i;
      std::string_view raw_value;
      if (i < n && html_[i] == '=') {
        ++i;
        while (i < n && IsHtmlSpace(html_[i])) ++i;
        if (i >= n) return false;
        if (html_[i] == '"' || html_[i] == '\'') {
          const size_t close = html_.find(html_[i], i + 1);
          if (close == std::string_view::npos) return false;
          raw_value = html_.substr(i + 1, close - i - 1);
          i = close + 1;
        } else {
          const size_t start = i;
          while (i < n && !IsHtmlSpace(html_[i]) && html_[i] != '>') {
            const char c = html_[i];
            if (c == '"' || c == '\'' || c == '<' || c == '=' || c == '`') return false;
            ++i;
          }
          raw_value = html_.substr(start, i - start);
        }
      }
      // A name given twice: the HTML parser keeps the first, but after a repeated name
      // without a value it loses the attributes that follow. Not modelled.
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) return false;
      seen.push_back(name);
      for (char c : raw_value) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 && c != '\t' && c != '\n' && c != '\f') return false;
        if (byte == 0x7F) return false;
      }
      // What the article extraction and the page walk read from attributes.
      if (name == "hidden" || name == "role") return false;
      if (name == "class" || name == "id") {
        if (is_clutter_candidate) return false;
        if (tag != Tag::kA) {
          names += ' ';
          for (char c : raw_value) names.push_back(Lower(c));
        }
      } else if ((name == "itemprop" || name == "itemtype") && is_clutter_candidate) {
        return false;
      } else if (name == "aria-hidden") {
        std::string value(raw_value);
        for (char& c : value) c = Lower(c);
        if (value == "true") return false;
      } else if (name == "style") {
        std::string compact;
        for (char c : raw_value) {
          if (!IsHtmlSpace(c)) compact.push_back(Lower(c));
        }
        // Entities could spell the words out: be conservative.
        if (compact.find("none") != std::string::npos ||
            compact.find("hidden") != std::string::npos || compact.find('&') != std::string::npos) {
          return false;
        }
      } else if (name == "href" && tag == Tag::kA) {
        has_href = true;
        href.clear();
        if (!AppendDecoded(raw_value, href)) return false;
      }
    }
    return names.empty() || !LooksLikeFurniture(names);
  }

  // The tag whose name starts at `start` (after "<" or "</"): its index in kTags, or -1 for
  // a tag this path does not model; `name_end` is set past the name.
  int ReadTagName(size_t start, size_t& name_end) const {
    const size_t n = html_.size();
    name_end = start;
    while (name_end < n && !IsHtmlSpace(html_[name_end]) && html_[name_end] != '/' &&
           html_[name_end] != '>') {
      ++name_end;
    }
    std::string lower(html_.substr(start, name_end - start));
    for (char& c : lower) c = Lower(c);
    return TagIndex(lower);
  }

  bool StartTag(size_t& i) {
    size_t name_end = 0;
    const int name = ReadTagName(i + 1, name_end);
    if (name < 0) return false;
    const Tag tag = kTags[name].tag;
    size_t j = name_end;
    bool has_href = false;
    std::string href;
    if (!ReadAttributes(j, tag, has_href, href)) return false;
    FlushText();
    i = j;
    if (tag == Tag::kScript || tag == Tag::kStyle) return SkipRawText(i, kTags[name].name);

    if (tag == Tag::kLi) {
      // An open <li> is closed, with the <p> inside it, unless another container or a
      // formatting element stands between.
      for (size_t k = open_.size(); k-- > 1;) {
        const Tag open = nodes_[static_cast<size_t>(open_[k])].tag;
        if (open == Tag::kLi) {
          while (TopTag() == Tag::kP) Pop();
          if (TopTag() != Tag::kLi) return false;
          Pop();
          break;
        }
        if (open == Tag::kP || open == Tag::kDiv) continue;
        if (IsSpecial(open)) break;
        return false;  // inline: the parser would reconstruct it in the new item
      }
    }
    if (ElementOf(tag).closes_p) {
      if (TopTag() == Tag::kP) Pop();
      for (int k : open_) {
        if (nodes_[static_cast<size_t>(k)].tag == Tag::kP) return false;  // under inline
      }
    }
    if (IsHeading(tag) && IsHeading(TopTag())) return false;
    if (tag == Tag::kA) {
      for (int k : open_) {
        if (nodes_[static_cast<size_t>(k)].tag == Tag::kA) return false;  // adoption agency
      }
    }
    if (tag == Tag::kImg) {
      ++nodes_[static_cast<size_t>(Top())].images;
      return true;  // not an element the article extraction counts, and it has no text
    }
    Node node;
    node.tag = tag;
    node.name = static_cast<int8_t>(name);
    node.parent = Top();
    if (has_href) {
      node.has_href = true;
      node.text_begin = static_cast<uint32_t>(texts_.size());
      texts_ += href;
      node.text_size = static_cast<uint32_t>(href.size());
    }
    node.end = static_cast<int>(nodes_.size());
    nodes_.push_back(node);
    const int index = static_cast<int>(nodes_.size()) - 1;
    if (IsVoid(tag)) return Close(index);
    if (open_.size() >= kMaxDepth) return false;
    open_.push_back(index);
    if (tag == Tag::kA) ++open_links_;
    return true;
  }

  // <script> and <style>: skipped to their end tag.
  bool SkipRawText(size_t& i, std::string_view name) {
    const size_t n = html_.size();
    for (size_t j = i; (j = html_.find("</", j)) != std::string_view::npos; j += 2) {
      const size_t name_end = j + 2 + name.size();
      if (name_end > n || !EqualsIgnoreAsciiCase(html_.substr(j + 2, name.size()), name)) {
        continue;
      }
      if (name_end < n && !IsHtmlSpace(html_[name_end]) && html_[name_end] != '/' &&
          html_[name_end] != '>') {
        continue;
      }
      // Script data has escape states ("<!--" ... "<script>") that this path does not follow.
      if (name == "script" && html_.substr(i, j - i).find("<!--") != std::string_view::npos) {
        return false;
      }
      size_t k = name_end;
      while (k < n && IsHtmlSpace(html_[k])) ++k;
      if (k >= n || html_[k] != '>') return false;
      i = k + 1;
      return true;
    }
    return false;  // unterminated: the rest is its text
  }

  bool EndTag(size_t& i) {
    const size_t n = html_.size();
    size_t name_end = 0;
    const int name = ReadTagName(i + 2, name_end);
    if (name < 0) return false;
    const Tag tag = kTags[name].tag;
    // Only "</name>" with maybe spaces: attributes on end tags are rare and odd.
    size_t j = name_end;
    while (j < n && IsHtmlSpace(html_[j])) ++j;
    if (j >= n || html_[j] != '>') return false;
    if (tag == Tag::kScript || tag == Tag::kStyle || IsVoid(tag)) return false;
    FlushText();
    i = j + 1;
    if (tag == Tag::kA || tag == Tag::kInline) {
      // Must close the current element: otherwise formatting elements get adopted.
      if (open_.size() <= 1 || nodes_[static_cast<size_t>(Top())].name != name) return false;
      Pop();
      return true;
    }
    // Blocks: the parser first closes the elements with implied end tags (<p>, and <li>
    // but for </li>); </p> closes the current <p> only.
    if (tag != Tag::kP) {
      while (open_.size() > 1 && TopTag() != tag &&
             (TopTag() == Tag::kP || (TopTag() == Tag::kLi && tag != Tag::kLi))) {
        Pop();
      }
    }
    if (open_.size() <= 1 || nodes_[static_cast<size_t>(Top())].name != name) return false;
    Pop();
    return true;
  }

  void Pop() {
    const int index = open_.back();
    open_.pop_back();
    if (nodes_[static_cast<size_t>(index)].tag == Tag::kA) --open_links_;
    Close(index);
  }

  // Completes an element's measures and hands them to its parent (article.cc's
  // Accumulate), declining what would make FindArticle choose anything but the body.
  bool Close(int index) {
    Node& node = nodes_[static_cast<size_t>(index)];
    node.end = static_cast<int>(nodes_.size()) - 1;
    const ParagraphRole role = ElementOf(node.tag).paragraph;
    const bool is_paragraph = role == ParagraphRole::kAlways ||
                              (role == ParagraphRole::kWithoutBlocks && !node.has_block);
    if (index != 0) {
      Node& parent = nodes_[static_cast<size_t>(node.parent)];
      parent.text += node.text;
      parent.links += node.links;
      parent.commas += node.commas;
      parent.images += node.images;
      if (ElementOf(node.tag).is_block || node.has_block) parent.has_block = true;
      if (is_paragraph) {
        if (node.text >= 25) {
          if (node.parent != 0) ok_ = false;  // another container would be scored
          content_ += 1.0 + node.commas + std::min(node.text / 100.0, 3.0);
        }
      } else if (node.has_block && node.own_text >= 25) {
        ok_ = false;
      }
    } else if (node.has_block && node.own_text >= 25) {
      content_ += 1.0 + node.own_commas + std::min(node.own_text / 100.0, 3.0);
    }
    return ok_;
  }

 public:
  bool ok() const { return ok_ && decoded_ok_; }

 private:
  std::string_view html_;
  std::vector<Node> nodes_;
  std::vector<int> open_;  // indices of the open elements, the body first
  std::string texts_;      // decoded text of the text nodes, hrefs
  std::string pending_;    // raw text of the node being read
  int open_links_ = 0;
  double content_ = 0;  // the body's paragraph score
  bool ok_ = true;
  bool decoded_ok_ = true;
};

}  // namespace

namespace {

// NUL, control characters (C0 but tab, line feed, form feed and carriage return; DEL; C1)
// and noncharacters: the HTML parser drops them or turns them into U+FFFD, depending on
// where they stand. Valid UTF-8 is assumed.
bool HasCharactersTheParserRewrites(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20) {
      if (c != '\t' && c != '\n' && c != '\f' && c != '\r') return true;
    } else if (c == 0x7F) {
      return true;
    } else if (c == 0xC2 && i + 1 < s.size()) {
      if (static_cast<unsigned char>(s[i + 1]) < 0xA0) return true;  // U+0080..U+009F
    } else if (c == 0xEF && i + 2 < s.size()) {
      const auto b1 = static_cast<unsigned char>(s[i + 1]);
      const auto b2 = static_cast<unsigned char>(s[i + 2]);
      if ((b1 == 0xB7 && b2 >= 0x90 && b2 <= 0xAF) || (b1 == 0xBF && b2 >= 0xBE)) return true;
    } else if (c >= 0xF0 && i + 3 < s.size()) {
      const auto b2 = static_cast<unsigned char>(s[i + 2]);
      const auto b3 = static_cast<unsigned char>(s[i + 3]);
      if ((static_cast<unsigned char>(s[i + 1]) & 0x0F) == 0x0F && b2 == 0xBF && b3 >= 0xBE) {
        return true;  // U+xFFFE, U+xFFFF
      }
    }
  }
  return false;
}

}  // namespace

bool FragmentToText(std::string_view html, std::string& text, std::vector<std::string>& links) {
  // What the HTML reader's input check would reject or repair.
  if (html.substr(0, 3) == "\xEF\xBB\xBF" || !IsValidUtf8(html)) return false;
  if (HasCharactersTheParserRewrites(html)) return false;
  Converter converter(html);
  if (!converter.Parse() || !converter.ok()) return false;
  converter.Write(text, links);
  return true;
}

}  // namespace ecoute::sources_internal

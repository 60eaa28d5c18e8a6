#include "sources/feed/xml_text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libxml/tree.h>

#include "util/utf8.h"

namespace ecoute::feeds {

namespace {

constexpr std::string_view kSvgNs = "http://www.w3.org/2000/svg";
constexpr std::string_view kMathMlNs = "http://www.w3.org/1998/Math/MathML";
constexpr std::string_view kXlinkNs = "http://www.w3.org/1999/xlink";

struct NamespacePrefix {
  std::string_view uri;
  std::string_view prefix;
};

// "" is the feed format's own vocabulary.
constexpr NamespacePrefix kNamespaces[] = {
    {"http://www.w3.org/2005/atom", ""},
    {"http://purl.org/atom/ns#", ""},
    {"http://purl.org/rss/1.0/", ""},
    {"http://my.netscape.com/rdf/simple/0.9/", ""},
    {"http://backend.userland.com/rss", ""},
    {"http://backend.userland.com/rss2", ""},
    {"http://blogs.law.harvard.edu/tech/rss", ""},
    {"http://purl.org/net/rss1.1#", ""},
    {"http://purl.org/dc/elements/1.1/", "dc"},
    {"http://purl.org/dc/elements/1.0/", "dc"},
    {"http://purl.org/dc/terms/", "dcterms"},
    {"http://purl.org/rss/1.0/modules/content/", "content"},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes"},
    {"http://example.com/dtds/podcast-1.0.dtd", "itunes"},
    {"http://search.yahoo.com/mrss/", "media"},
    {"http://search.yahoo.com/mrss", "media"},
    {"http://purl.org/rss/1.0/modules/slash/", "slash"},
    {"http://wellformedweb.org/commentapi/", "wfw"},
    {"http://purl.org/syndication/thread/1.0", "thr"},
    {"http://backend.userland.com/creativecommonsrssmodule", "creativecommons"},
    {"http://web.resource.org/cc/", "cc"},
    {"http://creativecommons.org/ns#license", "cc"},
    {"http://www.w3.org/1999/xhtml", "xhtml"},
    {"http://webns.net/mvcb/", "admin"},
    {"http://podlove.org/simple-chapters", "psc"},
    {"http://rssnamespace.org/feedburner/ext/1.0", "feedburner"},
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf"},
    {"http://purl.org/rss/1.0/modules/syndication/", "sy"},
    {"http://purl.org/rss/1.0/modules/taxonomy/", "taxo"},
    {"http://www.georss.org/georss", "georss"},
    {"http://www.google.com/schemas/reader/atom/", "gr"},
    {"http://www.w3.org/xml/1998/namespace", "xml"},
};

constexpr int kMaxEntityDepth = 8;
constexpr size_t kMaxEntityText = 1 << 20;

}  // namespace

std::string PrefixOf(const xmlNode* node) {
  if (node->ns == nullptr || node->ns->href == nullptr) return "";
  // The known URIs are lower case: compared folded, without a copy.
  const std::string_view uri = Trim(AsView(node->ns->href));
  for (const NamespacePrefix& known : kNamespaces) {
    if (uri.size() == known.uri.size() &&
        std::equal(uri.begin(), uri.end(), known.uri.begin(),
                   [](char a, char b) { return ToLowerAscii(a) == b; })) {
      return std::string(known.prefix);
    }
  }
  return ToLower(AsView(node->ns->prefix));
}

std::string QualifiedName(const xmlNode* node) {
  const std::string prefix = PrefixOf(node);
  const std::string local = ToLower(AsView(node->name));
  return prefix.empty() ? local : prefix + ":" + local;
}

void AppendText(const xmlNode* node, std::string& out, int depth) {
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    switch (child->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        out += AsView(child->content);
        break;
      case XML_ENTITY_REF_NODE:
      case XML_ENTITY_DECL:
        // Bounded in depth and in size: nested entities must not blow up ("billion laughs").
        if (depth < kMaxEntityDepth && out.size() < kMaxEntityText) {
          AppendText(child, out, depth + 1);
        }
        break;
      case XML_ELEMENT_NODE:
        AppendText(child, out, depth);
        break;
      default:
        break;
    }
  }
}

std::string TextOf(const xmlNode* node) {
  std::string out;
  AppendText(node, out);
  return out;
}

bool HasElementChild(const xmlNode* node) {
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE) return true;
  }
  return false;
}

std::string Attribute(const xmlNode* node, const char* name) {
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (AsView(attr->name) == name) {
      std::string value;
      for (const xmlNode* child = attr->children; child != nullptr; child = child->next) {
        if (child->type == XML_TEXT_NODE) value += AsView(child->content);
        if (child->type == XML_ENTITY_REF_NODE) AppendText(child, value, 1);
      }
      return value;
    }
  }
  return "";
}

bool HasAttribute(const xmlNode* node, const char* name) {
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (AsView(attr->name) == name) return true;
  }
  return false;
}

std::optional<std::string> XmlAttribute(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetNsProp(node, AsXml(name), XML_XML_NAMESPACE);
  if (value == nullptr) return std::nullopt;
  std::string out(AsView(value));
  xmlFree(value);
  return out;
}

bool IsVoidElement(std::string_view name) {
  static constexpr std::string_view kVoid[] = {"area",  "base",   "br",    "col",  "embed",
                                               "hr",    "img",    "input", "link", "meta",
                                               "param", "source", "track", "wbr"};
  return std::find(std::begin(kVoid), std::end(kVoid), name) != std::end(kVoid);
}

namespace {

void AppendMarkup(const xmlNode* node, std::string& out, int depth);

// The element's name as written: the prefix kept but for the HTML vocabularies.
std::string MarkupName(const xmlNode* element) {
  const std::string_view href = element->ns != nullptr ? AsView(element->ns->href) : "";
  const bool is_html_vocabulary =
      href.empty() || href == kXhtmlNs || href == kSvgNs || href == kMathMlNs;
  std::string name;
  if (!is_html_vocabulary && element->ns->prefix != nullptr) {
    name = std::string(AsView(element->ns->prefix)) + ":";
  }
  name += AsView(element->name);
  return name;
}

// The element's attributes as written, sorted, with the namespace declarations it needs:
// SVG and MathML keep their namespace on their outermost element, XLink on the elements
// that use it.
std::vector<std::pair<std::string, std::string>> MarkupAttributes(const xmlNode* element) {
  const std::string_view href = element->ns != nullptr ? AsView(element->ns->href) : "";
  const std::string_view parent_href = element->parent != nullptr &&
                                               element->parent->type == XML_ELEMENT_NODE &&
                                               element->parent->ns != nullptr
                                           ? AsView(element->parent->ns->href)
                                           : "";
  const bool is_foreign = (href == kSvgNs || href == kMathMlNs) && parent_href != href;
  std::vector<std::pair<std::string, std::string>> attributes;
  if (is_foreign) attributes.emplace_back("xmlns", std::string(href));
  bool uses_xlink = false;
  for (const xmlAttr* attr = element->properties; attr != nullptr; attr = attr->next) {
    if (attr->ns != nullptr && AsView(attr->ns->href) == kXlinkNs) uses_xlink = true;
  }
  if (uses_xlink) attributes.emplace_back("xmlns:xlink", std::string(kXlinkNs));
  for (const xmlAttr* attr = element->properties; attr != nullptr; attr = attr->next) {
    std::string attr_name;
    if (attr->ns != nullptr && attr->ns->prefix != nullptr) {
      attr_name = std::string(AsView(attr->ns->prefix)) + ":";
    }
    attr_name += AsView(attr->name);
    std::string value;
    for (const xmlNode* v = attr->children; v != nullptr; v = v->next) {
      if (v->type == XML_TEXT_NODE) value += AsView(v->content);
    }
    attributes.emplace_back(std::move(attr_name), std::move(value));
  }
  std::sort(attributes.begin(), attributes.end());
  return attributes;
}

void AppendMarkupElement(const xmlNode* element, std::string& out, int depth) {
  const std::string name = MarkupName(element);
  out.push_back('<');
  out += name;
  for (const auto& [attr_name, value] : MarkupAttributes(element)) {
    out.push_back(' ');
    out += attr_name;
    out += "=\"";
    AppendEscaped(value, XmlEscaping::kMarkupAttribute, out);
    out.push_back('"');
  }
  if (element->children == nullptr && IsVoidElement(ToLower(name))) {
    out += " />";
    return;
  }
  out.push_back('>');
  if (depth < 256) AppendMarkup(element, out, depth + 1);
  out += "</";
  out += name;
  out.push_back('>');
}

void AppendMarkup(const xmlNode* node, std::string& out, int depth) {
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    switch (child->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        AppendEscaped(AsView(child->content), XmlEscaping::kMarkupText, out);
        break;
      case XML_ENTITY_REF_NODE: {
        std::string text;
        if (depth < kMaxEntityDepth) AppendText(child, text, 1);
        AppendEscaped(text, XmlEscaping::kMarkupText, out);
        break;
      }
      case XML_ELEMENT_NODE:
        AppendMarkupElement(child, out, depth);
        break;
      default:
        break;
    }
  }
}

}  // namespace

std::string MarkupOf(const xmlNode* node) {
  std::string out;
  AppendMarkup(node, out, 0);
  return out;
}

size_t ReferenceLength(std::string_view s, size_t i) {
  size_t j = i + 1;
  if (j < s.size() && s[j] == '#') {
    ++j;
    const bool is_hex = j < s.size() && (s[j] == 'x' || s[j] == 'X');
    if (is_hex) ++j;
    const size_t start = j;
    while (j < s.size() &&
           (is_hex ? (IsAsciiAlnum(s[j]) && std::isxdigit(static_cast<unsigned char>(s[j])))
                   : (s[j] >= '0' && s[j] <= '9'))) {
      ++j;
    }
    if (j == start) return 0;
  } else {
    if (j >= s.size() || !IsAsciiAlpha(s[j])) return 0;
    while (j < s.size() && IsAsciiAlnum(s[j])) ++j;
  }
  return j < s.size() && s[j] == ';' ? j + 1 - i : 0;
}

namespace {

// True when `bytes` declares an encoding in its XML declaration or starts with a BOM.
bool DeclaresEncoding(std::string_view bytes) {
  if (StartsWith(bytes, "\xEF\xBB\xBF") || StartsWith(bytes, "\xFE\xFF") ||
      StartsWith(bytes, "\xFF\xFE")) {
    return true;
  }
  if (!StartsWith(bytes, "<?xml")) return false;
  const size_t end = bytes.find("?>");
  const std::string_view declaration = bytes.substr(0, end);
  return declaration.find("encoding") != std::string_view::npos;
}

}  // namespace

const char* FallbackEncoding(std::string_view bytes) {
  if (!DeclaresEncoding(bytes) && !IsValidUtf8(bytes)) return "windows-1252";
  return nullptr;
}

namespace {

// The escaper's table: per XmlEscaping, per byte, what AppendEscaped does with it.
enum EscapeAction : uint8_t {
  kCopy,       // written as is
  kReference,  // written as its reference ("&amp;"...)
  kAmpersand,  // '&' kept when a reference starts there, else "&amp;"
  kFail,       // not writable: AppendEscaped returns false
};

struct EscapingRule {
  std::string_view escaped;  // the bytes written as references
  bool keeps_references;
  bool is_ascii_only;
};

// Indexed by XmlEscaping; see its comments.
constexpr EscapingRule kEscapingRules[] = {
    {"&<>", false, false},         // kMarkupText
    {"&<>\"", false, false},       // kMarkupAttribute
    {"&<>\r", false, false},       // kDumpText
    {"&<>\"\n\r\t", false, true},  // kDumpAttribute
    {"&", true, false},            // kHtmlText
    {"&<>\"", true, false},        // kHtmlAttribute
};

constexpr size_t kEscapingCount = std::size(kEscapingRules);
static_assert(kEscapingCount == static_cast<size_t>(XmlEscaping::kHtmlAttribute) + 1);

constexpr auto kEscapeActions = [] {
  std::array<std::array<EscapeAction, 256>, kEscapingCount> table{};
  for (size_t rule = 0; rule < kEscapingCount; ++rule) {
    const EscapingRule& r = kEscapingRules[rule];
    if (r.is_ascii_only) {
      for (size_t byte = 0x80; byte < 256; ++byte) table[rule][byte] = kFail;
    }
    for (char c : r.escaped) {
      table[rule][static_cast<unsigned char>(c)] =
          c == '&' && r.keeps_references ? kAmpersand : kReference;
    }
  }
  return table;
}();

std::string_view ReferenceOf(char c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\n':
      return "&#10;";
    case '\r':
      return "&#13;";
    default:
      return "&#9;";
  }
}

}  // namespace

bool AppendEscaped(std::string_view text, XmlEscaping escaping, std::string& out) {
  const std::array<EscapeAction, 256>& actions = kEscapeActions[static_cast<size_t>(escaping)];
  const char* data = text.data();
  const size_t size = text.size();
  size_t start = 0;  // `text` is written up to here
  for (size_t i = 0; i < size; ++i) {
    const EscapeAction action = actions[static_cast<unsigned char>(data[i])];
    if (action == kCopy) continue;
    out.append(data + start, i - start);
    start = i + 1;
    if (action == kFail) return false;
    if (action == kAmpersand) {
      const size_t length = ReferenceLength(text, i);
      if (length > 0) {
        const size_t first = out.size();
        out.append(data + i, length);
        if (out[first + 1] == '#' && length > 2 && out[first + 2] == 'X') out[first + 2] = 'x';
        i += length - 1;
        start = i + 1;
        continue;
      }
    }
    out += ReferenceOf(data[i]);
  }
  out.append(data + start, size - start);
  return true;
}

}  // namespace ecoute::feeds

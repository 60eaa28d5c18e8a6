#include "sources/feed_reader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlreader.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "sources/html_fragment.h"
#include "util/datetime.h"
#include "util/json.h"
#include "util/utf8.h"

namespace ecoute {
namespace feeds {

FeedValue FeedValue::String(std::string value) {
  FeedValue v;
  v.kind = Kind::kString;
  v.string = std::move(value);
  return v;
}

FeedValue FeedValue::Int(int64_t value) {
  FeedValue v;
  v.kind = Kind::kInt;
  v.integer = value;
  return v;
}

FeedValue FeedValue::Bool(bool value) {
  FeedValue v;
  v.kind = Kind::kBool;
  v.boolean = value;
  return v;
}

FeedValue FeedValue::Object() {
  FeedValue v;
  v.kind = Kind::kObject;
  return v;
}

FeedValue FeedValue::List() {
  FeedValue v;
  v.kind = Kind::kList;
  return v;
}

const FeedValue* FeedValue::Find(std::string_view key) const {
  if (kind != Kind::kObject) return nullptr;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return &items[i];
  }
  return nullptr;
}

FeedValue* FeedValue::Find(std::string_view key) {
  return const_cast<FeedValue*>(static_cast<const FeedValue*>(this)->Find(key));
}

std::string_view FeedValue::StringAt(std::string_view key) const {
  const FeedValue* v = Find(key);
  return v != nullptr && v->kind == Kind::kString ? std::string_view(v->string)
                                                  : std::string_view();
}

FeedValue& FeedValue::operator[](std::string_view key) {
  if (kind != Kind::kObject) *this = Object();
  if (FeedValue* v = Find(key)) return *v;
  if (keys.empty()) {
    // Most objects get a handful of keys: skip the growth from one.
    keys.reserve(4);
    items.reserve(4);
  }
  keys.emplace_back(key);
  items.emplace_back();
  return items.back();
}

void AppendFeedValueJson(const FeedValue& value, std::string& out) {
  switch (value.kind) {
    case FeedValue::Kind::kNull:
      out += "null";
      return;
    case FeedValue::Kind::kString:
      AppendJsonString(value.string, out);
      return;
    case FeedValue::Kind::kInt:
      out += std::to_string(value.integer);
      return;
    case FeedValue::Kind::kBool:
      out += value.boolean ? "true" : "false";
      return;
    case FeedValue::Kind::kObject:
      out.push_back('{');
      for (size_t i = 0; i < value.keys.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendJsonString(value.keys[i], out);
        out.push_back(':');
        AppendFeedValueJson(value.items[i], out);
      }
      out.push_back('}');
      return;
    case FeedValue::Kind::kList:
      out.push_back('[');
      for (size_t i = 0; i < value.items.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendFeedValueJson(value.items[i], out);
      }
      out.push_back(']');
      return;
  }
}

namespace {

// ---------------------------------------------------------------------------------------
// Small string helpers.

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsXmlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsXmlSpace(s.back())) s.remove_suffix(1);
  return s;
}

char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLowerAscii(c);
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

std::string_view AsView(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

const xmlChar* AsXml(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

// ---------------------------------------------------------------------------------------
// Namespaces: each known namespace URI maps to the prefix feedparser gives its fields.

constexpr std::string_view kAtom10Ns = "http://www.w3.org/2005/Atom";
constexpr std::string_view kAtom03Ns = "http://purl.org/atom/ns#";
constexpr std::string_view kRss090Ns = "http://my.netscape.com/rdf/simple/0.9/";
constexpr std::string_view kXhtmlNs = "http://www.w3.org/1999/xhtml";
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

// The prefix of the field names of `node`'s namespace.
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

// "title", "dc:title", "itunes:block": the element's name as the handlers know it.
std::string QualifiedName(const xmlNode* node) {
  const std::string prefix = PrefixOf(node);
  const std::string local = ToLower(AsView(node->name));
  return prefix.empty() ? local : prefix + ":" + local;
}

// ---------------------------------------------------------------------------------------
// Text and markup of elements.

constexpr int kMaxEntityDepth = 8;
constexpr size_t kMaxEntityText = 1 << 20;

// The character data under `node`, entity references expanded (internal entities only:
// nothing external is ever loaded).
void AppendText(const xmlNode* node, std::string& out, int depth = 0) {
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

// An xml: attribute (xml:lang, xml:base).
std::optional<std::string> XmlAttribute(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetNsProp(node, AsXml(name), XML_XML_NAMESPACE);
  if (value == nullptr) return std::nullopt;
  std::string out(AsView(value));
  xmlFree(value);
  return out;
}

void AppendEscaped(std::string_view s, bool is_attribute, std::string& out) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        if (is_attribute) {
          out += "&quot;";
        } else {
          out.push_back(c);
        }
        break;
      default:
        out.push_back(c);
    }
  }
}

bool IsVoidElement(std::string_view name) {
  static constexpr std::string_view kVoid[] = {"area",  "base",   "br",    "col",  "embed",
                                               "hr",    "img",    "input", "link", "meta",
                                               "param", "source", "track", "wbr"};
  return std::find(std::begin(kVoid), std::end(kVoid), name) != std::end(kVoid);
}

// Inline markup re-serialized as HTML source: elements by their written name, text and
// attributes escaped, void elements self-closed ("<br />"), namespace declarations dropped
// but for a foreign root (MathML, SVG) that needs its xmlns.
void AppendMarkup(const xmlNode* node, std::string& out, int depth = 0) {
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    switch (child->type) {
      case XML_TEXT_NODE:
      case XML_CDATA_SECTION_NODE:
        AppendEscaped(AsView(child->content), false, out);
        break;
      case XML_ENTITY_REF_NODE: {
        std::string text;
        if (depth < kMaxEntityDepth) AppendText(child, text, 1);
        AppendEscaped(text, false, out);
        break;
      }
      case XML_ELEMENT_NODE: {
        const std::string_view href = child->ns != nullptr ? AsView(child->ns->href) : "";
        const bool is_html_vocabulary =
            href.empty() || href == kXhtmlNs || href == kSvgNs || href == kMathMlNs;
        std::string name;
        if (!is_html_vocabulary && child->ns->prefix != nullptr) {
          name = std::string(AsView(child->ns->prefix)) + ":";
        }
        name += AsView(child->name);
        out.push_back('<');
        out += name;
        // SVG and MathML keep their namespace on their outermost element, XLink on the
        // elements that use it.
        const std::string_view parent_href = child->parent != nullptr &&
                                                     child->parent->type == XML_ELEMENT_NODE &&
                                                     child->parent->ns != nullptr
                                                 ? AsView(child->parent->ns->href)
                                                 : "";
        const bool is_foreign = (href == kSvgNs || href == kMathMlNs) && parent_href != href;
        std::vector<std::pair<std::string, std::string>> attributes;
        if (is_foreign) attributes.emplace_back("xmlns", std::string(href));
        bool uses_xlink = false;
        for (const xmlAttr* attr = child->properties; attr != nullptr; attr = attr->next) {
          if (attr->ns != nullptr && AsView(attr->ns->href) == kXlinkNs) uses_xlink = true;
        }
        if (uses_xlink) attributes.emplace_back("xmlns:xlink", std::string(kXlinkNs));
        for (const xmlAttr* attr = child->properties; attr != nullptr; attr = attr->next) {
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
        for (const auto& [attr_name, value] : attributes) {
          out.push_back(' ');
          out += attr_name;
          out += "=\"";
          AppendEscaped(value, true, out);
          out.push_back('"');
        }
        if (child->children == nullptr && IsVoidElement(ToLower(name))) {
          out += " />";
          break;
        }
        out.push_back('>');
        if (depth < 256) AppendMarkup(child, out, depth + 1);
        out += "</";
        out += name;
        out.push_back('>');
        break;
      }
      default:
        break;
    }
  }
}

std::string MarkupOf(const xmlNode* node) {
  std::string out;
  AppendMarkup(node, out);
  return out;
}

// ---------------------------------------------------------------------------------------
// Entries serialized for their content hash.

// Text as libxml2 2.9's xmlNodeDump escapes it in element content.
void AppendXmlText(std::string_view text, std::string& out) {
  static constexpr auto kIsEscaped = [] {
    std::array<bool, 256> table{};
    for (unsigned char c : {'&', '<', '>', '\r'}) table[c] = true;
    return table;
  }();
  const char* data = text.data();
  const size_t size = text.size();
  size_t start = 0;
  for (size_t i = 0; i < size; ++i) {
    const char c = data[i];
    if (!kIsEscaped[static_cast<unsigned char>(c)]) continue;
    out.append(data + start, i - start);
    switch (c) {
      case '&':
        out.append("&amp;", 5);
        break;
      case '<':
        out.append("&lt;", 4);
        break;
      case '>':
        out.append("&gt;", 4);
        break;
      default:
        out.append("&#13;", 5);
        break;
    }
    start = i + 1;
  }
  out.append(data + start, size - start);
}

// An ASCII attribute value as xmlNodeDump escapes it; false for any other byte, whose
// escaping depends on the document's encoding.
bool AppendXmlAttributeText(std::string_view text, std::string& out) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\t':
        out += "&#9;";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x80) return false;
        out.push_back(c);
    }
  }
  return true;
}

void AppendQualifiedXmlName(const xmlNs* ns, const xmlChar* name, std::string& out) {
  if (ns != nullptr && ns->prefix != nullptr) {
    out += AsView(ns->prefix);
    out.push_back(':');
  }
  out += AsView(name);
}

// `node` as xmlNodeDump(buffer, doc, node, 0, 0) writes it, for the shapes entries have:
// elements, namespace declarations, ASCII attributes, text, comments and processing
// instructions. False for anything else (entity references, non-ASCII attribute values,
// whose escaping depends on the document's encoding...): xmlNodeDump then.
bool AppendEntryXml(const xmlNode* node, std::string& out, int depth) {
  if (node->type != XML_ELEMENT_NODE || depth > 256) return false;
  out.push_back('<');
  AppendQualifiedXmlName(node->ns, node->name, out);
  for (const xmlNs* ns = node->nsDef; ns != nullptr; ns = ns->next) {
    if (ns->type != XML_NAMESPACE_DECL || ns->href == nullptr) return false;
    const std::string_view href = AsView(ns->href);
    if (AsView(ns->prefix) == "xml" || href.find('"') != std::string_view::npos) return false;
    out += " xmlns";
    if (ns->prefix != nullptr) {
      out.push_back(':');
      out += AsView(ns->prefix);
    }
    out += "=\"";
    out += href;
    out.push_back('"');
  }
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (attr->type != XML_ATTRIBUTE_NODE) return false;
    out.push_back(' ');
    AppendQualifiedXmlName(attr->ns, attr->name, out);
    out += "=\"";
    for (const xmlNode* value = attr->children; value != nullptr; value = value->next) {
      if (value->type != XML_TEXT_NODE || value->name != xmlStringText ||
          !AppendXmlAttributeText(AsView(value->content), out)) {
        return false;
      }
    }
    out.push_back('"');
  }
  if (node->children == nullptr) {
    out += "/>";
    return true;
  }
  out.push_back('>');
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type == XML_TEXT_NODE && child->name == xmlStringText) {
      AppendXmlText(AsView(child->content), out);
    } else if (child->type == XML_COMMENT_NODE && child->content != nullptr) {
      out += "<!--";
      out += AsView(child->content);
      out += "-->";
    } else if (child->type == XML_PI_NODE) {
      out += "<?";
      out += AsView(child->name);
      if (child->content != nullptr) {
        out.push_back(' ');
        out += AsView(child->content);
      }
      out += "?>";
    } else if (!AppendEntryXml(child, out, depth + 1)) {
      return false;
    }
  }
  out += "</";
  AppendQualifiedXmlName(node->ns, node->name, out);
  out.push_back('>');
  return true;
}

std::string LibxmlNodeXml(xmlNode* node) {
  std::string out;
  xmlBufferPtr buffer = xmlBufferCreate();
  if (buffer != nullptr) {
    xmlNodeDump(buffer, node->doc, node, 0, 0);
    out = AsView(xmlBufferContent(buffer));
    xmlBufferFree(buffer);
  }
  return out;
}

// What ContentHash digests: the entry's XML as libxml2 re-serializes it. Our serializer
// writes the same bytes about five times faster, for the usual shapes; nullopt for a
// document with a DTD (xmlNodeDump writes XHTML differently) and anything else, which
// xmlNodeDump writes. EntryXmlBothWays lets the tests hold the two to the same bytes.
std::optional<std::string> OwnEntryXml(const xmlNode* node) {
  if (node->doc != nullptr && node->doc->intSubset != nullptr) return std::nullopt;
  std::string out;
  out.reserve(2048);
  if (!AppendEntryXml(node, out, 0)) return std::nullopt;
  return out;
}

// Base64 decoding for Atom 0.3 mode="base64" and Atom 1.0 binary types; nullopt when the
// text is not base64.
std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '+') {
      value = 62;
    } else if (c == '/') {
      value = 63;
    } else if (c == '=' || IsXmlSpace(c)) {
      continue;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// URLs.

bool IsUnsafeBase(std::string_view url) {
  const std::string lower = ToLower(Trim(url));
  return StartsWith(lower, "javascript:") || StartsWith(lower, "vbscript:") ||
         StartsWith(lower, "data:");
}

// IRIs: libxml2 resolves ASCII URIs only, so non-ASCII bytes travel percent-encoded, in
// upper-case hex, and are decoded back after.
std::string EncodeNonAscii(std::string_view text, bool& changed) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out.push_back(c);
      continue;
    }
    changed = true;
    out.push_back('%');
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0xF]);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string DecodeNonAscii(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 8 &&
        HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// `url` resolved against `base` (RFC 3986); `url` as written when either is not a URL.
std::string ResolveUrl(std::string_view url, std::string_view base) {
  const std::string trimmed(Trim(url));
  if (base.empty()) return trimmed;
  if (trimmed.empty()) return std::string(base);
  bool changed = false;
  const std::string ascii_url = EncodeNonAscii(trimmed, changed);
  const std::string ascii_base = EncodeNonAscii(base, changed);
  xmlChar* resolved = xmlBuildURI(AsXml(ascii_url.c_str()), AsXml(ascii_base.c_str()));
  if (resolved == nullptr) return trimmed;
  std::string out(AsView(resolved));
  xmlFree(resolved);
  return changed ? DecodeNonAscii(out) : out;
}

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiAlnum(char c) { return IsAsciiAlpha(c) || (c >= '0' && c <= '9'); }

// The length of the character or entity reference at `s[i]` ('&'), 0 when there is none.
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

// Text of HTML source with bare ampersands escaped and references kept as written.
void AppendHtmlText(std::string_view text, bool is_attribute, std::string& out) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '&') {
      const size_t length = ReferenceLength(text, i);
      if (length == 0) {
        out += "&amp;";
      } else {
        std::string reference(text.substr(i, length));
        if (reference.size() > 2 && reference[2] == 'X') reference[2] = 'x';
        out += reference;
        i += length - 1;
      }
    } else if (is_attribute && c == '<') {
      out += "&lt;";
    } else if (is_attribute && c == '>') {
      out += "&gt;";
    } else if (is_attribute && c == '"') {
      out += "&quot;";
    } else {
      out.push_back(c);
    }
  }
}

// HTML source as feedparser writes it: start tags re-serialized (attributes sorted and
// double-quoted, void elements closed as "<br />"), bare ampersands escaped, relative
// href and src resolved against `base`. Anything that is not a tag is kept as text.
std::string NormalizeHtml(std::string_view html, std::string_view base) {
  std::string out;
  out.reserve(html.size() + html.size() / 8);
  size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '&') {
      const size_t length = ReferenceLength(html, i);
      AppendHtmlText(html.substr(i, length == 0 ? 1 : length), false, out);
      i += length == 0 ? 1 : length;
      continue;
    }
    if (c != '<' || i + 1 >= html.size() || !IsAsciiAlpha(html[i + 1])) {
      // Copied as is up to the next reference or tag, in one go (find_first_of would call
      // memchr once per byte).
      size_t next = i + 1;
      while (next < html.size() && html[next] != '&' && html[next] != '<') ++next;
      out.append(html, i, next - i);
      i = next;
      continue;
    }
    // A start tag: its name, then attributes up to '>'.
    size_t j = i + 1;
    while (j < html.size() && (IsAsciiAlnum(html[j]) || html[j] == ':' || html[j] == '-')) ++j;
    const std::string_view tag_name = html.substr(i + 1, j - i - 1);
    std::vector<std::pair<std::string, std::string>> attributes;
    bool is_closed = false;
    while (j < html.size()) {
      while (j < html.size() && IsXmlSpace(html[j])) ++j;
      if (j >= html.size()) break;
      if (html[j] == '>') {
        is_closed = true;
        ++j;
        break;
      }
      if (html[j] == '/') {
        ++j;
        continue;
      }
      const size_t name_start = j;
      while (j < html.size() && !IsXmlSpace(html[j]) && html[j] != '=' && html[j] != '>' &&
             html[j] != '/') {
        ++j;
      }
      std::string attr_name(html.substr(name_start, j - name_start));
      std::string value;
      while (j < html.size() && IsXmlSpace(html[j])) ++j;
      if (j < html.size() && html[j] == '=') {
        ++j;
        while (j < html.size() && IsXmlSpace(html[j])) ++j;
        if (j < html.size() && (html[j] == '"' || html[j] == '\'')) {
          const char quote = html[j];
          const size_t end = html.find(quote, j + 1);
          if (end == std::string_view::npos) break;
          value = std::string(html.substr(j + 1, end - j - 1));
          j = end + 1;
        } else {
          const size_t start = j;
          while (j < html.size() && !IsXmlSpace(html[j]) && html[j] != '>') ++j;
          value = std::string(html.substr(start, j - start));
        }
      } else {
        value = attr_name;
      }
      const std::string lower_name = ToLower(attr_name);
      if ((lower_name == "href" || lower_name == "src") && !base.empty()) {
        value = ResolveUrl(value, base);
      }
      attributes.emplace_back(std::move(attr_name), std::move(value));
    }
    if (!is_closed) {  // not a tag after all: the rest is text
      AppendHtmlText(html.substr(i), false, out);
      break;
    }
    std::stable_sort(attributes.begin(), attributes.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    out.push_back('<');
    out += tag_name;
    for (const auto& [attr_name, value] : attributes) {
      out.push_back(' ');
      out += attr_name;
      out += "=\"";
      AppendHtmlText(value, true, out);
      out.push_back('"');
    }
    out += IsVoidElement(ToLower(tag_name)) ? " />" : ">";
    i = j;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// People.

// "Example editor (me@example.com)", "me@example.com (Example editor)", "Name <a@b.c>".
FeedValue ParsePerson(std::string_view text) {
  FeedValue person = FeedValue::Object();
  std::string rest(Trim(text));
  // An e-mail address is a run of non-space characters around an '@'.
  const size_t at = rest.find('@');
  if (at != std::string::npos) {
    size_t start = at;
    while (start > 0 && !IsXmlSpace(rest[start - 1]) && rest[start - 1] != '(' &&
           rest[start - 1] != '<' && rest[start - 1] != ':') {
      --start;
    }
    size_t end = at;
    while (end < rest.size() && !IsXmlSpace(rest[end]) && rest[end] != ')' && rest[end] != '>') {
      ++end;
    }
    std::string email = rest.substr(start, end - start);
    if (StartsWith(email, "mailto:")) email = email.substr(7);
    if (start > 0 && (rest[start - 1] == '(' || rest[start - 1] == '<')) --start;
    if (end < rest.size() && (rest[end] == ')' || rest[end] == '>')) ++end;
    if (start >= 7 && rest.substr(start - 7, 7) == "mailto:") start -= 7;
    rest.erase(start, end - start);
    person["email"] = FeedValue::String(email);
  }
  // What is left is the name, maybe in parentheses.
  std::string_view name = Trim(rest);
  while (!name.empty() && (name.front() == '(' || name.front() == '<')) {
    name.remove_prefix(1);
  }
  while (!name.empty() && (name.back() == ')' || name.back() == '>')) name.remove_suffix(1);
  name = Trim(name);
  if (!name.empty() || at == std::string::npos)
    person["name"] = FeedValue::String(std::string(name));
  return person;
}

// "Name (email)", "Name" or "email".
std::string PersonString(const FeedValue& person) {
  const std::string_view name = person.StringAt("name");
  const std::string_view email = person.StringAt("email");
  if (!name.empty() && !email.empty()) return std::string(name) + " (" + std::string(email) + ")";
  if (!name.empty()) return std::string(name);
  return std::string(email);
}

// ---------------------------------------------------------------------------------------
// The walk.

enum class Format { kUnknown, kRss, kAtom10, kAtom03, kCdf };

struct Scope {
  std::string base;  // xml:base in force
  std::string lang;  // xml:lang in force
};

class FeedBuilder {
 public:
  explicit FeedBuilder(FeedDocument& document) : document_(document) {}

  void Build(xmlNode* root) {
    FeedValue& r = document_.root;
    r = FeedValue::Object();
    r["version"] = FeedValue::String("");
    r["feed"] = FeedValue::Object();
    r["entries"] = FeedValue::List();
    if (root == nullptr) return;
    const Scope scope = StartRoot(root);
    if (!has_feed_element_) return;
    FeedValue& feed = r["feed"];
    if (format_ == Format::kAtom10 || format_ == Format::kAtom03 || format_ == Format::kCdf) {
      WalkObject(root, feed, Kind::kFeed, scope);
    } else {
      // RSS: the channel, and (RSS 1.0) the items, image and textinput beside it.
      for (xmlNode* child = root->children; child != nullptr; child = child->next) {
        if (child->type != XML_ELEMENT_NODE) continue;
        const std::string name = QualifiedName(child);
        const Scope child_scope = Enter(child, scope);
        if (name == "channel") {
          WalkObject(child, feed, Kind::kFeed, child_scope);
        } else if (name == "item") {
          AddEntry(child, child_scope);
        } else {
          HandleElement(child, feed, Kind::kFeed, child_scope);
        }
      }
    }
    FinishFeed();
  }

  // The streaming reader's steps (ReadFeedStreaming): the same walk as Build, fed one
  // element at a time in document order.

  // Reads the root element's own attributes: format, version, xml:base and xml:lang. When
  // `root`'s children are not there yet (streaming), an RDF document reads as "rss10".
  Scope StartRoot(xmlNode* root) {
    const std::string root_name = ToLower(AsView(root->name));
    const std::string_view ns = root->ns != nullptr ? AsView(root->ns->href) : "";
    Scope scope;
    scope = Enter(root, scope);
    if (root_name == "rss") {
      format_ = Format::kRss;
      SetVersion(RssVersion(root));
    } else if (root_name == "rdf") {
      format_ = Format::kRss;
      bool is_090 = ns == kRss090Ns;
      for (const xmlNode* child = root->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE && child->ns != nullptr &&
            AsView(child->ns->href) == kRss090Ns) {
          is_090 = true;
        }
      }
      SetVersion(is_090 ? "rss090" : "rss10");
    } else if (root_name == "feed") {
      const std::string version(Trim(Attribute(root, "version")));
      if (ns == kAtom10Ns) {
        format_ = Format::kAtom10;
        SetVersion("atom10");
      } else {
        format_ = Format::kAtom03;
        if (version == "0.3") {
          SetVersion("atom03");
        } else if (version == "0.2") {
          SetVersion("atom02");
        } else if (version == "0.1") {
          SetVersion("atom01");
        } else {
          SetVersion("atom");
        }
      }
    } else if (root_name == "channel") {
      format_ = Format::kCdf;
      SetVersion("cdf");
    } else {
      has_feed_element_ = false;
      return scope;
    }
    has_feed_element_ = true;
    if (!scope.lang.empty()) root_lang_ = scope.lang;
    return scope;
  }

  // An element under the feed (Atom's root, RSS's channel or root) that is not an entry.
  void HandleFeedChild(xmlNode* node, const Scope& scope) {
    HandleElement(node, document_.root["feed"], Kind::kFeed, scope);
  }

  // After the last element: the root's xml:lang stands for a missing feed language.
  void FinishFeed() {
    FeedValue& feed = document_.root["feed"];
    if (!feed.Has("language") && !root_lang_.empty()) {
      feed["language"] = FeedValue::String(root_lang_);
    }
  }

  bool has_feed_element() const { return has_feed_element_; }
  Format format() const { return format_; }

  void AddEntry(xmlNode* node, const Scope& scope) {
    FeedValue& entries = document_.root["entries"];
    entries.items.push_back(FeedValue::Object());
    FeedValue& entry = entries.items.back();
    if (format_ == Format::kRss) {
      const std::string about = Attribute(node, "about");
      if (!about.empty()) entry["id"] = FeedValue::String(about);
    }
    const Scope entry_scope = format_ == Format::kCdf ? CdfScope(node, scope) : scope;
    if (format_ == Format::kCdf) ReadCdfAttributes(node, entry, entry_scope);
    WalkObject(node, entry, Kind::kEntry, entry_scope);
    FinishEntry(entry);
    // What ContentHash digests: the entry's XML as the parser read it.
    if (std::optional<std::string> xml = OwnEntryXml(node)) {
      document_.entry_xml.push_back(std::move(*xml));
    } else {
      // While streaming, the document's encoding (which xmlNodeDump's escaping of
      // non-ASCII attributes depends on) may not be known yet: ReadFeedStreaming then
      // hands the feed to the document path.
      has_libxml_entry_xml_ = true;
      document_.entry_xml.push_back(LibxmlNodeXml(node));
    }
  }

  // True once an entry's XML came from xmlNodeDump rather than our serializer.
  bool has_libxml_entry_xml() const { return has_libxml_entry_xml_; }

  // The scope inside `node`: its xml:base and xml:lang applied.
  Scope Enter(const xmlNode* node, const Scope& outer) const {
    Scope scope = outer;
    if (std::optional<std::string> base = XmlAttribute(node, "base")) {
      if (!IsUnsafeBase(*base)) scope.base = ResolveUrl(*base, outer.base);
    }
    if (std::optional<std::string> lang = XmlAttribute(node, "lang")) {
      scope.lang = *lang;
      std::replace(scope.lang.begin(), scope.lang.end(), '_', '-');
    }
    return scope;
  }

 private:
  enum class Kind { kFeed, kEntry, kSource };

  static std::string RssVersion(const xmlNode* root) {
    const std::string version(Trim(Attribute(root, "version")));
    if (version == "0.91") {
      const xmlDtd* dtd = root->doc != nullptr ? xmlGetIntSubset(root->doc) : nullptr;
      if (dtd != nullptr && (AsView(dtd->ExternalID).find("Netscape") != std::string_view::npos ||
                             AsView(dtd->SystemID).find("netscape") != std::string_view::npos)) {
        return "rss091n";
      }
      return "rss091u";
    }
    if (version == "0.92") return "rss092";
    if (version == "0.93") return "rss093";
    if (version == "0.94") return "rss094";
    if (StartsWith(version, "2.")) return "rss20";
    if (version == "0.90") return "rss090";
    return "rss";
  }

  void SetVersion(std::string version) { document_.root["version"] = FeedValue::String(version); }

  void ReadCdfAttributes(const xmlNode* node, FeedValue& object, const Scope& scope) {
    const std::string href = Attribute(node, "HREF");
    if (!href.empty()) AddLink(object, "alternate", "", ResolveUrl(href, scope.base), "", "", "");
    const std::string lastmod = Attribute(node, "LASTMOD");
    if (!lastmod.empty()) SetDate(object, "updated", lastmod);
  }

  // CDF writes xml:base as a BASE attribute.
  Scope CdfScope(const xmlNode* node, const Scope& outer) const {
    Scope scope = outer;
    const std::string base = Attribute(node, "BASE");
    if (!base.empty() && !IsUnsafeBase(base)) scope.base = ResolveUrl(base, outer.base);
    return scope;
  }

  void WalkObject(xmlNode* node, FeedValue& object, Kind kind, const Scope& outer) {
    const Scope scope =
        format_ == Format::kCdf && kind == Kind::kFeed ? CdfScope(node, outer) : outer;
    if (format_ == Format::kCdf && kind == Kind::kFeed) ReadCdfAttributes(node, object, scope);
    for (xmlNode* child = node->children; child != nullptr; child = child->next) {
      if (child->type != XML_ELEMENT_NODE) continue;
      HandleElement(child, object, kind, Enter(child, scope));
    }
  }

  void FinishEntry(FeedValue& entry) {
    // An RSS guid that is a permalink stands for the link when there is none.
    if (!entry.Has("link") && entry.Has("id") && guid_is_permalink_) {
      const std::string id(entry.StringAt("id"));
      if (!id.empty()) {
        AddLink(entry, "alternate", "text/html", id, "", "", "");
        entry["guidislink"] = FeedValue::Bool(true);
      }
    }
    if (!entry.Has("guidislink") && (entry.Has("id") || saw_guid_)) {
      entry["guidislink"] = FeedValue::Bool(false);
    }
    guid_is_permalink_ = false;
    saw_guid_ = false;
    // An entry with content and no summary gets the content as its summary too.
    if (!entry.Has("summary") && entry.Has("content") && !entry.Find("content")->items.empty()) {
      FeedValue detail = entry.Find("content")->items.front();
      if (FeedValue* src = detail.Find("src")) *src = FeedValue();
      detail.keys.erase(std::remove(detail.keys.begin(), detail.keys.end(), "src"),
                        detail.keys.end());
      std::string value(detail.StringAt("value"));
      entry["summary"] = FeedValue::String(std::move(value));
      entry["summary_detail"] = std::move(detail);
    }
  }

  // A text construct: value, type, language, base.
  FeedValue TextConstruct(const xmlNode* node, const Scope& scope, std::string_view default_type,
                          bool is_rss_description) {
    FeedValue detail = FeedValue::Object();
    std::string type(Trim(Attribute(node, "type")));
    std::string mode(Trim(Attribute(node, "mode")));
    const bool is_atom_element = node->ns != nullptr && (AsView(node->ns->href) == kAtom10Ns ||
                                                         AsView(node->ns->href) == kAtom03Ns);
    const std::string lower_type = ToLower(type);
    std::string media_type;
    if (!is_atom_element && format_ == Format::kRss) type.clear();
    if (lower_type == "text" || (type.empty() && !is_rss_description && default_type.empty())) {
      media_type = "text/plain";
    } else if (lower_type == "html") {
      media_type = "text/html";
    } else if (lower_type == "xhtml") {
      media_type = "application/xhtml+xml";
    } else if (!type.empty()) {
      media_type = lower_type;
    } else {
      media_type = std::string(default_type);
    }
    std::string value;
    const bool is_xml_type =
        media_type == "application/xhtml+xml" ||
        (media_type.size() > 4 && (media_type.substr(media_type.size() - 4) == "+xml" ||
                                   media_type.substr(media_type.size() - 4) == "/xml"));
    if (mode == "base64" || (format_ == Format::kAtom10 && !type.empty() &&
                             !StartsWith(media_type, "text/") && !is_xml_type)) {
      value = DecodeBase64(Trim(TextOf(node))).value_or(TextOf(node));
    } else if (format_ == Format::kAtom10 && lower_type == "html") {
      value = TextOf(node);
    } else if (mode == "xml" || HasElementChild(node)) {
      const xmlNode* inner = node;
      // Atom 1.0 XHTML sits in a <div> that is not part of the value.
      if (format_ == Format::kAtom10 || lower_type == "xhtml") {
        const xmlNode* only = nullptr;
        int elements = 0;
        bool has_text = false;
        for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
          if (c->type == XML_ELEMENT_NODE) {
            ++elements;
            only = c;
          } else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
                     !Trim(AsView(c->content)).empty()) {
            has_text = true;
          }
        }
        if (elements == 1 && !has_text && AsView(only->name) == "div" && only->ns != nullptr &&
            AsView(only->ns->href) == kXhtmlNs) {
          inner = only;
        }
      }
      value = MarkupOf(inner);
      if (media_type.empty()) media_type = "application/xhtml+xml";
    } else {
      value = TextOf(node);
    }
    if (media_type != "text/plain") {
      value = NormalizeHtml(Trim(value), scope.base);
    } else {
      value = std::string(Trim(value));
    }
    detail["type"] = FeedValue::String(media_type);
    detail["language"] = FeedValue::String(scope.lang);
    detail["base"] = FeedValue::String(scope.base);
    detail["value"] = FeedValue::String(value);
    return detail;
  }

  void SetText(FeedValue& object, std::string_view key, const xmlNode* node, const Scope& scope,
               std::string_view default_type = "", bool is_rss_description = false) {
    FeedValue detail = TextConstruct(node, scope, default_type, is_rss_description);
    object[key] = FeedValue::String(std::string(detail.StringAt("value")));
    object[std::string(key) + "_detail"] = std::move(detail);
  }

  void AddContent(FeedValue& entry, const xmlNode* node, const Scope& scope,
                  std::string_view default_type) {
    FeedValue detail = TextConstruct(node, scope, default_type, default_type == "text/html");
    const std::string src = Attribute(node, "src");
    if (!src.empty()) detail["src"] = FeedValue::String(ResolveUrl(src, scope.base));
    FeedValue& content = entry["content"];
    if (content.kind != FeedValue::Kind::kList) content = FeedValue::List();
    content.items.push_back(std::move(detail));
  }

  static void AddLink(FeedValue& object, std::string rel, std::string type, std::string href,
                      std::string title, std::string hreflang, std::string length) {
    FeedValue link = FeedValue::Object();
    link["rel"] = FeedValue::String(rel);
    if (!type.empty()) link["type"] = FeedValue::String(type);
    link["href"] = FeedValue::String(href);
    if (!title.empty()) link["title"] = FeedValue::String(title);
    if (!hreflang.empty()) link["hreflang"] = FeedValue::String(hreflang);
    if (!length.empty()) link["length"] = FeedValue::String(length);
    if (rel == "enclosure") {
      FeedValue& enclosures = object["enclosures"];
      if (enclosures.kind != FeedValue::Kind::kList) enclosures = FeedValue::List();
      FeedValue enclosure = FeedValue::Object();
      enclosure["href"] = FeedValue::String(href);
      if (!type.empty()) enclosure["type"] = FeedValue::String(type);
      if (!length.empty()) enclosure["length"] = FeedValue::String(length);
      enclosures.items.push_back(std::move(enclosure));
    }
    if (rel == "license" && !object.Has("license")) object["license"] = FeedValue::String(href);
    if (rel == "alternate" && !object.Has("link")) object["link"] = FeedValue::String(href);
    // Last: inserting the fields above may move the object's values.
    FeedValue& links = object["links"];
    if (links.kind != FeedValue::Kind::kList) links = FeedValue::List();
    links.items.push_back(std::move(link));
  }

  static void AddTag(FeedValue& object, std::string term, std::string scheme, std::string label) {
    FeedValue& tags = object["tags"];
    if (tags.kind != FeedValue::Kind::kList) tags = FeedValue::List();
    for (const FeedValue& tag : tags.items) {
      if (tag.StringAt("term") == term && tag.StringAt("scheme") == scheme &&
          tag.StringAt("label") == label) {
        return;
      }
    }
    FeedValue tag = FeedValue::Object();
    tag["term"] = FeedValue::String(std::move(term));
    tag["scheme"] = FeedValue::String(std::move(scheme));
    tag["label"] = FeedValue::String(std::move(label));
    tags.items.push_back(std::move(tag));
  }

  static void SetDate(FeedValue& object, const std::string& key, std::string_view raw) {
    // When an element repeats, the last one wins (as in feedparser).
    const std::string value(Trim(raw));
    object[key] = FeedValue::String(value);
    if (std::optional<int64_t> seconds = ParseDateTime(value)) {
      object[key + "_iso"] = FeedValue::String(FormatRfc3339(*seconds));
    } else if (FeedValue* iso = object.Find(key + "_iso")) {
      *iso = FeedValue();
    }
  }

  static void AddPerson(FeedValue& object, std::string_view list_key, FeedValue person,
                        bool is_author) {
    FeedValue& list = object[list_key];
    if (list.kind != FeedValue::Kind::kList) list = FeedValue::List();
    list.items.push_back(person);
    if (is_author && !object.Has("author_detail")) {
      object["author"] = FeedValue::String(PersonString(person));
      object["author_detail"] = std::move(person);
    }
  }

  // An Atom <author>/<contributor>: name, email, uri/url.
  FeedValue AtomPerson(const xmlNode* node, const Scope& scope) {
    FeedValue person = FeedValue::Object();
    for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
      if (child->type != XML_ELEMENT_NODE) continue;
      const std::string name = ToLower(AsView(child->name));
      const std::string text(Trim(TextOf(child)));
      if (name == "name") {
        person["name"] = FeedValue::String(text);
      } else if (name == "email") {
        person["email"] = FeedValue::String(text);
      } else if (name == "uri" || name == "url" || name == "homepage") {
        person["href"] = FeedValue::String(ResolveUrl(text, Enter(child, scope).base));
      }
    }
    return person;
  }

  void HandleElement(xmlNode* node, FeedValue& object, Kind kind, const Scope& scope) {
    const std::string qualified_name = QualifiedName(node);
    // Compared as a view: sizes first, then bytes (about fifty comparisons per element).
    const std::string_view name = qualified_name;
    const bool is_entry = kind == Kind::kEntry;
    const bool is_atom = format_ == Format::kAtom10 || format_ == Format::kAtom03;
    // The element's trimmed text, computed on first use: descriptions and contents, the
    // bulk of a feed, never need it.
    std::optional<std::string> text_cache;
    const auto text = [&]() -> const std::string& {
      if (!text_cache) text_cache.emplace(Trim(TextOf(node)));
      return *text_cache;
    };

    if ((name == "item" || name == "entry") && kind == Kind::kFeed) {
      AddEntry(node, scope);
      return;
    }
    if (name == "title" || name == "dc:title" || name == "media:title") {
      if (name != "title" && object.Has("title")) return;
      SetText(object, "title", node, scope, format_ == Format::kRss ? "text/plain" : "");
      return;
    }
    if (name == "description" || name == "dc:description" || name == "abstract") {
      if (kind == Kind::kFeed) {
        if (!object.Has("subtitle")) SetText(object, "subtitle", node, scope, "text/html", true);
      } else if (object.Has("summary")) {
        AddContent(object, node, scope, "text/html");
      } else {
        SetText(object, "summary", node, scope, "text/html", true);
      }
      return;
    }
    if (name == "summary") {
      if (object.Has("summary") && !is_atom) {
        AddContent(object, node, scope, "text/html");
      } else if (!object.Has("summary")) {
        SetText(object, "summary", node, scope, is_atom ? "" : "text/html", !is_atom);
      }
      return;
    }
    if (name == "itunes:summary") {
      if (!object.Has("summary")) SetText(object, "summary", node, scope, "text/plain");
      return;
    }
    if (name == "subtitle" || name == "tagline" || name == "itunes:subtitle") {
      if (!object.Has("subtitle")) SetText(object, "subtitle", node, scope);
      return;
    }
    if (name == "content" || name == "content:encoded" || name == "xhtml:body" ||
        name == "fullitem") {
      if (!is_entry) return;
      std::string default_type = is_atom && name == "content" ? "" : "text/html";
      if (name == "xhtml:body") default_type = "application/xhtml+xml";
      if (name == "xhtml:body") {
        FeedValue detail = FeedValue::Object();
        detail["type"] = FeedValue::String("application/xhtml+xml");
        detail["language"] = FeedValue::String(scope.lang);
        detail["base"] = FeedValue::String(scope.base);
        detail["value"] = FeedValue::String(std::string(Trim(MarkupOf(node))));
        FeedValue& content = object["content"];
        if (content.kind != FeedValue::Kind::kList) content = FeedValue::List();
        content.items.push_back(std::move(detail));
        return;
      }
      AddContent(object, node, scope, default_type);
      return;
    }
    if (name == "rights" || name == "copyright" || name == "dc:rights") {
      if (!object.Has("rights")) SetText(object, "rights", node, scope);
      return;
    }
    if (name == "info" || name == "feedburner:browserfriendly") {
      SetText(object, "info", node, scope);
      return;
    }
    if (name == "link") {
      if (is_atom || HasAttribute(node, "href") || HasAttribute(node, "rel")) {
        std::string rel(Trim(Attribute(node, "rel")));
        if (rel.empty()) rel = "alternate";
        std::string type(Trim(Attribute(node, "type")));
        if (type.empty() && rel == "self" && is_atom) type = "application/atom+xml";
        AddLink(
            object, rel, type,
            ResolveUrl(HasAttribute(node, "href") ? Attribute(node, "href") : text(), scope.base),
            Attribute(node, "title"), Attribute(node, "hreflang"), Attribute(node, "length"));
      } else if (!text().empty() || !object.Has("link")) {
        const std::string href = ResolveUrl(text(), scope.base);
        if (object.Has("link")) {
          object["link"] = FeedValue::String(href);
        }
        AddLink(object, "alternate", "text/html", href, "", "", "");
      }
      return;
    }
    if (name == "id" || name == "guid") {
      if (name == "guid") {
        saw_guid_ = true;
        const std::string permalink = ToLower(Trim(Attribute(node, "isPermaLink")));
        guid_is_permalink_ = permalink != "false";
      }
      object["id"] = FeedValue::String(text());
      return;
    }
    if (name == "author" || name == "contributor" || name == "managingeditor" ||
        name == "dc:creator" || name == "dc:author" || name == "itunes:author" ||
        name == "dc:contributor") {
      const bool is_author = name != "contributor" && name != "dc:contributor";
      const bool is_structured = HasElementChild(node) && (is_atom || name == "author");
      FeedValue person = is_structured ? AtomPerson(node, scope) : ParsePerson(text());
      if (name == "itunes:author" && object.Has("author_detail")) return;
      AddPerson(object, is_author ? "authors" : "contributors", std::move(person), is_author);
      return;
    }
    if (name == "dc:publisher" || name == "webmaster") {
      FeedValue person = ParsePerson(text());
      object["publisher"] = FeedValue::String(PersonString(person));
      object["publisher_detail"] = std::move(person);
      return;
    }
    if (name == "pubdate" || name == "published" || name == "issued" || name == "dcterms:issued") {
      SetDate(object, "published", text());
      return;
    }
    if (name == "updated" || name == "modified" || name == "lastbuilddate" || name == "dc:date" ||
        name == "dcterms:modified") {
      SetDate(object, "updated", text());
      return;
    }
    if (name == "created" || name == "dcterms:created") {
      SetDate(object, "created", text());
      return;
    }
    if (name == "expirationdate") {
      SetDate(object, "expired", text());
      return;
    }
    if (name == "dcterms:valid") {
      size_t i = 0;
      const std::string_view t = text();
      while (i < t.size()) {
        size_t end = t.find(';', i);
        if (end == std::string_view::npos) end = t.size();
        const std::string_view part = Trim(t.substr(i, end - i));
        const size_t eq = part.find('=');
        if (eq != std::string_view::npos) {
          const std::string key(Trim(part.substr(0, eq)));
          const std::string_view value = Trim(part.substr(eq + 1));
          if (key == "start") SetDate(object, "validity_start", value);
          if (key == "end") SetDate(object, "validity_end", value);
        }
        i = end + 1;
      }
      return;
    }
    if (name == "language" || name == "dc:language") {
      std::string lang = text();
      std::replace(lang.begin(), lang.end(), '_', '-');
      object["language"] = FeedValue::String(lang);
      return;
    }
    if (name == "category" || name == "dc:subject" || name == "media:category") {
      if (name == "media:category") {
        AddTag(object, text(), Attribute(node, "scheme"), Attribute(node, "label"));
      } else if (is_atom && name == "category") {
        AddTag(object, Attribute(node, "term"), Attribute(node, "scheme"),
               Attribute(node, "label"));
      } else {
        std::string scheme = Attribute(node, "domain");
        if (scheme.empty()) scheme = Attribute(node, "scheme");
        AddTag(object, text(), scheme, "");
      }
      return;
    }
    if (name == "itunes:category") {
      AddTag(object, Attribute(node, "text"), "http://www.itunes.com/", "");
      for (xmlNode* child = node->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) HandleElement(child, object, kind, scope);
      }
      return;
    }
    if (name == "itunes:keywords") {
      size_t i = 0;
      while (i <= text().size()) {
        size_t end = text().find(',', i);
        if (end == std::string::npos) end = text().size();
        const std::string term(Trim(std::string_view(text()).substr(i, end - i)));
        if (!term.empty()) AddTag(object, term, "http://www.itunes.com/", "");
        i = end + 1;
      }
      return;
    }
    if (name == "itunes:block") {
      object["itunes_block"] = FeedValue::Bool(TextOf(node) == "yes" || TextOf(node) == "Yes");
      return;
    }
    if (name == "itunes:explicit") {
      const std::string value = TextOf(node);
      if (value == "yes" || value == "true") object["itunes_explicit"] = FeedValue::Bool(true);
      if (value == "no" || value == "false" || value == "clean") {
        object["itunes_explicit"] = FeedValue::Bool(false);
      }
      return;
    }
    if (name == "itunes:image" || (name == "image" && is_entry)) {
      FeedValue& image = object["image"];
      if (image.kind != FeedValue::Kind::kObject) image = FeedValue::Object();
      std::string href = Attribute(node, "href");
      if (href.empty()) href = Attribute(node, "url");
      if (href.empty()) href = text();
      if (!image.Has("href")) image["href"] = FeedValue::String(ResolveUrl(href, scope.base));
      return;
    }
    if (name == "itunes:owner") {
      FeedValue person = FeedValue::Object();
      for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
        if (child->type != XML_ELEMENT_NODE) continue;
        const std::string child_name = ToLower(AsView(child->name));
        if (child_name == "name" || child_name == "email") {
          person[child_name] = FeedValue::String(std::string(Trim(TextOf(child))));
        }
      }
      object["publisher"] = FeedValue::String(PersonString(person));
      object["publisher_detail"] = std::move(person);
      return;
    }
    if (name == "comments") {
      object["comments"] = FeedValue::String(ResolveUrl(text(), scope.base));
      return;
    }
    if (name == "enclosure") {
      AddLink(object, "enclosure", std::string(Trim(Attribute(node, "type"))),
              ResolveUrl(Attribute(node, "url"), scope.base), "", "",
              std::string(Trim(Attribute(node, "length"))));
      return;
    }
    if (name == "source") {
      if (is_atom && is_entry) {
        FeedValue source = FeedValue::Object();
        WalkObject(node, source, Kind::kSource, scope);
        object["source"] = std::move(source);
      } else {
        FeedValue source = FeedValue::Object();
        source["href"] = FeedValue::String(ResolveUrl(Attribute(node, "url"), scope.base));
        source["title"] = FeedValue::String(text());
        object["source"] = std::move(source);
      }
      return;
    }
    if (name == "icon" || name == "logo") {
      object[name] = FeedValue::String(ResolveUrl(text(), scope.base));
      return;
    }
    if (name == "image") {
      ReadImage(node, object, scope);
      return;
    }
    if (name == "textinput") {
      FeedValue textinput = FeedValue::Object();
      for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
        if (child->type != XML_ELEMENT_NODE) continue;
        const std::string child_name = ToLower(AsView(child->name));
        std::string value(Trim(TextOf(child)));
        if (child_name == "link") value = ResolveUrl(value, Enter(child, scope).base);
        textinput[child_name] = FeedValue::String(value);
      }
      object["textinput"] = std::move(textinput);
      return;
    }
    if (name == "cloud") {
      FeedValue cloud = FeedValue::Object();
      for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
        cloud[ToLower(AsView(attr->name))] =
            FeedValue::String(Attribute(node, reinterpret_cast<const char*>(attr->name)));
      }
      object["cloud"] = std::move(cloud);
      return;
    }
    if (name == "docs") {
      object["docs"] = FeedValue::String(ResolveUrl(text(), scope.base));
      return;
    }
    if (name == "ttl") {
      object["ttl"] = FeedValue::String(text());
      return;
    }
    if (name == "redirect") {
      for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE && ToLower(AsView(child->name)) == "newlocation") {
          object["newlocation"] = FeedValue::String(ResolveUrl(Trim(TextOf(child)), scope.base));
        }
      }
      return;
    }
    if (name == "newlocation") {
      object["newlocation"] = FeedValue::String(ResolveUrl(text(), scope.base));
      return;
    }
    if (name == "generator" || name == "admin:generatoragent") {
      FeedValue generator = FeedValue::Object();
      std::string href = Attribute(node, "uri");
      if (href.empty()) href = Attribute(node, "url");
      if (href.empty()) href = Attribute(node, "resource");
      std::string value = text();
      if (name == "admin:generatoragent") value = href;
      generator["name"] = FeedValue::String(value);
      if (!href.empty()) generator["href"] = FeedValue::String(ResolveUrl(href, scope.base));
      const std::string version = Attribute(node, "version");
      if (!version.empty()) generator["version"] = FeedValue::String(version);
      object["generator"] = FeedValue::String(value);
      object["generator_detail"] = std::move(generator);
      return;
    }
    if (name == "creativecommons:license" || name == "cc:license") {
      std::string href = Attribute(node, "resource");
      if (href.empty()) href = text();
      AddLink(object, "license", "", href, "", "", "");
      return;
    }
    if (name == "thr:in-reply-to") {
      FeedValue reply = FeedValue::Object();
      for (const char* attr : {"ref", "href", "type", "source"}) {
        if (HasAttribute(node, attr)) reply[attr] = FeedValue::String(Attribute(node, attr));
      }
      object["thr_in-reply-to"] = std::move(reply);
      return;
    }
    if (name == "media:thumbnail") {
      FeedValue& list = object["media_thumbnail"];
      if (list.kind != FeedValue::Kind::kList) list = FeedValue::List();
      list.items.push_back(AttributesObject(node));
      return;
    }
    if (name == "media:player" || name == "media:content") {
      FeedValue attrs = AttributesObject(node);
      if (name == "media:player") {
        object["media_player"] = std::move(attrs);
      } else {
        FeedValue& list = object["media_content"];
        if (list.kind != FeedValue::Kind::kList) list = FeedValue::List();
        list.items.push_back(std::move(attrs));
        for (xmlNode* child = node->children; child != nullptr; child = child->next) {
          if (child->type == XML_ELEMENT_NODE) HandleElement(child, object, kind, scope);
        }
      }
      return;
    }
    if (name == "media:group") {
      for (xmlNode* child = node->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) HandleElement(child, object, kind, scope);
      }
      return;
    }
    if (name == "psc:chapters") {
      FeedValue chapters = FeedValue::Object();
      chapters["version"] = FeedValue::String(Attribute(node, "version"));
      FeedValue list = FeedValue::List();
      for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE && ToLower(AsView(child->name)) == "chapter") {
          list.items.push_back(AttributesObject(child));
        }
      }
      chapters["chapters"] = std::move(list);
      object["psc_chapters"] = std::move(chapters);
      return;
    }
    if (name == "channel" || name == "items" || name == "rdf:seq" || name == "rdf:li") {
      return;
    }
    // Anything else becomes a field named after the element.
    const std::string local = ToLower(AsView(node->name));
    const std::string prefix = PrefixOf(node);
    const std::string field = prefix.empty() ? local : prefix + "_" + local;
    if (!object.Has(field)) object[field] = FeedValue::String(text());
  }

  static FeedValue AttributesObject(const xmlNode* node) {
    FeedValue attrs = FeedValue::Object();
    for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
      attrs[AsView(attr->name)] =
          FeedValue::String(Attribute(node, reinterpret_cast<const char*>(attr->name)));
    }
    return attrs;
  }

  void ReadImage(const xmlNode* node, FeedValue& object, const Scope& scope) {
    FeedValue& image = object["image"];
    if (image.kind != FeedValue::Kind::kObject) image = FeedValue::Object();
    for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
      if (child->type != XML_ELEMENT_NODE) continue;
      const std::string child_name = ToLower(AsView(child->name));
      const std::string value(Trim(TextOf(child)));
      const std::string child_base = Enter(child, scope).base;
      if (child_name == "url") {
        image["href"] = FeedValue::String(ResolveUrl(value, child_base));
      } else if (child_name == "link") {
        image["link"] = FeedValue::String(ResolveUrl(value, child_base));
      } else if (child_name == "width" || child_name == "height") {
        char* end = nullptr;
        const long number = std::strtol(value.c_str(), &end, 10);
        if (!value.empty() && end != nullptr && *end == '\0') {
          image[child_name] = FeedValue::Int(number);
        }
      } else {
        image[child_name] = FeedValue::String(value);
      }
    }
  }

  FeedDocument& document_;
  Format format_ = Format::kUnknown;
  bool has_feed_element_ = false;
  bool guid_is_permalink_ = false;
  bool saw_guid_ = false;
  bool has_libxml_entry_xml_ = false;
  std::string root_lang_;
};

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

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct ContextDeleter {
  void operator()(xmlParserCtxt* context) const { xmlFreeParserCtxt(context); }
};

}  // namespace

FeedDocument ParseFeedDocument(std::string_view bytes) {
  FeedDocument document;
  document.root = FeedValue::Object();
  document.root["version"] = FeedValue::String("");
  document.root["feed"] = FeedValue::Object();
  document.root["entries"] = FeedValue::List();
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) {
    document.is_fatal = true;
    document.is_bozo = true;
    document.bozo_message = "the input is larger than 2 GB";
    return document;
  }
  // Undeclared and not UTF-8: Windows-1252, the usual encoding of such feeds (and a
  // superset of ISO-8859-1's printable characters).
  const char* encoding = nullptr;
  if (!DeclaresEncoding(bytes) && !IsValidUtf8(bytes)) encoding = "windows-1252";
  std::unique_ptr<xmlParserCtxt, ContextDeleter> context(xmlNewParserCtxt());
  if (context == nullptr) {
    document.is_fatal = true;
    document.is_bozo = true;
    document.bozo_message = "out of memory";
    return document;
  }
  // No NOENT (entities stay references, only internal ones are read), no DTDLOAD, no network.
  const int options = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
                      XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  std::unique_ptr<xmlDoc, DocDeleter> doc(xmlCtxtReadMemory(
      context.get(), bytes.data(), static_cast<int>(bytes.size()), nullptr, encoding, options));
  if (!context->wellFormed || !context->nsWellFormed) {
    document.is_bozo = true;
    const xmlError* error = xmlCtxtGetLastError(context.get());
    if (error != nullptr && error->message != nullptr) {
      document.bozo_message = std::string(Trim(error->message));
      document.bozo_message += " (line " + std::to_string(error->line) + ")";
    } else {
      document.bozo_message = "the XML is not well-formed";
    }
  }
  xmlNode* root = doc != nullptr ? xmlDocGetRootElement(doc.get()) : nullptr;
  FeedBuilder builder(document);
  builder.Build(root);
  if (!builder.has_feed_element()) {
    document.is_fatal = true;
    document.is_bozo = true;
    if (root == nullptr) {
      if (document.bozo_message.empty()) document.bozo_message = "the input is not XML";
    } else {
      document.bozo_message = "the root element <" + std::string(AsView(root->name)) +
                              "> is not rss, rdf:RDF, feed or CDF channel";
    }
  }
  return document;
}

namespace {

void CollectEntryXml(xmlNode* node, std::vector<EntryXmlPair>& out, int depth) {
  for (xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    const std::string name = ToLower(AsView(child->name));
    if (name == "item" || name == "entry") {
      EntryXmlPair pair;
      pair.libxml = LibxmlNodeXml(child);
      if (std::optional<std::string> own = OwnEntryXml(child)) {
        pair.own = std::move(*own);
        pair.is_own = true;
      }
      out.push_back(std::move(pair));
    }
    if (depth < 64) CollectEntryXml(child, out, depth + 1);
  }
}

}  // namespace

std::vector<EntryXmlPair> EntryXmlBothWays(std::string_view bytes) {
  std::vector<EntryXmlPair> out;
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return out;
  const char* encoding = nullptr;
  if (!DeclaresEncoding(bytes) && !IsValidUtf8(bytes)) encoding = "windows-1252";
  const int options = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
                      XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  std::unique_ptr<xmlDoc, DocDeleter> doc(
      xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), nullptr, encoding, options));
  if (doc == nullptr) return out;
  CollectEntryXml(reinterpret_cast<xmlNode*>(doc.get()), out, 0);
  return out;
}

}  // namespace feeds

namespace {

using feeds::StartsWith;
using feeds::Trim;

// HTML source to plain text: its text and links. Descriptions of the usual shapes take the
// fast path (html_fragment.h), which gives what the HTML reader would; the rest goes
// through the HTML reader.
void HtmlToText(std::string_view html, std::string& text, std::vector<std::string>& links) {
  if (sources_internal::FragmentToText(html, text, links)) return;
  std::vector<Post> posts;
  std::vector<Problem> ignored;
  ReadHtmlPost(html, "feed-entry.html", posts, ignored);
  if (posts.empty()) return;
  text = std::move(posts.front().text);
  for (std::string& link : posts.front().links) links.push_back(std::move(link));
}

std::string PlainTextOf(const feeds::FeedValue* detail, std::vector<std::string>& links) {
  if (detail == nullptr) return "";
  const std::string_view value = detail->StringAt("value");
  if (detail->StringAt("type") == "text/plain") return std::string(value);
  std::string text;
  HtmlToText(value, text, links);
  return text;
}

// The URL with its fragment removed.
std::string_view WithoutFragment(std::string_view url) {
  const size_t hash = url.find('#');
  return hash == std::string_view::npos ? url : url.substr(0, hash);
}

void AddUnique(std::vector<std::string>& links, std::string link) {
  if (link.empty()) return;
  if (std::find(links.begin(), links.end(), link) == links.end()) links.push_back(std::move(link));
}

// libxml2's recovery can keep bytes that are not UTF-8 in what it salvages: whatever
// leaves the reader (post fields, quotes in messages) is made valid here.
void RepairField(std::string& text) {
  size_t first_bad = 0;
  RepairUtf8(text, first_bad);
}

void RepairPost(Post& post) {
  for (std::string* field :
       {&post.id, &post.url, &post.title, &post.text, &post.lang, &post.author.name,
        &post.author.handle, &post.author.url, &post.parent_id, &post.parent_url}) {
    RepairField(*field);
  }
  for (std::string& link : post.links) RepairField(link);
}

// An entry mapped to a post, before the feed-level fields it may need (the feed's language
// and link) are known: a streamed feed may give them after its entries.
struct PendingPost {
  Post post;
  bool wants_feed_lang = false;
  bool wants_feed_parent = false;
};

// Maps one entry of the model to a post; false (with a problem) when it is skipped. Its
// problems go to `problems` in the order the document path always gave them.
bool MapEntry(const feeds::FeedValue& entry, std::string_view entry_xml, const std::string& source,
              const std::string& where, std::vector<Problem>& problems, PendingPost& pending) {
  Post& post = pending.post;
  post.source = source;
  post.url = std::string(entry.StringAt("link"));
  post.id = std::string(entry.StringAt("id"));
  if (post.id.empty()) post.id = post.url;
  if (post.id.empty()) post.id = where;
  const feeds::FeedValue* title_detail = entry.Find("title_detail");
  std::vector<std::string> ignored_links;
  post.title = PlainTextOf(title_detail, ignored_links);
  const feeds::FeedValue* content = entry.Find("content");
  const feeds::FeedValue* body = content != nullptr && !content->items.empty()
                                     ? &content->items.front()
                                     : entry.Find("summary_detail");
  std::vector<std::string> content_links;
  post.text = PlainTextOf(body, content_links);
  post.lang = std::string(entry.StringAt("language"));
  if (post.lang.empty() && body != nullptr) post.lang = std::string(body->StringAt("language"));
  pending.wants_feed_lang = post.lang.empty();
  if (const feeds::FeedValue* author = entry.Find("author_detail")) {
    post.author.name = std::string(author->StringAt("name"));
    if (post.author.name.empty()) post.author.name = std::string(author->StringAt("email"));
    post.author.url = std::string(author->StringAt("href"));
  }
  for (const auto& [key, field] :
       {std::pair<const char*, std::string*>{"published", &post.published_at},
        {"updated", &post.updated_at}}) {
    const std::string_view raw = entry.StringAt(key);
    if (raw.empty()) continue;
    // The model parsed it already (SetDate): "<key>_iso" is there when it is a date.
    const std::string_view iso = entry.StringAt(std::string(key) + "_iso");
    if (!iso.empty()) {
      *field = std::string(iso);
    } else {
      problems.push_back({where,
                          "<" + std::string(key) + "> \"" + std::string(raw) +
                              "\" is not a date; write it as RFC 822 or RFC 3339",
                          false});
    }
  }
  if (post.published_at.empty()) post.published_at = post.updated_at;
  // The article a comment answers: Atom threading, else a WordPress-style comment link
  // ("article#comment-12"), else (FinishPost) a comment feed whose channel link is the
  // article.
  if (const feeds::FeedValue* reply = entry.Find("thr_in-reply-to")) {
    post.parent_id = std::string(reply->StringAt("ref"));
    post.parent_url = std::string(reply->StringAt("href"));
  }
  if (post.parent_url.empty()) {
    const size_t hash = post.url.find('#');
    if (hash != std::string::npos &&
        StartsWith(std::string_view(post.url).substr(hash + 1), "comment")) {
      post.parent_url = std::string(WithoutFragment(post.url));
    } else {
      pending.wants_feed_parent = true;
    }
  }
  if (const feeds::FeedValue* enclosures = entry.Find("enclosures")) {
    for (const feeds::FeedValue& enclosure : enclosures->items) {
      AddUnique(post.links, std::string(enclosure.StringAt("href")));
    }
  }
  for (std::string& link : content_links) AddUnique(post.links, std::move(link));
  const std::string_view comments = entry.StringAt("slash_comments");
  if (!comments.empty()) {
    char* end = nullptr;
    const std::string count(Trim(comments));
    const long long value = std::strtoll(count.c_str(), &end, 10);
    if (end != nullptr && *end == '\0' && value >= 0) {
      post.comments = value;
    } else {
      problems.push_back({where,
                          "<slash:comments> \"" + count + "\" is not a count; write a whole number",
                          false});
    }
  }
  post.content_hash = ContentHash(entry_xml);
  if (post.text.empty() && post.title.empty() && post.url.empty()) {
    problems.push_back({where, "the entry has no title, text or link; it was skipped", false});
    return false;
  }
  return true;
}

// The feed-level fields of a post, once the whole feed is read.
void FinishPost(const feeds::FeedValue& feed, PendingPost& pending) {
  Post& post = pending.post;
  if (pending.wants_feed_lang) post.lang = std::string(feed.StringAt("language"));
  const std::string_view feed_link = feed.StringAt("link");
  if (pending.wants_feed_parent && !feed_link.empty() && post.url != feed_link &&
      WithoutFragment(post.url) == WithoutFragment(feed_link)) {
    post.parent_url = std::string(WithoutFragment(feed_link));
  }
  RepairPost(post);
}

std::string SourceOf(std::string_view version) {
  return StartsWith(version, "atom") ? "atom" : "rss";
}

struct ReaderDeleter {
  void operator()(xmlTextReader* reader) const { xmlFreeTextReader(reader); }
};

// libxml2 2.9 passes a mutable xmlError; later versions a const one.
void CountError(void* had_error, xmlError* /*error*/) { *static_cast<bool*>(had_error) = true; }

}  // namespace

namespace feeds {

void ReadFeedWithDocument(std::string_view bytes, std::string_view name,
                          const std::function<void(const Post&)>& emit,
                          std::vector<Problem>& problems) {
  const FeedDocument document = ParseFeedDocument(bytes);
  if (document.is_fatal) {
    problems.push_back({std::string(name),
                        "not a feed: " + document.bozo_message +
                            "; give an RSS 0.9x/1.0/2.0 or Atom 0.3/1.0 document",
                        true});
    return;
  }
  if (document.is_bozo) {
    problems.push_back({std::string(name),
                        "the feed is not well-formed XML (" + document.bozo_message +
                            "); what the parser could recover was read, fix the feed to be sure "
                            "nothing is lost",
                        false});
  }
  const std::string source = SourceOf(document.root.StringAt("version"));
  const FeedValue& feed = *document.root.Find("feed");
  const FeedValue& entries = *document.root.Find("entries");
  for (size_t i = 0; i < entries.items.size(); ++i) {
    const std::string where = std::string(name) + ":entry " + std::to_string(i + 1);
    PendingPost pending;
    if (!MapEntry(entries.items[i], document.entry_xml[i], source, where, problems, pending)) {
      continue;
    }
    FinishPost(feed, pending);
    emit(pending.post);
  }
}

// The streaming path. libxml2's text reader builds the tree one element of the feed at a
// time: each child of the feed (Atom's root, RSS's channel and root) is expanded into a
// small subtree, given to the same FeedBuilder steps as the document path in the same
// order, and its entries are mapped to posts and dropped at once; only the posts are kept.
//
// Anything this path does not reproduce exactly falls back to the document path, before
// anything is emitted: XML that is not well-formed (libxml2's recovery mode builds trees
// the text reader cannot, and the problem must name the same error), namespace errors, a
// DOCTYPE (entities, Netscape RSS 0.91), CDF, a root that is no feed (the fatal
// problem), or an entry our serializer leaves to xmlNodeDump (its content hash could
// depend on the document's encoding, which libxml2 settles at the end of the document).
// That is why the posts are held until the end of the feed: the error that sends a feed
// to the document path may come after its first entries.
bool ReadFeedStreaming(std::string_view bytes, std::string_view name,
                       const std::function<void(const Post&)>& emit,
                       std::vector<Problem>& problems) {
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return false;
  const char* encoding = nullptr;
  if (!DeclaresEncoding(bytes) && !IsValidUtf8(bytes)) encoding = "windows-1252";
  // The document path's options but recovery (an error sends the feed there instead).
  const int options = XML_PARSE_NONET | XML_PARSE_NOCDATA;
  std::unique_ptr<xmlTextReader, ReaderDeleter> reader(
      xmlReaderForMemory(bytes.data(), static_cast<int>(bytes.size()), nullptr, encoding, options));
  if (reader == nullptr) return false;
  bool had_error = false;
  xmlTextReaderSetStructuredErrorHandler(reader.get(), CountError, &had_error);

  FeedDocument document;
  document.root = FeedValue::Object();
  document.root["version"] = FeedValue::String("");
  document.root["feed"] = FeedValue::Object();
  document.root["entries"] = FeedValue::List();
  FeedBuilder builder(document);
  std::string source;
  Scope root_scope;
  Scope channel_scope;
  bool has_root = false;
  size_t entry_count = 0;
  std::vector<PendingPost> posts;
  std::vector<Problem> entry_problems;

  int status = xmlTextReaderRead(reader.get());
  while (status == 1 && !had_error) {
    const int type = xmlTextReaderNodeType(reader.get());
    if (type == XML_READER_TYPE_DOCUMENT_TYPE) return false;
    if (type != XML_READER_TYPE_ELEMENT) {
      status = xmlTextReaderRead(reader.get());
      continue;
    }
    xmlNode* node = xmlTextReaderCurrentNode(reader.get());
    if (node == nullptr) return false;
    const int depth = xmlTextReaderDepth(reader.get());
    if (depth == 0) {
      root_scope = builder.StartRoot(node);
      if (!builder.has_feed_element() || builder.format() == Format::kCdf) return false;
      source = SourceOf(document.root.StringAt("version"));
      has_root = true;
      status = xmlTextReaderRead(reader.get());
      continue;
    }
    const bool is_rss = builder.format() == Format::kRss;
    if (is_rss && depth == 1 && QualifiedName(node) == "channel") {
      // Its children are the feed's: read them one at a time too.
      channel_scope = builder.Enter(node, root_scope);
      status = xmlTextReaderRead(reader.get());
      continue;
    }
    // A child of the root, or (RSS) of the channel: we skip every other subtree.
    xmlNode* element = xmlTextReaderExpand(reader.get());
    if (element == nullptr || had_error) return false;
    builder.HandleFeedChild(element,
                            builder.Enter(element, depth == 1 ? root_scope : channel_scope));
    if (builder.has_libxml_entry_xml()) return false;
    FeedValue& entries = *document.root.Find("entries");
    for (size_t i = 0; i < entries.items.size(); ++i) {
      ++entry_count;
      const std::string where = std::string(name) + ":entry " + std::to_string(entry_count);
      PendingPost pending;
      if (MapEntry(entries.items[i], document.entry_xml[i], source, where, entry_problems,
                   pending)) {
        posts.push_back(std::move(pending));
      }
    }
    entries.items.clear();
    document.entry_xml.clear();
    status = xmlTextReaderNext(reader.get());
  }
  if (status != 0 || had_error || !has_root) return false;
  builder.FinishFeed();
  const FeedValue& feed = *document.root.Find("feed");
  for (PendingPost& pending : posts) FinishPost(feed, pending);
  problems.insert(problems.end(), std::make_move_iterator(entry_problems.begin()),
                  std::make_move_iterator(entry_problems.end()));
  for (const PendingPost& pending : posts) emit(pending.post);
  return true;
}

}  // namespace feeds

void ReadFeed(std::string_view bytes, std::string_view name,
              const std::function<void(const Post&)>& emit, std::vector<Problem>& problems) {
  const size_t first_problem = problems.size();
  if (!feeds::ReadFeedStreaming(bytes, name, emit, problems)) {
    feeds::ReadFeedWithDocument(bytes, name, emit, problems);
  }
  for (size_t i = first_problem; i < problems.size(); ++i) {
    RepairField(problems[i].where);
    RepairField(problems[i].message);
  }
}

}  // namespace ecoute

// The feed reader's XML helpers: libxml2 strings as views, the names feedparser gives
// elements, the text, attributes and markup of elements, the encoding a feed is read in, and
// the one escaper every serializer of the reader writes with. Internal to the feed reader.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <libxml/parser.h>
#include <libxml/tree.h>

namespace ecoute::feeds {

inline bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsXmlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsXmlSpace(s.back())) s.remove_suffix(1);
  return s;
}

inline char ToLowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLowerAscii(c);
  return out;
}

inline bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

inline bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool IsAsciiAlnum(char c) { return IsAsciiAlpha(c) || (c >= '0' && c <= '9'); }

// A libxml2 string as a view; empty for null.
inline std::string_view AsView(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

inline const xmlChar* AsXml(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

inline constexpr std::string_view kAtom10Ns = "http://www.w3.org/2005/Atom";
inline constexpr std::string_view kAtom03Ns = "http://purl.org/atom/ns#";
inline constexpr std::string_view kRss090Ns = "http://my.netscape.com/rdf/simple/0.9/";
inline constexpr std::string_view kXhtmlNs = "http://www.w3.org/1999/xhtml";

// The prefix feedparser gives the fields of `node`'s namespace: "" for the feed formats' own
// vocabularies, "dc", "itunes", "media"... for the known modules, the document's own
// prefix (lower-cased) for any other.
std::string PrefixOf(const xmlNode* node);

// "title", "dc:title", "itunes:block": the element's name as the handlers know it.
std::string QualifiedName(const xmlNode* node);

// Appends the character data under `node`, entity references expanded (internal entities
// only: nothing external is ever loaded), bounded in nesting and in size.
void AppendText(const xmlNode* node, std::string& out, int depth = 0);
std::string TextOf(const xmlNode* node);
bool HasElementChild(const xmlNode* node);

// The value of attribute `name` (without namespace), entity references expanded; empty
// when absent.
std::string Attribute(const xmlNode* node, const char* name);
bool HasAttribute(const xmlNode* node, const char* name);
// An xml: attribute (xml:lang, xml:base); nullopt when absent.
std::optional<std::string> XmlAttribute(const xmlNode* node, const char* name);

// HTML's void elements ("br", "img"...); `name` lower case.
bool IsVoidElement(std::string_view name);

// The inline markup under `node` re-serialized as HTML source: elements by their written
// name, text and attributes escaped, void elements self-closed ("<br />"), namespace
// declarations dropped but for a foreign root (MathML, SVG) that needs its xmlns.
std::string MarkupOf(const xmlNode* node);

// The length of the character or entity reference at `s[i]` ('&'), 0 when there is none.
size_t ReferenceLength(std::string_view s, size_t i);

// How the document path reads a feed: recovering what it can of XML that is not
// well-formed; no NOENT (entities stay references, only internal ones are read), no
// DTDLOAD, no network.
inline constexpr int kDocumentOptions = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
                                        XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;

// The encoding to read `bytes` in when it declares none: Windows-1252 (the usual encoding
// of such feeds, a superset of ISO-8859-1's printable characters) when it is not UTF-8,
// else null (libxml2's default, UTF-8).
const char* FallbackEncoding(std::string_view bytes);

// The ways the reader escapes text. Each writes '&' as "&amp;"; the others it escapes are
// '<' "&lt;", '>' "&gt;", '"' "&quot;", LF "&#10;", CR "&#13;", tab "&#9;".
enum class XmlEscaping {
  kMarkupText,       // MarkupOf's text: & < >
  kMarkupAttribute,  // MarkupOf's attribute values: & < > "
  kDumpText,         // text as libxml2 2.9's xmlNodeDump writes it: & < > CR
  // Attribute values as xmlNodeDump writes them in ASCII: & < > " LF CR tab; any byte
  // above 0x7F fails, since its escaping depends on the document's encoding.
  kDumpAttribute,
  // HTML source as feedparser writes it: references kept as written (with "&#X" as "&#x"),
  // bare ampersands escaped; in attribute values < > " too.
  kHtmlText,
  kHtmlAttribute,
};

// Appends `text` escaped as `escaping` says. False (with `out` holding part of the text)
// only for kDumpAttribute and a byte above 0x7F.
bool AppendEscaped(std::string_view text, XmlEscaping escaping, std::string& out);

}  // namespace ecoute::feeds

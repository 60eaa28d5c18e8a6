#include "sources/feed/html_source.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libxml/uri.h>
#include <libxml/xmlmemory.h>

#include "sources/feed/xml_text.h"

namespace ecoute::feeds {

bool IsUnsafeBase(std::string_view url) {
  const std::string lower = ToLower(Trim(url));
  return StartsWith(lower, "javascript:") || StartsWith(lower, "vbscript:") ||
         StartsWith(lower, "data:");
}

namespace {

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

}  // namespace

std::string ResolveUrl(std::string_view url, std::string_view base) {
  std::string trimmed(Trim(url));
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

namespace {

using Attributes = std::vector<std::pair<std::string, std::string>>;

// The attributes of the start tag whose name ends at `j`, up to its '>' (`j` is left past
// it): href and src resolved against `base`. False when the tag does not end (no '>', or a
// quote that is not closed): it is text then.
bool ReadAttributes(std::string_view html, size_t& j, std::string_view base,
                    Attributes& attributes) {
  while (j < html.size()) {
    while (j < html.size() && IsXmlSpace(html[j])) ++j;
    if (j >= html.size()) break;
    if (html[j] == '>') {
      ++j;
      return true;
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
        if (end == std::string_view::npos) return false;
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
  return false;
}

void AppendStartTag(std::string_view tag_name, Attributes& attributes, std::string& out) {
  std::stable_sort(attributes.begin(), attributes.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  out.push_back('<');
  out += tag_name;
  for (const auto& [attr_name, value] : attributes) {
    out.push_back(' ');
    out += attr_name;
    out += "=\"";
    AppendEscaped(value, XmlEscaping::kHtmlAttribute, out);
    out.push_back('"');
  }
  out += IsVoidElement(ToLower(tag_name)) ? " />" : ">";
}

}  // namespace

std::string NormalizeHtml(std::string_view html, std::string_view base) {
  std::string out;
  out.reserve(html.size() + html.size() / 8);
  size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '&') {
      const size_t length = ReferenceLength(html, i);
      AppendEscaped(html.substr(i, length == 0 ? 1 : length), XmlEscaping::kHtmlText, out);
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
    Attributes attributes;
    if (!ReadAttributes(html, j, base, attributes)) {  // not a tag after all: the rest is text
      AppendEscaped(html.substr(i), XmlEscaping::kHtmlText, out);
      break;
    }
    AppendStartTag(tag_name, attributes, out);
    i = j;
  }
  return out;
}

}  // namespace ecoute::feeds

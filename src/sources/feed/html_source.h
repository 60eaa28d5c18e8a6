// URLs and HTML source in feed fields: relative URLs resolved against xml:base, and the HTML
// of descriptions and contents normalized as feedparser writes it. Internal to the feed
// reader.
#pragma once

#include <string>
#include <string_view>

namespace ecoute::feeds {

// True for a base that must not be used (javascript:, vbscript:, data:).
bool IsUnsafeBase(std::string_view url);

// `url` resolved against `base` (RFC 3986, IRIs included); `url` trimmed as written when
// either is not a URL, `base` when `url` is empty.
std::string ResolveUrl(std::string_view url, std::string_view base);

// HTML source as feedparser writes it: start tags re-serialized (attributes sorted and
// double-quoted, void elements closed as "<br />"), bare ampersands escaped, relative href
// and src resolved against `base`. Anything that is not a tag is kept as text.
std::string NormalizeHtml(std::string_view html, std::string_view base);

}  // namespace ecoute::feeds

// A fast path from a short HTML fragment (a feed entry's description or content) to plain
// text: one pass over the markup, no DOM, for the common shapes of feed descriptions
// (paragraphs, headings, lists, quotes, divs, inline formatting, links, images, scripts and
// styles skipped, comments). Its result is the HTML reader's (ReadHtmlPost) on the same
// input, page layout rules and main-article cleaning included; whatever it does not model
// makes it decline, so that the caller falls back to the HTML reader.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ecoute::sources_internal {

// Writes the visible text of `html` to `text` (replacing it) and appends its links (the
// `<a href>` of the text, in order, unique, in-page and script links left out) to `links`,
// exactly as ReadHtmlPost would give them, and returns true. Returns false, with `text` and
// `links` left unchanged, when the fragment holds something this path does not model:
// tables, forms, <pre>, SVG/MathML, misnested or unknown tags, rare character references,
// class names of page furniture or comments, hidden elements, invalid UTF-8... Linear in the
// size of `html`; thread-safe.
bool FragmentToText(std::string_view html, std::string& text, std::vector<std::string>& links);

}  // namespace ecoute::sources_internal

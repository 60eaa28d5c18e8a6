// HTML elements as the readers that turn markup into text see them: one table, one row per
// element that matters to any of them, with what each use reads of it.
//
// The uses need different sets, and the columns say which and why:
// - Layout, read by every walk that writes text (html_reader.cc's page walk,
//   mastodon_reader.cc's statuses, html_fragment.cc's fast path): the gap an element makes
//   around itself as a browser lays it out, whether its whitespace is kept, whether its
//   content is never shown.
// - Article extraction (article.cc, mirrored by html_fragment.cc): the blocks, a narrower set
//   than the elements with a gap (after Readability: list items, cells, captions and the like
//   always sit inside one of them, so a container holding one already holds a block), and
//   the elements scored as paragraphs.
// - Parsing (html_fragment.cc's tree building, which must build what gumbo builds): the
//   start tags that close an open <p> in HTML's "in body" insertion mode.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include <gumbo.h>

#include "sources/html_text.h"

namespace ecoute::sources_internal {

// How the article extraction scores an element's text.
enum class ParagraphRole : uint8_t {
  kNone,
  kAlways,         // a paragraph whatever it holds
  kWithoutBlocks,  // a paragraph when it holds no block
};

struct HtmlElement {
  // Layout.
  Gap gap = Gap::kNone;        // the separation it causes before and after itself
  bool is_verbatim = false;    // its whitespace is kept
  bool is_never_text = false;  // its content is never shown: code, styling, metadata, and
                               // fallback content modern browsers never show (noscript with
                               // scripting on, audio/video "not supported" messages)
  // Article extraction.
  bool is_block = false;  // a container holding one is not itself a paragraph
  ParagraphRole paragraph = ParagraphRole::kNone;
  // Parsing.
  bool closes_p = false;  // its start tag closes an open <p> (in a quirks-mode document a
                          // <table> does not: the fragment path, the one user, has no table)

  constexpr bool operator==(const HtmlElement&) const = default;
};

struct HtmlElementRow {
  GumboTag tag;
  HtmlElement element;
};

namespace html_element_table {

constexpr Gap kPara = Gap::kParagraph;
constexpr ParagraphRole kAlways = ParagraphRole::kAlways;
constexpr ParagraphRole kUnlessBlocks = ParagraphRole::kWithoutBlocks;

// Any element not here has the defaults: inline, shown, no role.
inline constexpr HtmlElementRow kRows[] = {
    // Blocks of the article extraction (all of them with a paragraph gap).
    {GUMBO_TAG_ADDRESS, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_ARTICLE,
     {.gap = kPara, .is_block = true, .paragraph = kUnlessBlocks, .closes_p = true}},
    {GUMBO_TAG_ASIDE, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_BLOCKQUOTE,
     {.gap = kPara, .is_block = true, .paragraph = kUnlessBlocks, .closes_p = true}},
    {GUMBO_TAG_DIV, {.gap = kPara, .is_block = true, .paragraph = kUnlessBlocks, .closes_p = true}},
    {GUMBO_TAG_DL, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_FIGURE, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_FOOTER, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_FORM, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_H1, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_H2, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_H3, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_H4, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_H5, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_H6, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_HEADER, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_HR, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_MAIN, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_NAV, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_OL, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_P, {.gap = kPara, .is_block = true, .paragraph = kAlways, .closes_p = true}},
    {GUMBO_TAG_PRE,
     {.gap = kPara, .is_verbatim = true, .is_block = true, .paragraph = kAlways, .closes_p = true}},
    {GUMBO_TAG_SECTION,
     {.gap = kPara, .is_block = true, .paragraph = kUnlessBlocks, .closes_p = true}},
    {GUMBO_TAG_TABLE, {.gap = kPara, .is_block = true, .closes_p = true}},
    {GUMBO_TAG_UL, {.gap = kPara, .is_block = true, .closes_p = true}},
    // Other elements laid out as blocks.
    {GUMBO_TAG_BODY, {.gap = kPara}},
    {GUMBO_TAG_CAPTION, {.gap = kPara}},
    {GUMBO_TAG_CENTER, {.gap = kPara, .closes_p = true}},
    {GUMBO_TAG_DD, {.gap = kPara, .closes_p = true}},
    {GUMBO_TAG_DETAILS, {.gap = kPara, .closes_p = true}},
    {GUMBO_TAG_DIR, {.gap = kPara, .closes_p = true}},
    {GUMBO_TAG_DT, {.gap = kPara, .closes_p = true}},
    {GUMBO_TAG_FIELDSET, {.gap = kPara, .closes_p = true}},
    {GUMBO_TAG_FIGCAPTION, {.gap = kPara, .closes_p = true}},
    {GUMBO_TAG_HGROUP, {.gap = kPara, .closes_p = true}},
    {GUMBO_TAG_HTML, {.gap = kPara}},
    {GUMBO_TAG_LEGEND, {.gap = kPara}},
    {GUMBO_TAG_LI, {.gap = kPara, .closes_p = true}},
    {GUMBO_TAG_MENU, {.gap = kPara, .closes_p = true}},
    {GUMBO_TAG_SUMMARY, {.gap = kPara, .closes_p = true}},
    {GUMBO_TAG_TBODY, {.gap = kPara}},
    {GUMBO_TAG_TFOOT, {.gap = kPara}},
    {GUMBO_TAG_THEAD, {.gap = kPara}},
    {GUMBO_TAG_TR, {.gap = kPara}},
    // Text kept as written.
    {GUMBO_TAG_LISTING, {.gap = kPara, .is_verbatim = true, .closes_p = true}},
    {GUMBO_TAG_PLAINTEXT, {.gap = kPara, .is_verbatim = true, .closes_p = true}},
    {GUMBO_TAG_TEXTAREA, {.gap = kPara, .is_verbatim = true}},
    {GUMBO_TAG_XMP, {.gap = kPara, .is_verbatim = true, .closes_p = true}},
    // Line breaks; cells of one row stay on one line, but their words must not run together.
    {GUMBO_TAG_BR, {.gap = Gap::kLine}},
    {GUMBO_TAG_TD, {.gap = Gap::kSpace, .paragraph = kAlways}},
    {GUMBO_TAG_TH, {.gap = Gap::kSpace}},
    // Never shown (iframe, noembed and noframes hold raw text).
    {GUMBO_TAG_AUDIO, {.is_never_text = true}},
    {GUMBO_TAG_DATALIST, {.is_never_text = true}},
    {GUMBO_TAG_HEAD, {.is_never_text = true}},
    {GUMBO_TAG_IFRAME, {.is_never_text = true}},
    {GUMBO_TAG_NOEMBED, {.is_never_text = true}},
    {GUMBO_TAG_NOFRAMES, {.is_never_text = true}},
    {GUMBO_TAG_NOSCRIPT, {.is_never_text = true}},
    {GUMBO_TAG_SCRIPT, {.is_never_text = true}},
    {GUMBO_TAG_STYLE, {.is_never_text = true}},
    {GUMBO_TAG_TEMPLATE, {.is_never_text = true}},
    {GUMBO_TAG_TITLE, {.is_never_text = true}},
    {GUMBO_TAG_VIDEO, {.is_never_text = true}},
};

// kRows indexed by tag.
inline constexpr auto kByTag = [] {
  std::array<HtmlElement, static_cast<size_t>(GUMBO_TAG_LAST) + 1> by_tag{};
  for (const HtmlElementRow& row : kRows) by_tag[static_cast<size_t>(row.tag)] = row.element;
  return by_tag;
}();

}  // namespace html_element_table

// The row of `tag` (the defaults for an element not in the table). Constant time.
constexpr const HtmlElement& HtmlElementOf(GumboTag tag) {
  return html_element_table::kByTag[static_cast<size_t>(tag)];
}

// What an element does to the text around and inside it.
struct Layout {
  bool is_hidden = false;    // its content is not shown
  bool is_verbatim = false;  // its whitespace is kept
  Gap gap = Gap::kNone;      // the separation it causes before and after itself
};

// The layout of an element or template node by its tag and namespace alone (the page reader
// also hides elements marked `hidden`). Templates are never shown; SVG is drawings, whose
// <text> and <title> are labels, not prose; MathML stays, since a formula's text is what the
// reader sees, but lays nothing out.
inline Layout LayoutOf(const GumboNode& node) {
  if (node.type == GUMBO_NODE_TEMPLATE) return {.is_hidden = true};
  const GumboElement& element = node.v.element;
  if (element.tag_namespace == GUMBO_NAMESPACE_SVG) return {.is_hidden = true};
  if (element.tag_namespace != GUMBO_NAMESPACE_HTML) return {};
  const HtmlElement& row = HtmlElementOf(element.tag);
  return {.is_hidden = row.is_never_text, .is_verbatim = row.is_verbatim, .gap = row.gap};
}

}  // namespace ecoute::sources_internal

// Unicode folding shared by the analysis' normalization (text/normalize.h) and the search
// index's tokens (text/tokenize.h).
//
// Both fold the code points below kFoldTableLimit through a table built once, and both
// strip accents with the same utf8proc decomposition (DecomposeAccentFree). Their tables
// hold different things, on purpose, and must stay as they are: a change to the first
// changes verdicts, a change to the second what the store's full-text index holds.
//
// | what                       | Normalize()                        | search tokens             |
// |----------------------------|------------------------------------|---------------------------|
// | separators                 | - ' _ ’ ʼ ´ ′, spaces, dashes and  | not word characters:      |
// |                            | controls become one space          | they split words          |
// | symbols, punctuation       | kept (in the decomposition too:    | dropped ("½" -> "12")     |
// |                            | "½" -> "1⁄2")                      |                           |
// | æ œ ø ł đ                  | case-folded only ("Œ" -> "œ")      | "ae", "oe", "o", "l", "d" |
// | before stemming            | (no stemming)                      | case folding in NFC,      |
// |                            |                                    | accents kept              |
// | enclosing marks (Me)       | not word characters                | word characters           |
// | above the table            | only presentation and full-width   | utf8proc at each call     |
// |                            | forms fold, the rest is kept       |                           |
#pragma once

#include <cstdint>

#include <utf8proc.h>

namespace ecoute {

// Code points below this bound (Latin, Greek, Cyrillic, Hebrew, Arabic, Indic scripts...
// up to the box-drawing block) are folded through tables computed once; above it (CJK,
// emoji...) each use decides.
constexpr char32_t kFoldTableLimit = 0x2500;

// The longest accent-free decomposition DecomposeAccentFree() writes.
constexpr int kMaxAccentFreeLength = 18;

// The accent-free form of `cp` as code points: case folded, compatibility-decomposed,
// marks stripped (utf8proc: CASEFOLD | COMPAT | DECOMPOSE | STRIPMARK): "É" -> "e",
// "ﬁ" -> "fi", "½" -> "1⁄2", a combining mark -> nothing. Returns the number of code
// points, written to `out` when at most kMaxAccentFreeLength, or a negative number when
// utf8proc cannot decompose `cp`.
int DecomposeAccentFree(char32_t cp, int32_t (&out)[kMaxAccentFreeLength]);

// Whether a code point of general category `category` (utf8proc_category) is a word
// character: a letter (L*), a number (N*), a mark (Mn, Mc) or, when
// `with_enclosing_marks`, an enclosing mark (Me; the search tokens count them, the
// analysis' word boundaries do not).
constexpr bool IsWordCategory(int category, bool with_enclosing_marks) {
  switch (category) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    case UTF8PROC_CATEGORY_ME:
      return with_enclosing_marks;
    default:
      return false;
  }
}

// The general category of `cp` (utf8proc_category).
inline int CategoryOf(char32_t cp) { return utf8proc_category(static_cast<utf8proc_int32_t>(cp)); }

}  // namespace ecoute

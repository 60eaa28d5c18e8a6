// Normalization for matching: case folding, accent stripping and separator unification,
// with a map back to the original bytes.
//
// "Bouygues-Télécom" and "bouygues  telecom" both become "bouygues telecom": every later
// matcher (brands, cues) works on this form, and every span it finds maps back to the
// post's own bytes through `offsets`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ecoute {

struct NormalizedText {
  std::string text;
  // offsets[i] is the byte offset in the original of the character that produced
  // text[i]; offsets[text.size()] is the original's size.
  std::vector<uint32_t> offsets;
  // Positions in `text` where a sentence or a paragraph ends (just past the terminator or
  // at the line break), ascending. The end of the text is not listed.
  std::vector<uint32_t> sentence_ends;
  std::vector<uint32_t> paragraph_ends;

  void Clear() {
    text.clear();
    offsets.clear();
    sentence_ends.clear();
    paragraph_ends.clear();
  }
  // The original byte range of the normalized range [begin, end).
  uint32_t OriginalBegin(uint32_t begin) const { return offsets[begin]; }
  uint32_t OriginalEnd(uint32_t end) const;
};

// Normalizes valid UTF-8 `input` into `out` (cleared first; its buffers are reused):
// - letters are case-folded and stripped of their accents (utf8proc: casefold, compat
//   decomposition, marks removed), so "É" becomes "e" and "ﬁ" becomes "fi";
// - hyphens, dashes, apostrophes (' ’ ʼ), underscores and every run of white space become
//   one space; leading white space is dropped;
// - everything else (digits, punctuation, symbols such as "€", emoji) is kept as is.
// Thread-safe; the folding table is built once, on first use.
void Normalize(std::string_view input, NormalizedText& out);

// The same folding for a short string without the offset map (catalog aliases, lexicon
// terms). Trailing white space is dropped too.
std::string NormalizeTerm(std::string_view input);

// True when the code point is a letter, a digit or a combining mark: what a word is made
// of, for word-boundary tests.
bool IsWordCodepoint(char32_t cp);

// Word-boundary tests on normalized text: true when no word character touches position
// `pos` from the left (IsWordBoundaryBefore) or from the right (IsWordBoundaryAfter).
bool IsWordBoundaryBefore(std::string_view text, size_t pos);
bool IsWordBoundaryAfter(std::string_view text, size_t pos);

}  // namespace ecoute

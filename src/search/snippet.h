// Snippets of search hits: the words of a post that the query matched, highlighted, in a
// window of the post's text. The same folding and stemming as the full-text index
// (text/tokenize.h), so that what is highlighted is what matched, computed from the text
// alone: no second query of the index per hit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "text/tokenize.h"

namespace ecoute {

// Appends `text` with its control characters (but tab and line ends) as spaces: the
// highlight marks a caller chooses may be control characters, and a post must not be able
// to fake them. Every snippet and excerpt shown with marks goes through it.
void AppendVisible(std::string_view text, std::string& out);

class SnippetMaker {
 public:
  // `words` and `match` are a SearchQuery's: its positive words (phrase words included) and
  // its FTS5 expression, which tells the prefixes ("rembour" *) from the words.
  SnippetMaker(const std::vector<std::string>& words, std::string_view match);

  // `text` (a post in language `lang`, a code as StemLanguageFromCode reads it) with each
  // matching word between `open` and `close`. A text of more than `max_tokens` words is cut
  // to the window of `max_tokens` words holding the most matches (two words of context
  // before the first), with "…" where the text goes on.
  std::string Make(std::string_view text, std::string_view lang, std::string_view open,
                   std::string_view close, size_t max_tokens = 24);

 private:
  bool Matches(std::string_view index_form) const;

  SearchTokenizer tokenizer_;
  std::vector<std::string> forms_;     // index forms a word must equal, in any language
  std::vector<std::string> prefixes_;  // folded prefixes a word's index form may start with
  struct Token {
    size_t begin, end;
    bool is_match;
  };
  std::vector<Token> tokens_;  // scratch
};

}  // namespace ecoute

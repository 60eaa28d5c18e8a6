// Any bytes into the search tokenizer: no crash, leak or hang; tokens are non-empty valid
// UTF-8 of at most kMaxTokenBytes, their ranges lie within the input in order, and a word
// folded alone (as a query folds it) gets the index form it had in the text.
//
// The first byte picks the language: 'f' French, 'e' English, 'd' German, 's' Spanish,
// 'i' Italian, 'p' Portuguese, 'n' Dutch, anything else none.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "text/tokenize.h"
#include "util/utf8.h"

namespace {

std::string_view LanguageOf(char c) {
  switch (c) {
    case 'f':
      return "fr";
    case 'e':
      return "en";
    case 'd':
      return "de";
    case 's':
      return "es";
    case 'i':
      return "it";
    case 'p':
      return "pt";
    case 'n':
      return "nl";
    default:
      return "";
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static ecoute::SearchTokenizer* const tokenizer = new ecoute::SearchTokenizer();  // NOLINT
  static ecoute::SearchTokenizer* const folder = new ecoute::SearchTokenizer();     // NOLINT
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string_view language = LanguageOf(bytes[0]);
  const std::string_view text = bytes.substr(1);
  const ecoute::StemLanguage stem_language = ecoute::StemLanguageFromCode(language);
  size_t previous_end = 0;
  tokenizer->Tokenize(text, language, [&](std::string_view token, size_t begin, size_t end) {
    if (begin < previous_end || begin >= end || end > text.size()) std::abort();
    if (token.empty() || token.size() > ecoute::kMaxTokenBytes) std::abort();
    if (!ecoute::IsValidUtf8(token)) std::abort();
    if (folder->FoldWord(text.substr(begin, end - begin), stem_language) != token) std::abort();
    previous_end = end;
  });
  return 0;
}

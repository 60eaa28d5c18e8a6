#include "search/snippet.h"

#include <algorithm>

namespace ecoute {
namespace {

// The word as the query builder writes it into the FTS5 expression: a string, with its
// double quotes doubled.
std::string Quoted(std::string_view word) {
  std::string out = "\"";
  for (char c : word) {
    out += c;
    if (c == '"') out += '"';
  }
  out += '"';
  return out;
}

void AddOnce(std::vector<std::string>& list, std::string_view form) {
  if (!form.empty() && std::find(list.begin(), list.end(), form) == list.end()) {
    list.emplace_back(form);
  }
}

}  // namespace

void AppendVisible(std::string_view text, std::string& out) {
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c >= 0x20 && c != 0x7F) || c == '\t' || c == '\n' || c == '\r') continue;
    out.append(text.substr(run, i - run));
    out.push_back(' ');
    run = i + 1;
  }
  out.append(text.substr(run));
}

// Each word of the query yields what the index's tokenizer makes of it as a query: its
// plain folded form and its index form in each stemming language; a prefix, its plain
// folded form only (fts5_tokenizer.h).
SnippetMaker::SnippetMaker(const std::vector<std::string>& words, std::string_view match) {
  for (const std::string& word : words) {
    const bool is_prefix = match.find(Quoted(word) + " *") != std::string_view::npos;
    std::vector<std::pair<size_t, size_t>> parts;  // a word may hold several ("l'avion")
    tokenizer_.Tokenize(word, "", [&](std::string_view folded, size_t begin, size_t end) {
      if (is_prefix) {
        AddOnce(prefixes_, folded);
      } else {
        AddOnce(forms_, folded);
      }
      parts.emplace_back(begin, end);
    });
    if (is_prefix) continue;
    for (auto [begin, end] : parts) {
      for (size_t language = 1; language < kStemLanguageCount; ++language) {
        AddOnce(forms_, tokenizer_.FoldWord(std::string_view(word).substr(begin, end - begin),
                                            static_cast<StemLanguage>(language)));
      }
    }
  }
}

bool SnippetMaker::Matches(std::string_view index_form) const {
  for (const std::string& form : forms_) {
    if (index_form == form) return true;
  }
  for (const std::string& prefix : prefixes_) {
    if (index_form.starts_with(prefix)) return true;
  }
  return false;
}

std::string SnippetMaker::Make(std::string_view text, std::string_view lang, std::string_view open,
                               std::string_view close, size_t max_tokens) {
  tokens_.clear();
  tokenizer_.Tokenize(text, lang, [&](std::string_view form, size_t begin, size_t end) {
    tokens_.push_back({begin, end, Matches(form)});
  });
  // The window: all of it, or the max_tokens words with the most matches, the earliest of
  // equals, moved back to show two words before its first match.
  size_t first = 0, count = tokens_.size();
  if (max_tokens > 0 && tokens_.size() > max_tokens) {
    count = max_tokens;
    size_t in_window = 0, best = 0;
    for (size_t i = 0; i < max_tokens; ++i) in_window += tokens_[i].is_match;
    best = in_window;
    for (size_t start = 1; start + max_tokens <= tokens_.size(); ++start) {
      in_window += tokens_[start + max_tokens - 1].is_match;
      in_window -= tokens_[start - 1].is_match;
      if (in_window > best) {
        best = in_window;
        first = start;
      }
    }
    size_t first_match = first;
    while (first_match < first + count && !tokens_[first_match].is_match) ++first_match;
    if (first_match < first + count) first = first_match >= 2 ? first_match - 2 : 0;
    first = std::min(first, tokens_.size() - count);
  }
  const bool cut_before = first > 0;
  const bool cut_after = first + count < tokens_.size();
  size_t at = cut_before ? tokens_[first].begin : 0;
  std::string out;
  if (cut_before) out += "…";
  for (size_t i = first; i < first + count; ++i) {
    const Token& token = tokens_[i];
    if (!token.is_match) continue;
    AppendVisible(text.substr(at, token.begin - at), out);
    out.append(open);
    AppendVisible(text.substr(token.begin, token.end - token.begin), out);
    out.append(close);
    at = token.end;
  }
  const size_t end = cut_after ? tokens_[first + count - 1].end : text.size();
  if (end > at) AppendVisible(text.substr(at, end - at), out);
  if (cut_after) out += "…";
  return out;
}

}  // namespace ecoute

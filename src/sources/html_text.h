// Plain text out of HTML layout, shared by the readers that turn markup into post text
// (web pages, feed descriptions through them, Mastodon statuses).
#pragma once

#include <string>
#include <string_view>

namespace ecoute::sources_internal {

// The HTML standard's whitespace (U+000C included), which is what browsers collapse.
inline bool IsHtmlSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

enum class Gap { kNone, kSpace, kLine, kParagraph };

// Writes visible text the way a browser lays it out, reduced to plain text: whitespace
// between words is only remembered as the widest gap asked for since the last word, and
// written just before the next one. So nested blocks never pile up blank lines and
// nothing trails at the end.
class TextBuilder {
 public:
  explicit TextBuilder(std::string& out) : out_(out) {}

  void RequestGap(Gap gap) {
    if (gap > gap_) gap_ = gap;
  }

  // Inline text: each run of whitespace becomes one space.
  void AppendCollapsed(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
      if (IsHtmlSpace(text[i])) {
        RequestGap(Gap::kSpace);
        ++i;
        continue;
      }
      size_t end = i;
      while (end < text.size() && !IsHtmlSpace(text[end])) ++end;
      FlushGap();
      out_.append(text, i, end - i);
      i = end;
    }
  }

  // Text of <pre> and the like, kept as written but for what post.h rules out: CR line
  // endings, blank lines at the start, trailing spaces and runs of blank lines (which
  // become one paragraph break).
  void AppendVerbatim(std::string_view text) {
    if (text.empty()) return;
    FlushGap();
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
      if (text[i] != '\r' && text[i] != '\n') {
        out_.push_back(text[i]);
        continue;
      }
      while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\t')) out_.pop_back();
      const size_t n = out_.size();
      if (n == 0 || (n >= 2 && out_[n - 1] == '\n' && out_[n - 2] == '\n')) continue;
      out_.push_back('\n');
    }
  }

  void Finish() {
    while (!out_.empty() && IsHtmlSpace(out_.back())) out_.pop_back();
    gap_ = Gap::kNone;
  }

 private:
  void FlushGap() {
    if (out_.empty()) {
      gap_ = Gap::kNone;  // nothing to separate from
      return;
    }
    switch (gap_) {
      case Gap::kNone:
        break;
      case Gap::kSpace:
        if (!IsHtmlSpace(out_.back())) out_.push_back(' ');
        break;
      case Gap::kLine:
      case Gap::kParagraph:
        // Verbatim text may end in whitespace; the break replaces it.
        while (!out_.empty() && IsHtmlSpace(out_.back())) out_.pop_back();
        if (!out_.empty()) out_.append(gap_ == Gap::kLine ? "\n" : "\n\n");
        break;
    }
    gap_ = Gap::kNone;
  }

  std::string& out_;
  Gap gap_ = Gap::kNone;
};

}  // namespace ecoute::sources_internal

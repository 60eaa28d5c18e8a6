#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "sources/text_input.h"
#include "util/utf8.h"

namespace ecoute {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (!IsAsciiSpace(c)) return false;
  }
  return true;
}

// Splits `text` into lines at LF, CRLF or a lone CR (old Mac files), and joins them with LF:
// blank lines (only spaces and tabs) separate paragraphs, so each run of them becomes a
// single empty line, and leading and trailing ones are dropped. This gives the "\n\n"
// paragraph separator that post.h promises whatever the editor that wrote the file.
void NormalizeLines(std::string_view text, std::string& out) {
  out.clear();
  out.reserve(text.size());
  bool pending_blank = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = pos;
    while (end < text.size() && text[end] != '\n' && text[end] != '\r') ++end;
    const std::string_view line = text.substr(pos, end - pos);
    pos = end;
    if (pos < text.size()) {
      pos += (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ? 2 : 1;
    }
    if (IsBlank(line)) {
      pending_blank = !out.empty();
      continue;
    }
    if (!out.empty()) out.append(pending_blank ? "\n\n" : "\n");
    pending_blank = false;
    out.append(line);
  }
  while (!out.empty() && IsAsciiSpace(out.back())) out.pop_back();
}

}  // namespace

namespace sources_internal {

bool DecodeTextInput(std::string_view bytes, std::string_view name, std::string& text,
                     std::vector<Problem>& problems) {
  size_t skipped = 0;
  if (bytes.substr(0, kUtf8Bom.size()) == kUtf8Bom) {
    skipped = kUtf8Bom.size();
    bytes.remove_prefix(skipped);
  }
  if (IsBlank(bytes)) {
    problems.push_back({std::string(name), "empty input, nothing to analyze", true});
    return false;
  }
  if (LooksBinary(bytes)) {
    constexpr size_t kProbe = 4096;  // LooksBinary's default probe
    const size_t probe = std::min(bytes.size(), kProbe);
    const void* nul = std::memchr(bytes.data(), '\0', probe);
    std::string message = "looks like binary data (";
    if (nul != nullptr) {
      const size_t offset = static_cast<const char*>(nul) - bytes.data() + skipped;
      message += "NUL byte at offset " + std::to_string(offset);
    } else {
      message += "over 10% control characters in the first " + std::to_string(probe) + " bytes";
    }
    message += "), not a text post";
    problems.push_back({std::string(name), std::move(message), true});
    return false;
  }
  text.assign(bytes);
  size_t first_bad = 0;
  const size_t replaced = RepairUtf8(text, first_bad);
  if (replaced > 0) {
    problems.push_back({std::string(name) + ":byte " + std::to_string(first_bad + skipped),
                        "invalid UTF-8 replaced with U+FFFD (" + std::to_string(replaced) +
                            (replaced == 1 ? " sequence)" : " sequences)"),
                        false});
  }
  return true;
}

}  // namespace sources_internal

void ReadTextPost(std::string_view bytes, std::string_view name, std::vector<Post>& posts,
                  std::vector<Problem>& problems) {
  std::string text;
  if (!sources_internal::DecodeTextInput(bytes, name, text, problems)) return;
  Post post;
  post.id = std::string(name);
  post.source = "text";
  post.content_hash = ContentHash(bytes);
  NormalizeLines(text, post.text);
  posts.push_back(std::move(post));
}

}  // namespace ecoute

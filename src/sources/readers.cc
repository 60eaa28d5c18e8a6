#include <algorithm>
#include <functional>
#include <string_view>
#include <vector>

#include "ecoute/post.h"
#include "ecoute/sources.h"

namespace ecoute {
namespace {

char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return ToLowerAscii(x) == ToLowerAscii(y); });
}

bool StartsWithIgnoreAsciiCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreAsciiCase(s.substr(0, prefix.size()), prefix);
}

// `needle` must be lower case.
bool ContainsIgnoreAsciiCase(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char x, char y) { return ToLowerAscii(x) == y; }) != haystack.end();
}

// The extension of the last path component, without the dot; empty when there is none.
std::string_view ExtensionOf(std::string_view name) {
  const size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  const size_t dot = name.rfind('.');
  // A leading dot names a hidden file (".md" alone is not a Markdown file name).
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

bool FormatFromExtension(std::string_view extension, InputFormat& format) {
  struct ExtensionFormat {
    std::string_view extension;
    InputFormat format;
  };
  // .json is read as JSON lines too: exports named .json are most often one object per
  // line, and a single object on one line is a valid JSON-lines file.
  static constexpr ExtensionFormat kExtensions[] = {
      {"jsonl", InputFormat::kJsonLines}, {"ndjson", InputFormat::kJsonLines},
      {"json", InputFormat::kJsonLines},  {"html", InputFormat::kHtml},
      {"htm", InputFormat::kHtml},        {"xhtml", InputFormat::kHtml},
      {"txt", InputFormat::kText},        {"md", InputFormat::kText},
      {"markdown", InputFormat::kText},
  };
  for (const ExtensionFormat& entry : kExtensions) {
    if (EqualsIgnoreAsciiCase(extension, entry.extension)) {
      format = entry.format;
      return true;
    }
  }
  return false;
}

InputFormat FormatFromContent(std::string_view bytes) {
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  if (bytes.substr(0, kUtf8Bom.size()) == kUtf8Bom) bytes.remove_prefix(kUtf8Bom.size());
  const size_t start = bytes.find_first_not_of(" \t\r\n\f\v");
  if (start == std::string_view::npos) return InputFormat::kText;
  bytes.remove_prefix(start);
  if (bytes.front() == '{') return InputFormat::kJsonLines;
  if (StartsWithIgnoreAsciiCase(bytes, "<!doctype html") ||
      StartsWithIgnoreAsciiCase(bytes, "<html")) {
    return InputFormat::kHtml;
  }
  const std::string_view head = bytes.substr(0, 1024);
  for (std::string_view tag : {"<body", "<p>", "<div"}) {
    if (ContainsIgnoreAsciiCase(head, tag)) return InputFormat::kHtml;
  }
  return InputFormat::kText;
}

}  // namespace

bool ParseInputFormat(std::string_view name, InputFormat& out) {
  if (name == "auto") {
    out = InputFormat::kAuto;
  } else if (name == "text") {
    out = InputFormat::kText;
  } else if (name == "html") {
    out = InputFormat::kHtml;
  } else if (name == "jsonl") {
    out = InputFormat::kJsonLines;
  } else {
    return false;
  }
  return true;
}

InputFormat DetectInputFormat(std::string_view bytes, std::string_view name) {
  InputFormat format;
  if (FormatFromExtension(ExtensionOf(name), format)) return format;
  return FormatFromContent(bytes);
}

void ReadPosts(std::string_view bytes, std::string_view name, InputFormat format,
               const std::function<void(const Post&)>& emit, std::vector<Problem>& problems) {
  if (format == InputFormat::kAuto) format = DetectInputFormat(bytes, name);
  std::vector<Post> posts;
  switch (format) {
    case InputFormat::kJsonLines:
      ReadJsonLines(bytes, name, emit, problems);
      return;
    case InputFormat::kHtml:
      ReadHtmlPost(bytes, name, posts, problems);
      break;
    case InputFormat::kAuto:  // resolved above
    case InputFormat::kText:
      ReadTextPost(bytes, name, posts, problems);
      break;
  }
  for (const Post& post : posts) emit(post);
}

}  // namespace ecoute

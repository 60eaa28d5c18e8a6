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
      {"markdown", InputFormat::kText},   {"rss", InputFormat::kFeed},
      {"atom", InputFormat::kFeed},       {"rdf", InputFormat::kFeed},
      {"xml", InputFormat::kFeed},
  };
  for (const ExtensionFormat& entry : kExtensions) {
    if (EqualsIgnoreAsciiCase(extension, entry.extension)) {
      format = entry.format;
      return true;
    }
  }
  return false;
}

// JSON from a social API, told apart from JSON lines of posts by its keys.
InputFormat JsonFlavor(std::string_view head) {
  if (head.find("\"at://") != std::string_view::npos) return InputFormat::kBluesky;
  if (head.find("\"account\"") != std::string_view::npos &&
      (head.find("\"content\"") != std::string_view::npos ||
       head.find("\"statuses\"") != std::string_view::npos)) {
    return InputFormat::kMastodon;
  }
  return InputFormat::kJsonLines;
}

// An XML document whose root element is a feed's.
bool LooksLikeFeed(std::string_view head) {
  if (!StartsWithIgnoreAsciiCase(head, "<?xml") && !StartsWithIgnoreAsciiCase(head, "<rss") &&
      !StartsWithIgnoreAsciiCase(head, "<feed") && !StartsWithIgnoreAsciiCase(head, "<rdf") &&
      !StartsWithIgnoreAsciiCase(head, "<!--")) {
    return false;
  }
  for (std::string_view root : {"<rss", "<feed", "<rdf:rdf", "<channel"}) {
    if (ContainsIgnoreAsciiCase(head, root)) return true;
  }
  return false;
}

InputFormat FormatFromContent(std::string_view bytes) {
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  if (bytes.substr(0, kUtf8Bom.size()) == kUtf8Bom) bytes.remove_prefix(kUtf8Bom.size());
  const size_t start = bytes.find_first_not_of(" \t\r\n\f\v");
  if (start == std::string_view::npos) return InputFormat::kText;
  bytes.remove_prefix(start);
  const std::string_view head = bytes.substr(0, 4096);
  if (bytes.front() == '{' || bytes.front() == '[') {
    const InputFormat flavor = JsonFlavor(head);
    // An array is no JSON-lines file; its posts are a social API's or nobody's.
    if (flavor != InputFormat::kJsonLines || bytes.front() == '{') return flavor;
  }
  if (LooksLikeFeed(head.substr(0, 1024))) return InputFormat::kFeed;
  if (StartsWithIgnoreAsciiCase(bytes, "<!doctype html") ||
      StartsWithIgnoreAsciiCase(bytes, "<html")) {
    return InputFormat::kHtml;
  }
  for (std::string_view tag : {"<body", "<p>", "<div"}) {
    if (ContainsIgnoreAsciiCase(head.substr(0, 1024), tag)) return InputFormat::kHtml;
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
  } else if (name == "feed") {
    out = InputFormat::kFeed;
  } else if (name == "mastodon") {
    out = InputFormat::kMastodon;
  } else if (name == "bluesky") {
    out = InputFormat::kBluesky;
  } else {
    return false;
  }
  return true;
}

InputFormat DetectInputFormat(std::string_view bytes, std::string_view name) {
  const InputFormat by_content = FormatFromContent(bytes);
  InputFormat by_name;
  if (!FormatFromExtension(ExtensionOf(name), by_name)) return by_content;
  // A .json file may hold a social API's answer; a .xml file may be anything but a feed.
  if (by_name == InputFormat::kJsonLines) {
    return by_content == InputFormat::kMastodon || by_content == InputFormat::kBluesky ? by_content
                                                                                       : by_name;
  }
  if (by_name == InputFormat::kFeed && ExtensionOf(name) == "xml") {
    return by_content == InputFormat::kFeed ? by_content : InputFormat::kText;
  }
  return by_name;
}

void ReadPosts(std::string_view bytes, std::string_view name, InputFormat format,
               const std::function<void(const Post&)>& emit, std::vector<Problem>& problems) {
  if (format == InputFormat::kAuto) format = DetectInputFormat(bytes, name);
  std::vector<Post> posts;
  switch (format) {
    case InputFormat::kJsonLines:
      ReadJsonLines(bytes, name, emit, problems);
      return;
    case InputFormat::kFeed:
      ReadFeed(bytes, name, emit, problems);
      return;
    case InputFormat::kMastodon:
      ReadMastodon(bytes, name, emit, problems);
      return;
    case InputFormat::kBluesky:
      ReadBluesky(bytes, name, emit, problems);
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

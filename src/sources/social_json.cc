#include "sources/social_json.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "util/datetime.h"
#include "util/json.h"
#include "util/utf8.h"

namespace ecoute::sources_internal {
namespace {

namespace dom = simdjson::dom;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Drops a BOM, rejects empty or binary input, repairs invalid UTF-8 into `repaired`. Returns
// false when the input was rejected.
bool DecodeJsonInput(std::string_view& bytes, const JsonFormat& format, ProblemLog& problems,
                     std::string& repaired) {
  const std::string name(problems.name());
  if (bytes.substr(0, kUtf8Bom.size()) == kUtf8Bom) bytes.remove_prefix(kUtf8Bom.size());
  if (IsJsonBlank(bytes)) {
    problems.Add(name, "empty input, nothing to analyze", true);
    return false;
  }
  if (LooksBinary(bytes)) {
    problems.Add(name,
                 "looks like binary data, not " + std::string(format.name) +
                     " JSON (a compressed file? decompress it first)",
                 true);
    return false;
  }
  if (!IsValidUtf8(bytes)) {
    repaired.assign(bytes);
    size_t first_bad = 0;
    const size_t count = RepairUtf8(repaired, first_bad);
    problems.Add(name + ":byte " + std::to_string(first_bad),
                 "invalid UTF-8 replaced with U+FFFD (" + std::to_string(count) +
                     (count == 1 ? " sequence)" : " sequences)"));
    bytes = repaired;
  }
  return true;
}

// `bytes` cut at LF, each line without its CR.
std::vector<std::string_view> SplitLines(std::string_view bytes) {
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < bytes.size();) {
    size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view line = bytes.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = end + 1;
  }
  return lines;
}

}  // namespace

bool IsJsonBlank(std::string_view s) { return std::all_of(s.begin(), s.end(), IsJsonSpace); }

std::string WrongType(std::string_view name, dom::element value, std::string_view expected) {
  return std::string(name) + " is " + std::string(DescribeJsonType(value.type())) + ", not " +
         std::string(expected);
}

std::string Excerpt(std::string_view s) {
  if (s.size() <= 40) return std::string(s);
  size_t end = 40;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return std::string(s.substr(0, end)) + "...";
}

void AddLink(std::string_view link, std::vector<std::string>& links) {
  if (link.empty()) return;
  if (std::find(links.begin(), links.end(), link) == links.end()) links.emplace_back(link);
}

// ---------------------------------------------------------------------------------------
// ProblemLog

void ProblemLog::Add(std::string where, std::string message, bool is_fatal) {
  ++count_;
  if (count_ > kMaxSocialProblems && !is_fatal) return;
  problems_.push_back({std::move(where), std::move(message), is_fatal});
}

void ProblemLog::Finish() {
  if (count_ <= kMaxSocialProblems) return;
  problems_.push_back({std::string(name_),
                       std::to_string(count_ - kMaxSocialProblems) +
                           " more problems (only the first " + std::to_string(kMaxSocialProblems) +
                           " are listed)",
                       false});
}

void ReadPost(const std::string& where, ProblemLog& problems,
              const std::function<void(const Post&)>& emit,
              const std::function<bool(Post& post, std::vector<std::string>& notes)>& read) {
  Post post;
  std::vector<std::string> notes;
  const bool is_post = read(post, notes);
  for (std::string& note : notes) problems.Add(where, std::move(note));
  if (is_post) emit(post);
}

// ---------------------------------------------------------------------------------------
// ReadJsonInput

void ReadJsonInput(std::string_view bytes, const JsonFormat& format, ProblemLog& problems,
                   const std::function<bool(dom::element root)>& survey,
                   const std::function<bool(dom::element root, const std::string& where,
                                            std::string& error)>& read) {
  std::string repaired;
  if (!DecodeJsonInput(bytes, format, problems, repaired)) return;
  const std::string name(problems.name());

  // No deeper than any JSON the service reads (kMaxJsonDepth): the depth is kept when the
  // parser grows for a longer document.
  dom::parser parser;
  dom::element root;
  simdjson::error_code error = parser.allocate(bytes.size(), kMaxJsonDepth);
  if (!error) error = parser.parse(bytes.data(), bytes.size()).get(root);
  if (!error) {
    if (survey) survey(root);
    std::string shape_error;
    if (!read(root, name, shape_error)) problems.Add(name, shape_error, true);
    return;
  }

  // Not one JSON document: JSON lines, if the first line is a document of its own.
  const std::vector<std::string_view> lines = SplitLines(bytes);
  size_t first = 0;
  while (first < lines.size() && IsJsonBlank(lines[first])) ++first;
  if (lines.size() - first < 2 || parser.parse(lines[first].data(), lines[first].size()).error()) {
    problems.Add(name,
                 std::string("not valid JSON (") + simdjson::error_message(error) + "): expected " +
                     std::string(format.expected),
                 true);
    return;
  }
  for (size_t i = first; survey && i < lines.size(); ++i) {
    if (!parser.parse(lines[i].data(), lines[i].size()).get(root) && survey(root)) break;
  }
  for (size_t i = first; i < lines.size(); ++i) {
    if (IsJsonBlank(lines[i])) continue;
    const std::string where = name + ":" + std::to_string(i + 1);
    if (const simdjson::error_code line_error =
            parser.parse(lines[i].data(), lines[i].size()).get(root)) {
      problems.Add(where, std::string("not valid JSON (") + simdjson::error_message(line_error) +
                              "); the line was skipped");
      continue;
    }
    std::string shape_error;
    if (!read(root, where, shape_error)) {
      problems.Add(where, shape_error + "; the line was skipped");
    }
  }
}

// ---------------------------------------------------------------------------------------
// Fields

bool Fields::Get(std::string_view key, dom::element& value) const {
  return !object_.at_key(key).get(value) && !value.is_null();
}

template <typename T>
bool Fields::Optional(std::string_view key, std::string_view expected, T& out) {
  dom::element value;
  if (!Get(key, value)) return false;
  if (!value.get(out)) return true;
  Mistyped(key, value, expected);
  return false;
}

bool Fields::String(std::string_view key, std::string_view& out) {
  return Optional(key, "a string", out);
}

bool Fields::Object(std::string_view key, dom::object& out) {
  return Optional(key, "an object", out);
}

bool Fields::Array(std::string_view key, dom::array& out) { return Optional(key, "an array", out); }

template <typename T>
bool Fields::Required(std::string_view key, std::string_view item, std::string_view expected,
                      T& out) {
  const std::string skipped = "; the " + std::string(item) + " was skipped";
  dom::element value;
  if (!Get(key, value)) {
    // "no \"uri\" string", from expected "a string".
    Note("no " + Name(key) + " " + std::string(expected.substr(expected.find(' ') + 1)) + skipped);
    return false;
  }
  if (!value.get(out)) return true;
  Note(WrongType(Name(key), value, expected) + skipped);
  return false;
}

bool Fields::RequiredString(std::string_view key, std::string_view item, std::string_view& out) {
  return Required(key, item, "a string", out);
}

bool Fields::RequiredObject(std::string_view key, std::string_view item, dom::object& out) {
  return Required(key, item, "an object", out);
}

bool Fields::Id(std::string_view key, std::string& out) {
  dom::element value;
  if (!Get(key, value)) return false;
  std::string_view s;
  int64_t n = 0;
  uint64_t u = 0;
  if (!value.get_string().get(s)) {
    out.assign(s);
  } else if (!value.get_int64().get(n)) {
    out = std::to_string(n);
  } else if (!value.get_uint64().get(u)) {
    out = std::to_string(u);
  } else {
    Mistyped(key, value, "a string");
    return false;
  }
  return !out.empty();
}

bool Fields::NonNegative(std::string_view key, std::string_view what, int64_t& out) {
  dom::element value;
  if (!Get(key, value)) return false;
  int64_t n = 0;
  double d = 0;
  if (!value.get_int64().get(n)) {
    if (n >= 0) {
      out = n;
      return true;
    }
  } else if (!value.get_double().get(d)) {
    if (d >= 0 && d < 9.2e18 && std::floor(d) == d) {
      out = static_cast<int64_t>(d);
      return true;
    }
  } else {
    Mistyped(key, value, "a number");
    return false;
  }
  Note(Name(key) + " is not " + std::string(what) + "; ignored");
  return false;
}

bool Fields::Integer(std::string_view key, int64_t& out) {
  return NonNegative(key, "a non-negative integer", out);
}

bool Fields::Count(std::string_view key, int64_t& out) {
  return NonNegative(key, "a count (a non-negative integer)", out);
}

void Fields::Date(std::string_view key, std::string& out) {
  std::string_view s;
  if (!String(key, s) || s.empty()) return;
  if (const std::optional<int64_t> seconds = ParseDateTime(s)) {
    out = FormatRfc3339(*seconds);
  } else {
    Note(Name(key) + " \"" + Excerpt(s) + "\" is not a date; left empty");
  }
}

void Fields::Mistyped(std::string_view key, dom::element value, std::string_view expected) {
  Note(WrongType(Name(key), value, expected) + "; ignored");
}

}  // namespace ecoute::sources_internal

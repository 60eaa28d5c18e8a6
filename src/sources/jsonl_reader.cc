// The bulk-import hot path: one simdjson on-demand parser and one Post are reused for every
// line, and lines are parsed in place, so that once warm a line costs a parse and no
// allocation unless it is longer than every line before it.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "util/datetime.h"
#include "util/utf8.h"

namespace ecoute {
namespace {

namespace ondemand = simdjson::ondemand;
using simdjson::error_code;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// A file that is all bad lines (a binary file, another format) must not turn into millions
// of problems; past this many, the rest are only counted.
constexpr size_t kMaxLineProblems = 1000;

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (!IsJsonSpace(c)) return false;
  }
  return true;
}

// Errors that only say a known field has an unexpected type; the field is then ignored.
// Every other error means the line itself is not valid JSON.
bool IsTypeMismatch(error_code error) {
  return error == simdjson::INCORRECT_TYPE || error == simdjson::NUMBER_OUT_OF_RANGE;
}

std::string_view Describe(ondemand::json_type type) {
  switch (type) {
    case ondemand::json_type::array:
      return "an array";
    case ondemand::json_type::object:
      return "an object";
    case ondemand::json_type::number:
      return "a number";
    case ondemand::json_type::string:
      return "a string";
    case ondemand::json_type::boolean:
      return "a boolean";
    case ondemand::json_type::null:
      return "null";
  }
  return "something else";
}

// Reads `value` into `out` when it is a string; leaves `out` alone for any other type.
error_code ReadString(ondemand::value& value, std::string_view& out, bool* is_string = nullptr) {
  ondemand::json_type type;
  if (error_code error = value.type().get(type)) return error;
  if (type != ondemand::json_type::string) {
    if (is_string != nullptr) *is_string = false;
    return simdjson::SUCCESS;
  }
  if (error_code error = value.get_string().get(out)) return error;
  if (is_string != nullptr) *is_string = true;
  return simdjson::SUCCESS;
}

// Reads an audience count: a non-negative integer, written as an integer or as an
// integral float (some exporters write 12.0). Anything else leaves `count` alone.
error_code ReadCount(ondemand::value& value, int64_t& count) {
  ondemand::json_type type;
  if (error_code error = value.type().get(type)) return error;
  if (type != ondemand::json_type::number) return simdjson::SUCCESS;
  ondemand::number_type number_type;
  if (error_code error = value.get_number_type().get(number_type)) return error;
  if (number_type == ondemand::number_type::signed_integer) {
    int64_t n;
    if (error_code error = value.get_int64().get(n)) return error;
    if (n >= 0) count = n;
  } else if (number_type == ondemand::number_type::floating_point_number) {
    double d;
    if (error_code error = value.get_double().get(d)) return error;
    if (d >= 0 && d < 9.2e18 && std::floor(d) == d) count = static_cast<int64_t>(d);
  }
  // An unsigned integer is at least 2^63: no real audience, so left unknown.
  return simdjson::SUCCESS;
}

// Reads an id written as a number (as tweet exports do) in its decimal form.
error_code ReadNumericId(ondemand::value& value, std::string& id) {
  ondemand::number_type number_type;
  if (error_code error = value.get_number_type().get(number_type)) return error;
  char digits[32];
  std::to_chars_result written{};
  if (number_type == ondemand::number_type::signed_integer) {
    int64_t n;
    if (error_code error = value.get_int64().get(n)) return error;
    written = std::to_chars(digits, digits + sizeof(digits), n);
  } else if (number_type == ondemand::number_type::unsigned_integer) {
    uint64_t n;
    if (error_code error = value.get_uint64().get(n)) return error;
    written = std::to_chars(digits, digits + sizeof(digits), n);
  } else {
    double d;
    if (error_code error = value.get_double().get(d)) return error;
    written = std::to_chars(digits, digits + sizeof(digits), d);
  }
  if (written.ec == std::errc()) id.assign(digits, written.ptr);
  return simdjson::SUCCESS;
}

// Checks the document's single scalar; an array is left unchecked (a line holding an array is
// reported as not an object either way).
error_code ValidateRootScalar(ondemand::document& document, ondemand::json_type type,
                              char first_byte) {
  switch (type) {
    case ondemand::json_type::string: {
      std::string_view s;
      return document.get_string().get(s);
    }
    case ondemand::json_type::number: {
      double d;
      error_code error = document.get_double().get(d);
      // A huge integer is still a number.
      return error == simdjson::NUMBER_OUT_OF_RANGE ? simdjson::SUCCESS : error;
    }
    case ondemand::json_type::boolean: {
      bool b;
      error_code error = document.get_bool().get(b);
      // simdjson calls a misspelt "true" a type mismatch; say what it is.
      if (error == simdjson::INCORRECT_TYPE) {
        error = first_byte == 'f' ? simdjson::F_ATOM_ERROR : simdjson::T_ATOM_ERROR;
      }
      return error;
    }
    case ondemand::json_type::null: {
      bool is_null = false;
      error_code error = document.is_null().get(is_null);
      if (error) return error;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
    case ondemand::json_type::array:
    case ondemand::json_type::object:
      break;
  }
  return simdjson::SUCCESS;
}

class JsonLinesReader {
 public:
  JsonLinesReader(std::string_view name, const std::function<void(const Post&)>& emit,
                  std::vector<Problem>& problems)
      : name_(name), emit_(emit), problems_(problems) {}

  void Read(std::string_view bytes);

 private:
  enum class Verdict { kPost, kNotJson, kNotObject, kNoText };

  // Parses one line (without its line break) into post_; `readable` bytes may be read from
  // line.data(). On kNotJson `error` says why; on kNotObject `root_type` says what the line
  // holds instead.
  Verdict ParseLine(std::string_view line, size_t readable, error_code& error,
                    ondemand::json_type& root_type);
  // Reads the fields of the line's object into post_.
  error_code ReadFields(ondemand::object& object, bool& has_text);
  // "author": a name or "@handle", or {"name", "handle", "url", "followers"}.
  error_code ReadAuthor(ondemand::value& value);
  // "links": an array of strings; other items are skipped.
  error_code ReadLinks(ondemand::value& value);
  // Copies `line` into buffer_ followed by the zeroed padding simdjson reads past the end.
  void CopyPadded(std::string_view line);
  void ResetPost();
  // Rewrites a date as RFC 3339 in UTC, or empties it with a problem when unreadable.
  void NormalizeDate(std::string_view key, size_t line_number, std::string& date);
  void AddLineProblem(size_t line_number, std::string message);
  std::string Where(size_t line_number) const;
  // Appends "<name>:<line>" without a temporary: it is the id of every post without one.
  void AppendWhere(size_t line_number, std::string& out) const;

  std::string_view name_;
  const std::function<void(const Post&)>& emit_;
  std::vector<Problem>& problems_;
  ondemand::parser parser_;
  std::string buffer_;
  std::string repaired_;  // a line whose invalid UTF-8 was replaced
  Post post_;
  size_t line_problem_count_ = 0;
};

void JsonLinesReader::Read(std::string_view bytes) {
  if (bytes.substr(0, kUtf8Bom.size()) == kUtf8Bom) bytes.remove_prefix(kUtf8Bom.size());
  if (IsBlank(bytes)) {
    problems_.push_back({std::string(name_), "empty input, nothing to analyze", true});
    return;
  }
  // Valid JSON has no NUL byte and no control character outside strings, so this never
  // rejects a real JSON-lines file; it turns a compressed or binary file into one clear
  // problem instead of a thousand "not valid JSON".
  if (LooksBinary(bytes)) {
    problems_.push_back(
        {std::string(name_),
         "looks like binary data, not JSON lines (a compressed file? decompress it first)", true});
    return;
  }
  size_t line_number = 0;
  size_t pos = 0;
  while (pos < bytes.size()) {
    ++line_number;
    const void* newline = std::memchr(bytes.data() + pos, '\n', bytes.size() - pos);
    const size_t end =
        newline == nullptr ? bytes.size() : static_cast<const char*>(newline) - bytes.data();
    std::string_view line = bytes.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (IsBlank(line)) continue;

    error_code error = simdjson::SUCCESS;
    ondemand::json_type root_type = ondemand::json_type::object;
    Verdict verdict =
        ParseLine(line, bytes.size() - (line.data() - bytes.data()), error, root_type);
    if (verdict == Verdict::kNotJson && error == simdjson::UTF8_ERROR) {
      // Repair the line (U+FFFD for each bad sequence) and read it again: the post is kept,
      // with a warning that says where the bad bytes were.
      repaired_.assign(line);
      size_t first_bad = 0;
      const size_t count = RepairUtf8(repaired_, first_bad);
      verdict = ParseLine(repaired_, repaired_.size(), error, root_type);
      if (verdict == Verdict::kPost) {
        AddLineProblem(
            line_number,
            "invalid UTF-8 at byte " +
                std::to_string(static_cast<size_t>(line.data() - bytes.data()) + first_bad) +
                " replaced with U+FFFD (" + std::to_string(count) +
                (count == 1 ? " sequence)" : " sequences)"));
      }
    }
    switch (verdict) {
      case Verdict::kPost:
        if (post_.id.empty()) AppendWhere(line_number, post_.id);
        if (post_.source.empty()) post_.source = "jsonl";
        if (post_.content_hash.empty()) post_.content_hash = ContentHash(line);
        NormalizeDate("published_at", line_number, post_.published_at);
        NormalizeDate("updated_at", line_number, post_.updated_at);
        emit_(post_);
        break;
      case Verdict::kNotJson:
        AddLineProblem(line_number, std::string("not valid JSON (") +
                                        simdjson::error_message(error) + "); the line was skipped");
        break;
      case Verdict::kNotObject:
        AddLineProblem(line_number, "not a JSON object but " + std::string(Describe(root_type)) +
                                        "; the line was skipped");
        break;
      case Verdict::kNoText:
        AddLineProblem(line_number, "no \"text\" string; the line was skipped");
        break;
    }
  }
  if (line_problem_count_ > kMaxLineProblems) {
    problems_.push_back({std::string(name_),
                         std::to_string(line_problem_count_ - kMaxLineProblems) +
                             " more lines were skipped (only the first " +
                             std::to_string(kMaxLineProblems) + " problems are listed)",
                         false});
  }
}

JsonLinesReader::Verdict JsonLinesReader::ParseLine(std::string_view line, size_t readable,
                                                    error_code& error,
                                                    ondemand::json_type& root_type) {
  ResetPost();
  // simdjson may read SIMDJSON_PADDING bytes past the document. Most lines are followed by
  // that much input, which serves as padding as it is: simdjson's stage 1 pads its last
  // block itself, and a document that passes it ends inside the line, so results never
  // depend on what the padding holds. Only the last lines are copied.
  const char* json = line.data();
  size_t capacity = readable;
  if (readable < line.size() + simdjson::SIMDJSON_PADDING) {
    CopyPadded(line);
    json = buffer_.data();
    capacity = buffer_.size();
  }
  // simdjson sizes its buffers to the document; growing them geometrically keeps a file of
  // slowly lengthening lines from reallocating on every line.
  if (parser_.capacity() < line.size() && line.size() <= parser_.max_capacity()) {
    const size_t parser_capacity =
        std::min(std::max(line.size(), 2 * parser_.capacity()), parser_.max_capacity());
    if ((error = parser_.allocate(parser_capacity))) return Verdict::kNotJson;
  }
  ondemand::document document;
  if ((error = parser_.iterate(json, line.size(), capacity).get(document))) {
    return Verdict::kNotJson;
  }
  if ((error = document.type().get(root_type))) return Verdict::kNotJson;
  if (root_type != ondemand::json_type::object) {
    // type() only looks at the first byte ("nope" would pass for null): a scalar is checked
    // so that a line of prose is called invalid JSON rather than a misplaced value.
    error = ValidateRootScalar(document, root_type, line[line.find_first_not_of(" \t\r\n")]);
    return error ? Verdict::kNotJson : Verdict::kNotObject;
  }
  ondemand::object object;
  if ((error = document.get_object().get(object))) return Verdict::kNotJson;
  bool has_text = false;
  if ((error = ReadFields(object, has_text))) return Verdict::kNotJson;
  // On-demand parsing stops at the end of the object; whatever follows on the line would
  // otherwise pass unnoticed.
  const char* rest = nullptr;
  if (document.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) {
    error = simdjson::TRAILING_CONTENT;
    return Verdict::kNotJson;
  }
  return has_text ? Verdict::kPost : Verdict::kNoText;
}

error_code JsonLinesReader::ReadFields(ondemand::object& object, bool& has_text) {
  int64_t author_followers = -1;
  for (auto field : object) {
    std::string_view key;
    if (error_code error = field.unescaped_key().get(key)) return error;
    ondemand::value value;
    if (error_code error = field.value().get(value)) return error;
    // Strings read here point into the parser's buffer, valid until the next line.
    std::string_view text;
    error_code error = simdjson::SUCCESS;
    if (key == "text") {
      bool is_string = false;
      error = ReadString(value, text, &is_string);
      if (!error) {
        has_text = is_string;
        if (is_string) post_.text.assign(text);
      }
    } else if (key == "id") {
      ondemand::json_type type;
      error = value.type().get(type);
      if (!error && type == ondemand::json_type::string) {
        if (!(error = value.get_string().get(text))) post_.id.assign(text);
      } else if (!error && type == ondemand::json_type::number) {
        error = ReadNumericId(value, post_.id);
      }
    } else if (key == "url") {
      if (!(error = ReadString(value, text))) post_.url.assign(text);
    } else if (key == "title") {
      if (!(error = ReadString(value, text))) post_.title.assign(text);
    } else if (key == "published_at") {
      if (!(error = ReadString(value, text))) post_.published_at.assign(text);
    } else if (key == "updated_at") {
      if (!(error = ReadString(value, text))) post_.updated_at.assign(text);
    } else if (key == "source") {
      if (!(error = ReadString(value, text))) post_.source.assign(text);
    } else if (key == "lang") {
      if (!(error = ReadString(value, text))) post_.lang.assign(text);
    } else if (key == "parent_id") {
      if (!(error = ReadString(value, text))) post_.parent_id.assign(text);
    } else if (key == "parent_url") {
      if (!(error = ReadString(value, text))) post_.parent_url.assign(text);
    } else if (key == "content_hash") {
      if (!(error = ReadString(value, text))) post_.content_hash.assign(text);
    } else if (key == "links") {
      error = ReadLinks(value);
    } else if (key == "author") {
      error = ReadAuthor(value);
    } else if (key == "followers") {
      error = ReadCount(value, author_followers);
    } else if (key == "comments") {
      error = ReadCount(value, post_.comments);
    } else if (key == "shares") {
      error = ReadCount(value, post_.shares);
    } else if (key == "likes") {
      error = ReadCount(value, post_.likes);
    }
    if (error && !IsTypeMismatch(error)) return error;
  }
  // A top-level "followers" (the older form) wins over the author object's.
  if (author_followers >= 0) post_.author.followers = author_followers;
  return simdjson::SUCCESS;
}

error_code JsonLinesReader::ReadLinks(ondemand::value& value) {
  ondemand::json_type type;
  if (error_code error = value.type().get(type)) return error;
  if (type != ondemand::json_type::array) return simdjson::SUCCESS;
  ondemand::array array;
  if (error_code error = value.get_array().get(array)) return error;
  for (auto item : array) {
    ondemand::value link;
    if (error_code error = item.get(link)) return error;
    std::string_view text;
    bool is_string = false;
    error_code error = ReadString(link, text, &is_string);
    if (error && !IsTypeMismatch(error)) return error;
    if (!error && is_string && !text.empty()) post_.links.emplace_back(text);
  }
  return simdjson::SUCCESS;
}

error_code JsonLinesReader::ReadAuthor(ondemand::value& value) {
  ondemand::json_type type;
  if (error_code error = value.type().get(type)) return error;
  std::string_view text;
  if (type == ondemand::json_type::string) {
    // One string: a handle when it looks like one, else a name.
    if (error_code error = value.get_string().get(text)) return error;
    (text.size() > 1 && text[0] == '@' ? post_.author.handle : post_.author.name).assign(text);
    return simdjson::SUCCESS;
  }
  if (type != ondemand::json_type::object) return simdjson::SUCCESS;
  ondemand::object object;
  if (error_code error = value.get_object().get(object)) return error;
  for (auto field : object) {
    std::string_view key;
    if (error_code error = field.unescaped_key().get(key)) return error;
    ondemand::value member;
    if (error_code error = field.value().get(member)) return error;
    error_code error = simdjson::SUCCESS;
    if (key == "name") {
      if (!(error = ReadString(member, text))) post_.author.name.assign(text);
    } else if (key == "handle") {
      if (!(error = ReadString(member, text))) post_.author.handle.assign(text);
    } else if (key == "url") {
      if (!(error = ReadString(member, text))) post_.author.url.assign(text);
    } else if (key == "followers") {
      error = ReadCount(member, post_.author.followers);
    }
    if (error && !IsTypeMismatch(error)) return error;
  }
  return simdjson::SUCCESS;
}

void JsonLinesReader::CopyPadded(std::string_view line) {
  const size_t needed = line.size() + simdjson::SIMDJSON_PADDING;
  if (buffer_.size() < needed) buffer_.resize(std::max(needed, 2 * buffer_.size()));
  std::memcpy(buffer_.data(), line.data(), line.size());
  std::memset(buffer_.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);
}

void JsonLinesReader::ResetPost() {
  post_.id.clear();
  post_.source.clear();
  post_.text.clear();
  post_.url.clear();
  post_.title.clear();
  post_.lang.clear();
  post_.author.name.clear();
  post_.author.handle.clear();
  post_.author.url.clear();
  post_.author.followers = -1;
  post_.published_at.clear();
  post_.updated_at.clear();
  post_.parent_id.clear();
  post_.parent_url.clear();
  post_.content_hash.clear();
  post_.links.clear();
  post_.comments = -1;
  post_.shares = -1;
  post_.likes = -1;
}

void JsonLinesReader::NormalizeDate(std::string_view key, size_t line_number, std::string& date) {
  if (date.empty()) return;
  if (const std::optional<int64_t> seconds = ParseDateTime(date)) {
    date = FormatRfc3339(*seconds);
    return;
  }
  std::string message = "\"";
  message.append(key);
  message.append("\": \"");
  message.append(date);
  message.append(
      "\" is not a date ecoute reads (write RFC 3339, e.g. 2026-11-20T08:12:00Z); "
      "left empty");
  AddLineProblem(line_number, std::move(message));
  date.clear();
}

void JsonLinesReader::AddLineProblem(size_t line_number, std::string message) {
  ++line_problem_count_;
  if (line_problem_count_ > kMaxLineProblems) return;
  problems_.push_back({Where(line_number), std::move(message), false});
}

std::string JsonLinesReader::Where(size_t line_number) const {
  std::string where;
  AppendWhere(line_number, where);
  return where;
}

void JsonLinesReader::AppendWhere(size_t line_number, std::string& out) const {
  char digits[24];
  const std::to_chars_result written = std::to_chars(digits, digits + sizeof(digits), line_number);
  out.append(name_);
  out.push_back(':');
  out.append(digits, written.ptr);
}

}  // namespace

void ReadJsonLines(std::string_view bytes, std::string_view name,
                   const std::function<void(const Post&)>& emit, std::vector<Problem>& problems) {
  JsonLinesReader reader(name, emit, problems);
  reader.Read(bytes);
}

}  // namespace ecoute

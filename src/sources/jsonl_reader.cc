// The bulk-import hot path. Lines are read in chunks of about 64 KB, each parsed in place as
// one simdjson on-demand stream of documents, so that simdjson's first stage runs once per
// chunk; a line the stream does not read as exactly one object (bad JSON, an object over
// two lines, invalid UTF-8...) and every line after it in the chunk are parsed alone, as
// before, which says what is wrong with them. One Post is refilled for every line, its
// strings keeping their capacity, and strings without escapes are copied straight from the
// line: once warm, a line costs no allocation.

#include <algorithm>
#include <bit>
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

#include "sources/post_json.h"
#include "util/datetime.h"
#include "util/json.h"
#include "util/utf8.h"

namespace ecoute {
namespace {

namespace ondemand = simdjson::ondemand;
using simdjson::error_code;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// A file that is all bad lines (a binary file, another format) must not turn into millions
// of problems; past this many, the rest are only counted.
constexpr size_t kMaxLineProblems = 1000;

// Lines are read in chunks of about this many bytes (cut after a line), each parsed as one
// stream of documents: small enough to stay in cache, large enough to hold many lines.
constexpr size_t kChunkBytes = size_t{64} * 1024;

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

// The type of the value starting with `first`, as ondemand::value::type() tells it.
simdjson::simdjson_result<ondemand::json_type> TypeOf(char first) {
  switch (first) {
    case '{':
      return ondemand::json_type::object;
    case '[':
      return ondemand::json_type::array;
    case '"':
      return ondemand::json_type::string;
    case 'n':
      return ondemand::json_type::null;
    case 't':
    case 'f':
      return ondemand::json_type::boolean;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      return ondemand::json_type::number;
    default:
      return simdjson::TAPE_ERROR;
  }
}

// The key of `field`. A key without escapes (nearly all of them) is read where it is written,
// rather than copied into the parser's string buffer first.
error_code ReadKey(ondemand::field& field, std::string_view& key) {
  const char* start = field.key().raw();
  const char* end = start;
  // The line passed simdjson's first stage, so the key's closing quote is there.
  while (*end != '"' && *end != '\\') ++end;
  if (*end == '"') {
    key = std::string_view(start, static_cast<size_t>(end - start));
    return simdjson::SUCCESS;
  }
  return field.unescaped_key().get(key);
}

// Reads `value` into `out` when it is a string; leaves `out` alone for any other type. A
// string without escapes (nearly all) is viewed where the line holds it, rather than first
// unescaped into the parser's buffer by get_string(): text is most of the bytes of a line.
error_code ReadString(ondemand::value& value, std::string_view& out, bool* is_string = nullptr) {
  // The token runs to the next structural character, so it holds the whole string.
  const std::string_view token = value.raw_json_token();
  ondemand::json_type type;
  if (error_code error = TypeOf(token[0]).get(type)) return error;
  if (type != ondemand::json_type::string) {
    if (is_string != nullptr) *is_string = false;
    return simdjson::SUCCESS;
  }
  // A string token ends at its closing quote, then white space: simdjson's first stage makes
  // whatever follows a string (a comma, a brace, even stray letters) a token of its own.
  size_t end = token.size();
  while (end > 1 && IsJsonSpace(token[end - 1])) --end;
  if (end >= 2 && token[end - 1] == '"' &&
      std::memchr(token.data() + 1, '\\', end - 2) == nullptr) {
    // Consumed as get_string() would: left unread, the object's iteration would skip it
    // more leniently ("a": "b": 1 would pass for a key and its value).
    simdjson::simdjson_result<ondemand::raw_json_string> raw = value.get_raw_json_string();
    if (raw.error()) return raw.error();
    out = token.substr(1, end - 2);
  } else if (error_code error = value.get_string().get(out)) {
    return error;
  }
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

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// True when `date` is already what NormalizeDate would make of it: "2026-11-20T08:12:00Z",
// a real date and time of day (no leap second). Most exports write dates so; parsing and
// formatting them again would cost as much as the rest of the line.
bool IsNormalRfc3339(std::string_view date) {
  if (date.size() != 20) return false;
  // Bitwise rather than short-circuit: one branch instead of twenty.
  auto digit = [&](size_t i) { return static_cast<unsigned char>(date[i] - '0') <= 9; };
  const bool is_shape = digit(0) & digit(1) & digit(2) & digit(3) & (date[4] == '-') & digit(5) &
                        digit(6) & (date[7] == '-') & digit(8) & digit(9) & (date[10] == 'T') &
                        digit(11) & digit(12) & (date[13] == ':') & digit(14) & digit(15) &
                        (date[16] == ':') & digit(17) & digit(18) & (date[19] == 'Z');
  if (!is_shape) return false;
  auto number = [&](size_t i) { return (date[i] - '0') * 10 + (date[i + 1] - '0'); };
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int year = number(0) * 100 + number(2);
  const int month = number(5);
  const int day = number(8);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  if (day > kDaysInMonth[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0)) return false;
  return number(11) < 24 && number(14) < 60 && number(17) < 60;
}

// The keys the reader knows, in a post and in its author object.
enum class Key {
  kOther,
  kId,
  kText,
  kUrl,
  kTitle,
  kLang,
  kSource,
  kAuthor,
  kPublishedAt,
  kUpdatedAt,
  kParentId,
  kParentUrl,
  kContentHash,
  kLinks,
  kContacts,
  kFollowers,
  kComments,
  kShares,
  kLikes,
  kName,
  kHandle,
};

// One switch on the length then one comparison, rather than a comparison per known key.
Key KeyOf(std::string_view key) {
  switch (key.size()) {
    case 2:
      return key == "id" ? Key::kId : Key::kOther;
    case 3:
      return key == "url" ? Key::kUrl : Key::kOther;
    case 4:
      if (key == "text") return Key::kText;
      if (key == "lang") return Key::kLang;
      if (key == "name") return Key::kName;
      return Key::kOther;
    case 5:
      if (key == "title") return Key::kTitle;
      if (key == "links") return Key::kLinks;
      if (key == "likes") return Key::kLikes;
      return Key::kOther;
    case 6:
      if (key == "author") return Key::kAuthor;
      if (key == "source") return Key::kSource;
      if (key == "shares") return Key::kShares;
      if (key == "handle") return Key::kHandle;
      return Key::kOther;
    case 8:
      if (key == "comments") return Key::kComments;
      if (key == "contacts") return Key::kContacts;
      return Key::kOther;
    case 9:
      if (key == "parent_id") return Key::kParentId;
      if (key == "followers") return Key::kFollowers;
      return Key::kOther;
    case 10:
      if (key == "updated_at") return Key::kUpdatedAt;
      if (key == "parent_url") return Key::kParentUrl;
      return Key::kOther;
    case 12:
      if (key == "published_at") return Key::kPublishedAt;
      if (key == "content_hash") return Key::kContentHash;
      return Key::kOther;
    default:
      return Key::kOther;
  }
}

class JsonLinesReader {
 public:
  JsonLinesReader(std::string_view name, const std::function<void(const Post&)>& emit,
                  std::vector<Problem>& problems)
      : name_(name), emit_(emit), problems_(problems) {}

  void Read(std::string_view bytes);

 private:
  enum class Verdict { kPost, kNotJson, kNotObject, kNoText };

  // Reads the lines of bytes[begin, end), which starts at a line and ends after one or at the
  // end of the input. `line_number` is that of the line before.
  void ReadChunk(std::string_view bytes, size_t begin, size_t end, size_t& line_number);
  // Reads one non-blank line alone, repairing invalid UTF-8, and emits or reports it.
  void ReadLine(std::string_view bytes, std::string_view line, size_t line_number);
  // Reads `line` as the next document of `stream`, which starts `stream_begin` bytes into the
  // input. False, with post_ undefined, unless the document is exactly the line (with
  // white space around) and an object that reads without error: any other line, and any
  // after it in the stream, is then read alone, which says what is wrong with it.
  bool ReadStreamed(ondemand::document_stream::iterator& document,
                    ondemand::document_stream::iterator& documents_end, size_t stream_begin,
                    std::string_view bytes, std::string_view line, Verdict& verdict);
  // Emits post_ or reports the line, by `verdict`.
  void Finish(Verdict verdict, error_code error, ondemand::json_type root_type,
              std::string_view line, size_t line_number);
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
  // "contacts": an array of {"kind", "value"}; what AddContactRoute refuses is skipped.
  error_code ReadContacts(ondemand::value& value);
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
  ondemand::parser stream_parser_;
  size_t stream_batch_ = 0;  // the stream parser's capacity: only grows, so it is kept
  std::string buffer_;
  std::string stream_buffer_;  // the last chunk, followed by simdjson's padding
  std::string repaired_;       // a line whose invalid UTF-8 was replaced
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
    size_t end = bytes.size();
    if (bytes.size() - pos > kChunkBytes) {
      const void* newline =
          std::memchr(bytes.data() + pos + kChunkBytes, '\n', bytes.size() - pos - kChunkBytes);
      if (newline != nullptr) end = static_cast<const char*>(newline) - bytes.data() + 1;
    }
    ReadChunk(bytes, pos, end, line_number);
    pos = end;
  }
  if (line_problem_count_ > kMaxLineProblems) {
    problems_.push_back({std::string(name_),
                         std::to_string(line_problem_count_ - kMaxLineProblems) +
                             " more lines were skipped (only the first " +
                             std::to_string(kMaxLineProblems) + " problems are listed)",
                         false});
  }
}

void JsonLinesReader::ReadChunk(std::string_view bytes, size_t begin, size_t end,
                                size_t& line_number) {
  // Lines are read as one stream of documents: simdjson's first stage then runs once over
  // the chunk instead of once per line, which was a third of the time on short lines. A
  // chunk of one line gains nothing, and one holding a very long line would size the
  // stream parser for it: those are read line by line.
  const std::string_view chunk = bytes.substr(begin, end - begin);
  const void* first_newline = std::memchr(chunk.data(), '\n', chunk.size());
  bool is_streaming = first_newline != nullptr &&
                      static_cast<const char*>(first_newline) + 1 < chunk.data() + chunk.size() &&
                      chunk.size() <= 4 * kChunkBytes;
  ondemand::document_stream stream;
  ondemand::document_stream::iterator document;
  ondemand::document_stream::iterator documents_end;
  if (is_streaming) {
    // As for single lines (ParseLine), the input after the chunk serves as padding.
    const char* json = chunk.data();
    if (bytes.size() - end < simdjson::SIMDJSON_PADDING) {
      stream_buffer_.assign(chunk);
      stream_buffer_.append(simdjson::SIMDJSON_PADDING, '\0');
      json = stream_buffer_.data();
    }
    // One batch for the whole chunk: a stream of several batches would cut it where
    // simdjson thinks a document ends, and start a thread.
    stream_batch_ = std::max({stream_batch_, 2 * kChunkBytes, std::bit_ceil(chunk.size())});
    stream_parser_.threaded = false;
    is_streaming = !stream_parser_.iterate_many(json, chunk.size(), stream_batch_).get(stream);
    if (is_streaming) {
      document = stream.begin();
      documents_end = stream.end();
    }
  }
  size_t pos = 0;
  while (pos < chunk.size()) {
    ++line_number;
    const void* newline = std::memchr(chunk.data() + pos, '\n', chunk.size() - pos);
    const size_t line_end =
        newline == nullptr ? chunk.size() : static_cast<const char*>(newline) - chunk.data();
    std::string_view line = chunk.substr(pos, line_end - pos);
    pos = line_end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (IsBlank(line)) continue;
    Verdict verdict = Verdict::kPost;
    if (is_streaming && ReadStreamed(document, documents_end, begin, bytes, line, verdict)) {
      Finish(verdict, simdjson::SUCCESS, ondemand::json_type::object, line, line_number);
      continue;
    }
    is_streaming = false;
    ReadLine(bytes, line, line_number);
  }
}

bool JsonLinesReader::ReadStreamed(ondemand::document_stream::iterator& document,
                                   ondemand::document_stream::iterator& documents_end,
                                   size_t stream_begin, std::string_view bytes,
                                   std::string_view line, Verdict& verdict) {
  if (!(document != documents_end) || document.error()) return false;
  // The document must start where the line does, and end where it does: the stream cuts
  // documents by their structure, not by lines.
  const size_t line_begin = static_cast<size_t>(line.data() - bytes.data()) - stream_begin;
  const size_t first = line.find_first_not_of(" \t\r\n");
  const size_t last = line.find_last_not_of(" \t\r\n");
  if (document.current_index() != line_begin + first) return false;
  const std::string_view source = document.source();
  if (source.empty() || source.front() != '{' || source.size() != last + 1 - first) {
    return false;
  }
  ondemand::document_reference root;
  if ((*document).get(root)) return false;
  ResetPost();
  ondemand::object object;
  if (root.get_object().get(object)) return false;
  bool has_text = false;
  if (ReadFields(object, has_text)) return false;
  verdict = has_text ? Verdict::kPost : Verdict::kNoText;
  ++document;
  return true;
}

void JsonLinesReader::ReadLine(std::string_view bytes, std::string_view line, size_t line_number) {
  error_code error = simdjson::SUCCESS;
  ondemand::json_type root_type = ondemand::json_type::object;
  Verdict verdict = ParseLine(line, bytes.size() - (line.data() - bytes.data()), error, root_type);
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
  Finish(verdict, error, root_type, line, line_number);
}

void JsonLinesReader::Finish(Verdict verdict, error_code error, ondemand::json_type root_type,
                             std::string_view line, size_t line_number) {
  switch (verdict) {
    case Verdict::kPost:
      if (post_.id.empty()) AppendWhere(line_number, post_.id);
      if (post_.source.empty()) post_.source = "jsonl";
      if (post_.content_hash.empty()) {
        sources_internal::AssignContentHash(line, post_.content_hash);
      }
      NormalizeDate("published_at", line_number, post_.published_at);
      NormalizeDate("updated_at", line_number, post_.updated_at);
      emit_(post_);
      break;
    case Verdict::kNotJson:
      AddLineProblem(line_number, std::string("not valid JSON (") + simdjson::error_message(error) +
                                      "); the line was skipped");
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
    if ((error = parser_.allocate(parser_capacity, kMaxJsonDepth))) return Verdict::kNotJson;
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
  for (auto member : object) {
    ondemand::field field;
    if (error_code error = std::move(member).get(field)) return error;
    std::string_view key;
    if (error_code error = ReadKey(field, key)) return error;
    ondemand::value& value = field.value();
    // Strings read here point into the line or the parser's buffer, valid until the next line.
    std::string_view text;
    error_code error = simdjson::SUCCESS;
    switch (KeyOf(key)) {
      case Key::kText: {
        bool is_string = false;
        error = ReadString(value, text, &is_string);
        if (!error) {
          has_text = is_string;
          if (is_string) post_.text.assign(text);
        }
        break;
      }
      case Key::kId: {
        ondemand::json_type type;
        error = value.type().get(type);
        if (!error && type == ondemand::json_type::string) {
          if (!(error = ReadString(value, text))) post_.id.assign(text);
        } else if (!error && type == ondemand::json_type::number) {
          error = ReadNumericId(value, post_.id);
        }
        break;
      }
      case Key::kUrl:
        if (!(error = ReadString(value, text))) post_.url.assign(text);
        break;
      case Key::kTitle:
        if (!(error = ReadString(value, text))) post_.title.assign(text);
        break;
      case Key::kPublishedAt:
        if (!(error = ReadString(value, text))) post_.published_at.assign(text);
        break;
      case Key::kUpdatedAt:
        if (!(error = ReadString(value, text))) post_.updated_at.assign(text);
        break;
      case Key::kSource:
        if (!(error = ReadString(value, text))) post_.source.assign(text);
        break;
      case Key::kLang:
        if (!(error = ReadString(value, text))) post_.lang.assign(text);
        break;
      case Key::kParentId:
        if (!(error = ReadString(value, text))) post_.parent_id.assign(text);
        break;
      case Key::kParentUrl:
        if (!(error = ReadString(value, text))) post_.parent_url.assign(text);
        break;
      case Key::kContentHash:
        if (!(error = ReadString(value, text))) post_.content_hash.assign(text);
        break;
      case Key::kLinks:
        error = ReadLinks(value);
        break;
      case Key::kContacts:
        error = ReadContacts(value);
        break;
      case Key::kAuthor:
        error = ReadAuthor(value);
        break;
      case Key::kFollowers:
        error = ReadCount(value, author_followers);
        break;
      case Key::kComments:
        error = ReadCount(value, post_.comments);
        break;
      case Key::kShares:
        error = ReadCount(value, post_.shares);
        break;
      case Key::kLikes:
        error = ReadCount(value, post_.likes);
        break;
      case Key::kName:    // an author's field, not a post's
      case Key::kHandle:  // an author's field, not a post's
      case Key::kOther:
        break;
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

error_code JsonLinesReader::ReadContacts(ondemand::value& value) {
  ondemand::json_type type;
  if (error_code error = value.type().get(type)) return error;
  if (type != ondemand::json_type::array) return simdjson::SUCCESS;
  ondemand::array array;
  if (error_code error = value.get_array().get(array)) return error;
  for (auto item : array) {
    ondemand::value route;
    if (error_code error = item.get(route)) return error;
    if (error_code error = route.type().get(type)) return error;
    if (type != ondemand::json_type::object) continue;
    ondemand::object object;
    if (error_code error = route.get_object().get(object)) return error;
    std::string kind;
    std::string text;
    for (auto result : object) {
      ondemand::field field;
      if (error_code error = std::move(result).get(field)) return error;
      std::string_view key;
      if (error_code error = ReadKey(field, key)) return error;
      std::string* target = key == "kind" ? &kind : key == "value" ? &text : nullptr;
      if (target == nullptr) continue;
      std::string_view read;
      error_code error = ReadString(field.value(), read);
      if (error && !IsTypeMismatch(error)) return error;
      if (!error) target->assign(read);
    }
    AddContactRoute(kind, text, post_.contacts);
  }
  return simdjson::SUCCESS;
}

error_code JsonLinesReader::ReadAuthor(ondemand::value& value) {
  ondemand::json_type type;
  if (error_code error = value.type().get(type)) return error;
  std::string_view text;
  if (type == ondemand::json_type::string) {
    // One string: a handle when it looks like one, else a name.
    if (error_code error = ReadString(value, text)) return error;
    (text.size() > 1 && text[0] == '@' ? post_.author.handle : post_.author.name).assign(text);
    return simdjson::SUCCESS;
  }
  if (type != ondemand::json_type::object) return simdjson::SUCCESS;
  ondemand::object object;
  if (error_code error = value.get_object().get(object)) return error;
  for (auto result : object) {
    ondemand::field field;
    if (error_code error = std::move(result).get(field)) return error;
    std::string_view key;
    if (error_code error = ReadKey(field, key)) return error;
    ondemand::value& member = field.value();
    error_code error = simdjson::SUCCESS;
    switch (KeyOf(key)) {
      case Key::kName:
        if (!(error = ReadString(member, text))) post_.author.name.assign(text);
        break;
      case Key::kHandle:
        if (!(error = ReadString(member, text))) post_.author.handle.assign(text);
        break;
      case Key::kUrl:
        if (!(error = ReadString(member, text))) post_.author.url.assign(text);
        break;
      case Key::kFollowers:
        error = ReadCount(member, post_.author.followers);
        break;
      default:
        break;
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
  post_.contacts.clear();
  post_.comments = -1;
  post_.shares = -1;
  post_.likes = -1;
}

void JsonLinesReader::NormalizeDate(std::string_view key, size_t line_number, std::string& date) {
  if (date.empty() || IsNormalRfc3339(date)) return;
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

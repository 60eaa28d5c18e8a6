// Reading TWCS's CSV (libcsv, a C library: nothing here throws): records joined back when a
// bare line break split them, rows checked into tweets, and the ids and times they carry.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <csv.h>

#include "twcs.h"
#include "util/datetime.h"
#include "util/utf8.h"

namespace ecoute::twcs {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The columns the conversion needs; the file's leading pandas index column is ignored.
enum Column { kTweetId, kAuthorId, kInbound, kCreatedAt, kText, kResponses, kParent };
constexpr std::string_view kColumnNames[] = {"tweet_id",
                                             "author_id",
                                             "inbound",
                                             "created_at",
                                             "text",
                                             "response_tweet_id",
                                             "in_response_to_tweet_id"};
constexpr size_t kColumnCount = std::size(kColumnNames);

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Quoted(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out = "\"";
  out.append(s.substr(0, kMax));
  if (s.size() > kMax) out += "...";
  out += '"';
  return out;
}

// "\r\n" and a lone "\r" become "\n": posts separate lines with "\n" only.
std::string NormalizeLineBreaks(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\r') {
      out += s[i];
    } else {
      out += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// CSV records and rows

// RFC 4180: spaces are part of a field. libcsv trims them by default.
int IsNeverSpace(unsigned char) { return 0; }

// Turns CSV records into tweets. Records arrive with the line they start on and the
// character that ended them, so that a record broken by a bare line break can be joined.
class TwcsBuilder {
 public:
  explicit TwcsBuilder(TwcsFile& out) : out_(out) {}

  // A record: `fields` (its first `count` entries), the line it starts on, and its
  // terminator ('\n', '\r', or -1 at the end of the input). An empty record is a line break
  // outside any record.
  void AddRecord(std::vector<std::string>& fields, size_t count, int64_t line, int terminator);
  void AddBrokenRecord(int64_t line, std::string message);
  void Finish();
  const Status& status() const { return status_; }
  bool has_header() const { return has_header_; }

 private:
  void ReadHeader(const std::vector<std::string>& fields, size_t count);
  void AddRow(const std::vector<std::string>& fields, int64_t line, bool was_joined);
  void AddProblem(int64_t line, std::string message) {
    out_.problems.push_back({line, std::move(message)});
  }

  TwcsFile& out_;
  Status status_;
  bool has_header_ = false;
  size_t field_count_ = 0;  // in the header
  size_t index_[kColumnCount] = {};
  std::unordered_map<int64_t, int64_t> line_of_id_;
  // A record with too few fields, waiting for the rest of it.
  std::vector<std::string> pending_;
  int64_t pending_line_ = 0;
  std::string pending_break_;  // the line breaks seen since its last field
};

void TwcsBuilder::ReadHeader(const std::vector<std::string>& fields, size_t count) {
  has_header_ = true;
  field_count_ = count;
  std::string missing;
  for (size_t c = 0; c < kColumnCount; ++c) {
    const auto it = std::find(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(count),
                              kColumnNames[c]);
    if (it == fields.begin() + static_cast<std::ptrdiff_t>(count)) {
      if (!missing.empty()) missing += ", ";
      missing += kColumnNames[c];
    } else {
      index_[c] = static_cast<size_t>(it - fields.begin());
    }
  }
  if (!missing.empty()) {
    status_ = InvalidArgumentError("line 1: the header lacks " + missing +
                                   " (is this the TWCS twcs.csv?)");
  }
}

void TwcsBuilder::AddRecord(std::vector<std::string>& fields, size_t count, int64_t line,
                            int terminator) {
  if (!status_.ok()) return;
  if (!has_header_) {
    if (count > 0) ReadHeader(fields, count);
    return;
  }
  const std::string line_break =
      terminator < 0 ? "" : std::string(1, static_cast<char>(terminator));
  if (!pending_.empty()) {
    if (count == 0) {
      pending_break_ += line_break;
      return;
    }
    if (pending_.size() + count - 1 <= field_count_) {
      pending_.back() += pending_break_;
      pending_.back() += fields[0];
      pending_.insert(pending_.end(), fields.begin() + 1,
                      fields.begin() + static_cast<std::ptrdiff_t>(count));
      pending_break_ = line_break;
      if (pending_.size() == field_count_) {
        AddRow(pending_, pending_line_, /*was_joined=*/true);
        pending_.clear();
      }
      return;
    }
    AddProblem(pending_line_, std::to_string(pending_.size()) + " fields, the header has " +
                                  std::to_string(field_count_) + "; row skipped");
    pending_.clear();
  }
  if (count == 0) return;  // a blank line
  if (count < field_count_) {
    pending_.assign(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(count));
    pending_line_ = line;
    pending_break_ = line_break;
  } else if (count > field_count_) {
    AddProblem(line, std::to_string(count) + " fields, the header has " +
                         std::to_string(field_count_) + "; row skipped");
  } else {
    AddRow(fields, line, /*was_joined=*/false);
  }
}

void TwcsBuilder::AddBrokenRecord(int64_t line, std::string message) {
  if (!pending_.empty()) {
    AddProblem(pending_line_, std::to_string(pending_.size()) + " fields, the header has " +
                                  std::to_string(field_count_) + "; row skipped");
    pending_.clear();
  }
  AddProblem(line, std::move(message));
}

void TwcsBuilder::Finish() {
  if (!pending_.empty()) {
    AddProblem(pending_line_, std::to_string(pending_.size()) + " fields, the header has " +
                                  std::to_string(field_count_) + "; row skipped");
    pending_.clear();
  }
}

void TwcsBuilder::AddRow(const std::vector<std::string>& fields, int64_t line, bool was_joined) {
  const auto field = [&](Column c) -> std::string_view { return fields[index_[c]]; };
  Tweet tweet;
  tweet.line = line;

  const std::string_view id_text = TrimSpaces(field(kTweetId));
  if (id_text.empty()) return AddProblem(line, "no tweet_id; row skipped");
  const std::optional<int64_t> id = ParseTweetId(id_text);
  if (!id)
    return AddProblem(line, "tweet_id " + Quoted(id_text) + " is not a tweet id; row skipped");
  tweet.id = *id;

  tweet.author_id = std::string(TrimSpaces(field(kAuthorId)));
  if (tweet.author_id.empty()) return AddProblem(line, "no author_id; row skipped");

  const std::string_view inbound = TrimSpaces(field(kInbound));
  if (inbound == "True" || inbound == "true" || inbound == "1") {
    tweet.is_inbound = true;
  } else if (inbound == "False" || inbound == "false" || inbound == "0") {
    tweet.is_inbound = false;
  } else {
    return AddProblem(line,
                      "inbound " + Quoted(inbound) + " is neither True nor False; row skipped");
  }

  const std::string_view created_at = field(kCreatedAt);
  const std::optional<int64_t> time = ParseTwitterTime(created_at);
  if (!time)
    return AddProblem(line, "created_at " + Quoted(created_at) + " is not a date; row skipped");
  tweet.created_at = *time;

  if (const auto [it, is_new] = line_of_id_.emplace(tweet.id, line); !is_new) {
    return AddProblem(line, "tweet_id " + std::to_string(tweet.id) + " already read on line " +
                                std::to_string(it->second) + "; row skipped");
  }

  tweet.text = NormalizeLineBreaks(field(kText));
  size_t first_bad = 0;
  if (RepairUtf8(tweet.text, first_bad) > 0) {
    AddProblem(line, "invalid UTF-8 in text at byte " + std::to_string(first_bad) +
                         ", replaced by U+FFFD");
  }

  std::string_view responses = field(kResponses);
  while (!TrimSpaces(responses).empty()) {
    const size_t comma = responses.find(',');
    const std::string_view item = TrimSpaces(responses.substr(0, comma));
    responses = comma == std::string_view::npos ? std::string_view() : responses.substr(comma + 1);
    if (const std::optional<int64_t> response = ParseTweetId(item)) {
      tweet.response_ids.push_back(*response);
    } else {
      AddProblem(line, "response_tweet_id " + Quoted(item) + " is not a tweet id; ignored");
    }
  }

  const std::string_view parent = TrimSpaces(field(kParent));
  if (!parent.empty()) {
    tweet.parent_id = ParseTweetId(parent);
    if (!tweet.parent_id) {
      AddProblem(line, "in_response_to_tweet_id " + Quoted(parent) + " is not a tweet id; ignored");
    }
  }
  if (was_joined) {
    AddProblem(line,
               "record broken by line breaks inside an unquoted field; its pieces were joined");
  }
  out_.tweets.push_back(std::move(tweet));
}

// Feeds libcsv and counts lines: every '\n' outside a field ends a record (or is reported
// as an empty one, CSV_REPALL_NL), and the ones inside fields are counted from the fields.
class CsvSplitter {
 public:
  explicit CsvSplitter(TwcsBuilder& builder) : builder_(builder) {}

  void Read(std::string_view bytes);

 private:
  // libcsv's callbacks. They run inside C code, which an exception must not cross.
  static void OnField(void* data, size_t size, void* self) noexcept;
  static void OnRecord(int terminator, void* self) noexcept;

  // The line of `offset`, counting from the last such call (offsets only grow).
  int64_t LineAt(std::string_view bytes, size_t offset);

  TwcsBuilder& builder_;
  std::vector<std::string> fields_;
  size_t count_ = 0;
  int64_t newlines_ = 0;  // line breaks consumed by the parser
  int64_t record_line_ = 0;
  size_t scan_offset_ = 0;  // for LineAt
  int64_t scan_newlines_ = 0;
};

void CsvSplitter::OnField(void* data, size_t size, void* self) noexcept {
  auto* splitter = static_cast<CsvSplitter*>(self);
  const std::string_view field =
      size == 0 ? std::string_view() : std::string_view(static_cast<const char*>(data), size);
  if (splitter->count_ == 0) splitter->record_line_ = splitter->newlines_ + 1;
  if (splitter->count_ == splitter->fields_.size()) splitter->fields_.emplace_back();
  splitter->fields_[splitter->count_++].assign(field);
  splitter->newlines_ += std::count(field.begin(), field.end(), '\n');
}

void CsvSplitter::OnRecord(int terminator, void* self) noexcept {
  auto* splitter = static_cast<CsvSplitter*>(self);
  const int64_t line = splitter->count_ == 0 ? splitter->newlines_ + 1 : splitter->record_line_;
  splitter->builder_.AddRecord(splitter->fields_, splitter->count_, line, terminator);
  splitter->count_ = 0;
  if (terminator == '\n') ++splitter->newlines_;
}

int64_t CsvSplitter::LineAt(std::string_view bytes, size_t offset) {
  scan_newlines_ += std::count(bytes.begin() + static_cast<std::ptrdiff_t>(scan_offset_),
                               bytes.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
  scan_offset_ = offset;
  return scan_newlines_ + 1;
}

void CsvSplitter::Read(std::string_view bytes) {
  constexpr unsigned char kOptions = CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL;
  csv_parser parser;
  csv_init(&parser, kOptions);
  csv_set_space_func(&parser, IsNeverSpace);
  size_t pos = 0;
  while (pos < bytes.size() && builder_.status().ok()) {
    const size_t parsed =
        csv_parse(&parser, bytes.data() + pos, bytes.size() - pos, OnField, OnRecord, this);
    if (parsed == bytes.size() - pos) break;
    // Broken quoting (strict RFC 4180). The fields read so far cannot be trusted to line up
    // with the header: the record is dropped and reading resumes at the next line.
    const int64_t line = count_ > 0 ? record_line_ : LineAt(bytes, pos + parsed);
    const size_t newline = bytes.find('\n', pos + parsed);
    pos = newline == std::string_view::npos ? bytes.size() : newline + 1;
    builder_.AddBrokenRecord(
        line, csv_error(&parser) == CSV_EPARSE
                  ? "a quote inside an unquoted field, or text after a closing quote; row skipped"
                  : std::string("CSV parser failed (") + csv_strerror(csv_error(&parser)) +
                        "); row skipped");
    newlines_ = LineAt(bytes, pos) - 1;
    count_ = 0;
    csv_free(&parser);
    csv_init(&parser, kOptions);
    csv_set_space_func(&parser, IsNeverSpace);
  }
  if (builder_.status().ok() && csv_fini(&parser, OnField, OnRecord, this) != 0) {
    builder_.AddBrokenRecord(record_line_,
                             "a quoted field is never closed; the rest of the file was skipped");
  }
  csv_free(&parser);
  builder_.Finish();
}

}  // namespace

std::optional<int64_t> ParseTweetId(std::string_view text) {
  int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin == end || *begin < '0' || *begin > '9') return std::nullopt;
  const auto [stop, error] = std::from_chars(begin, end, value);
  if (error != std::errc()) return std::nullopt;
  if (stop != end) {
    // pandas writes the nullable column as floats: "3.0".
    if (*stop != '.' || stop + 1 == end) return std::nullopt;
    if (!std::all_of(stop + 1, end, [](char c) { return c == '0'; })) return std::nullopt;
  }
  if (value <= 0) return std::nullopt;
  return value;
}

std::optional<int64_t> ParseTwitterTime(std::string_view text) {
  // "Tue Oct 31 22:10:47 +0000 2017": weekday, month, day, time, offset, year. Reordered as
  // RFC 2822 ("Tue, 31 Oct 2017 22:10:47 +0000"), which util/datetime.h reads.
  std::vector<std::string_view> parts;
  std::string_view rest = TrimSpaces(text);
  while (!rest.empty()) {
    const size_t space = rest.find(' ');
    parts.push_back(rest.substr(0, space));
    rest = space == std::string_view::npos ? std::string_view() : TrimSpaces(rest.substr(space));
  }
  if (parts.size() != 6 || parts[0].size() != 3 || parts[1].size() != 3 || parts[3].size() != 8 ||
      parts[4].size() != 5 || (parts[4][0] != '+' && parts[4][0] != '-') || parts[5].size() != 4) {
    return std::nullopt;
  }
  std::string rfc2822;
  for (const std::string_view part :
       {parts[0], std::string_view(", "), parts[2], std::string_view(" "), parts[1],
        std::string_view(" "), parts[5], std::string_view(" "), parts[3], std::string_view(" "),
        parts[4]}) {
    rfc2822 += part;
  }
  return ParseDateTime(rfc2822);
}

Result<TwcsFile> ParseTwcsCsv(std::string_view bytes) {
  if (bytes.substr(0, kUtf8Bom.size()) == kUtf8Bom) bytes.remove_prefix(kUtf8Bom.size());
  TwcsFile file;
  TwcsBuilder builder(file);
  CsvSplitter(builder).Read(bytes);
  if (!builder.status().ok()) return builder.status();
  if (!builder.has_header()) return InvalidArgumentError("no header row, nothing to read");
  return file;
}

Result<TwcsFile> ReadTwcsCsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path + ": cannot be read");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return NotFoundError(path + ": cannot be read");
  Result<TwcsFile> file = ParseTwcsCsv(bytes.str());
  if (!file) return InvalidArgumentError(path + ": " + file.error().message());
  return file;
}

void SortForIngest(std::vector<Tweet>& tweets) {
  std::sort(tweets.begin(), tweets.end(), [](const Tweet& a, const Tweet& b) {
    return std::pair(a.created_at, a.id) < std::pair(b.created_at, b.id);
  });
}

}  // namespace ecoute::twcs

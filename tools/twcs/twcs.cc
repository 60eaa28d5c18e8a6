// TWCS reading (libcsv), conversion, ground truth, and scoring against ecoute's database
// (SQLite) and report (simdjson). libcsv and SQLite are C; simdjson is used through its
// error codes: nothing here throws.
#include "twcs.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <sstream>
#include <unordered_map>
#include <utility>

#include <csv.h>
#include <simdjson.h>

#include "store/sqlite/sqlite.h"
#include "util/datetime.h"
#include "util/json.h"
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

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsHandleChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The first "@handle" in `text` that names one of the accounts (Twitter handles ignore
// case); empty if none does.
std::string FirstAddressedAccount(
    std::string_view text, const std::unordered_map<std::string, std::string>& account_of_handle) {
  for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    if (at > 0 && IsHandleChar(text[at - 1])) continue;  // an e-mail address
    size_t end = at + 1;
    while (end < text.size() && IsHandleChar(text[end])) ++end;
    const auto it = account_of_handle.find(ToLower(text.substr(at + 1, end - at - 1)));
    if (it != account_of_handle.end()) return it->second;
  }
  return "";
}

// ---------------------------------------------------------------------------------------
// Brands

struct BrandEntry {
  std::string_view account;
  std::string_view name;
  bool is_common_word = false;  // an ordinary word missing from common_words.txt
};

// The support accounts of TWCS and the brands behind them.
constexpr BrandEntry kBrands[] = {
    {"ATVIAssist", "Activision"},
    {"AdobeCare", "Adobe"},
    {"AirAsiaSupport", "AirAsia"},
    {"AirbnbHelp", "Airbnb"},
    {"AlaskaAir", "Alaska Airlines"},
    {"AldiUK", "Aldi UK"},
    {"AmazonHelp", "Amazon"},
    {"AmericanAir", "American Airlines"},
    {"AppleSupport", "Apple"},
    {"ArgosHelpers", "Argos"},
    {"AskAmex", "American Express"},
    {"AskCiti", "Citi"},
    {"AskLyft", "Lyft"},
    {"AskPapaJohns", "Papa John's"},
    {"AskPayPal", "PayPal"},
    {"AskPlayStation", "PlayStation"},
    {"AskRBC", "RBC"},
    {"AskTarget", "Target"},
    {"AskeBay", "eBay"},
    {"Ask_Spectrum", "Spectrum", true},
    {"Ask_WellsFargo", "Wells Fargo"},
    {"AsurionCares", "Asurion"},
    {"AzureSupport", "Microsoft Azure"},
    {"BofA_Help", "Bank of America"},
    {"BoostCare", "Boost Mobile"},
    {"British_Airways", "British Airways"},
    {"CarlsJr", "Carl's Jr."},
    {"CenturyLinkHelp", "CenturyLink"},
    {"ChaseSupport", "Chase", true},
    {"ChipotleTweets", "Chipotle"},
    {"CoxHelp", "Cox", true},
    {"Delta", "Delta"},
    {"DoorDash_Help", "DoorDash"},
    {"DropboxSupport", "Dropbox"},
    {"DunkinDonuts", "Dunkin' Donuts"},
    {"GWRHelp", "Great Western Railway"},
    {"GloCare", "Glo", true},
    {"GoDaddyHelp", "GoDaddy"},
    {"HPSupport", "HP"},
    {"HiltonHelp", "Hilton"},
    {"IHGService", "IHG"},
    {"JackBox", "Jack in the Box"},
    {"JetBlue", "JetBlue"},
    {"KLM", "KLM"},
    {"Kimpton", "Kimpton Hotels"},
    {"LondonMidland", "London Midland"},
    {"McDonalds", "McDonald's"},
    {"MicrosoftHelps", "Microsoft"},
    {"Morrisons", "Morrisons"},
    {"NeweggService", "Newegg"},
    {"NikeSupport", "Nike"},
    {"O2", "O2", true},
    {"OfficeSupport", "Microsoft Office"},
    {"PandoraSupport", "Pandora"},
    {"Postmates_Help", "Postmates"},
    {"SW_Help", "South Western Railway"},
    {"Safaricom_Care", "Safaricom"},
    {"SouthwestAir", "Southwest Airlines"},
    {"SpotifyCares", "Spotify"},
    {"TMobileHelp", "T-Mobile"},
    {"Tesco", "Tesco"},
    {"TfL", "Transport for London"},
    {"USCellularCares", "U.S. Cellular"},
    {"UPSHelp", "UPS"},
    {"Uber_Support", "Uber"},
    {"VerizonSupport", "Verizon"},
    {"VirginAmerica", "Virgin America"},
    {"VirginAtlantic", "Virgin Atlantic"},
    {"VirginTrains", "Virgin Trains"},
    {"Walmart", "Walmart"},
    {"XboxSupport", "Xbox"},
    {"YahooCare", "Yahoo"},
    {"airtel_care", "Airtel"},
    {"asksalesforce", "Salesforce"},
    {"askpanera", "Panera Bread"},
    {"comcastcares", "Comcast"},
    {"hulu_support", "Hulu"},
    {"idea_cares", "Idea Cellular"},
    {"marksandspencer", "Marks & Spencer"},
    {"nationalrailenq", "National Rail"},
    {"sainsburys", "Sainsbury's"},
    {"sprintcare", "Sprint"},
};

const BrandEntry* FindBrand(std::string_view account) {
  for (const BrandEntry& entry : kBrands) {
    if (entry.account == account) return &entry;
  }
  return nullptr;
}

// One name per account, unique: an account whose name is taken keeps its account name.
std::vector<std::string> UniqueNames(const std::vector<std::string>& accounts) {
  std::vector<std::string> names;
  std::set<std::string> taken;
  for (const std::string& account : accounts) {
    std::string name = BrandName(account);
    if (!taken.insert(name).second) {
      name = account;
      taken.insert(name);
    }
    names.push_back(std::move(name));
  }
  return names;
}

void AppendTomlString(std::string_view s, std::string& out) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
      out += escape;
    } else {
      out += c;
    }
  }
  out += '"';
}

// ---------------------------------------------------------------------------------------
// JSON output

void AppendNumber(double value, std::string& out) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9.0e15) {
    out += std::to_string(static_cast<int64_t>(value));
    return;
  }
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, error == std::errc() ? end : buffer);
}

void AppendOptional(const std::optional<double>& value, std::string& out) {
  if (value) {
    AppendNumber(*value, out);
  } else {
    out += "null";
  }
}

void AppendRatio(double value, std::string& out) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4f", value);
  out += buffer;
}

void AppendIntArray(const std::vector<int64_t>& values, std::string& out) {
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(values[i]);
  }
  out += ']';
}

// ---------------------------------------------------------------------------------------
// JSON input (simdjson, error codes)

namespace dom = simdjson::dom;

std::optional<double> ReadNumber(dom::element value) {
  switch (value.type()) {
    case dom::element_type::INT64: {
      int64_t n = 0;
      if (value.get(n) != simdjson::SUCCESS) return std::nullopt;
      return static_cast<double>(n);
    }
    case dom::element_type::UINT64: {
      uint64_t n = 0;
      if (value.get(n) != simdjson::SUCCESS) return std::nullopt;
      return static_cast<double>(n);
    }
    case dom::element_type::DOUBLE: {
      double n = 0;
      if (value.get(n) != simdjson::SUCCESS) return std::nullopt;
      return n;
    }
    default:
      return std::nullopt;
  }
}

// A count or a time in seconds: a number, or null / absent for `optional` fields.
Status ReadField(dom::object object, std::string_view key, std::string_view where,
                 std::optional<double>& out, bool is_optional) {
  dom::element value;
  if (object[key].get(value) != simdjson::SUCCESS || value.is_null()) {
    if (is_optional) return OkStatus();
    return InvalidArgumentError(std::string(where) + ": no \"" + std::string(key) + "\"");
  }
  out = ReadNumber(value);
  if (!out) {
    return InvalidArgumentError(std::string(where) + ": \"" + std::string(key) + "\" is " +
                                std::string(DescribeJsonType(value.type())) + ", not a number");
  }
  return OkStatus();
}

Status ReadCount(dom::object object, std::string_view key, std::string_view where, int64_t& out) {
  std::optional<double> value;
  ECOUTE_RETURN_IF_ERROR(ReadField(object, key, where, value, /*is_optional=*/false));
  out = static_cast<int64_t>(*value);
  return OkStatus();
}

Status ReadTimes(dom::object object, std::string_view where, std::vector<int64_t>& out) {
  dom::array array;
  if (object["response_times_s"].get(array) != simdjson::SUCCESS) return OkStatus();
  for (dom::element item : array) {
    const std::optional<double> value = ReadNumber(item);
    if (!value) {
      return InvalidArgumentError(std::string(where) + ": response_times_s holds " +
                                  std::string(DescribeJsonType(item.type())));
    }
    out.push_back(static_cast<int64_t>(*value));
  }
  std::sort(out.begin(), out.end());
  return OkStatus();
}

Result<dom::array> ParseBrandsArray(dom::parser& parser, const simdjson::padded_string& json) {
  dom::element root;
  if (const auto error = parser.parse(json).get(root)) {
    return InvalidArgumentError(std::string("not valid JSON: ") + simdjson::error_message(error));
  }
  dom::array brands;
  if (root["brands"].get(brands) != simdjson::SUCCESS) {
    return InvalidArgumentError("no \"brands\" array at the top level");
  }
  return brands;
}

// ---------------------------------------------------------------------------------------
// SQLite

Result<bool> HasTable(sqlite3* db, const std::string& path, std::string_view table) {
  sqlite::Statement statement(
      db, "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?");
  if (!statement.ok()) return InvalidArgumentError(path + ": " + sqlite3_errmsg(db));
  statement.Bind(1, table);
  const bool has_table = statement.Step();
  if (!statement.status().ok()) return InvalidArgumentError(path + ": " + sqlite3_errmsg(db));
  return has_table;
}

// ---------------------------------------------------------------------------------------
// Text rendering

// "42s", "5m12s", "3h05m", "2d04h": seconds as people read them.
std::string FormatDuration(std::optional<double> seconds) {
  if (!seconds) return "-";
  const int64_t s = std::llround(*seconds);
  char buffer[32];
  if (s < 60) {
    std::snprintf(buffer, sizeof buffer, "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else if (s < 86400) {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldd%02lldh", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  }
  return buffer;
}

std::optional<double> AbsDiff(const std::optional<double>& a, const std::optional<double>& b) {
  if (!a || !b) return std::nullopt;
  return std::fabs(*a - *b);
}

std::string FormatSigned(int64_t value) { return (value > 0 ? "+" : "") + std::to_string(value); }

std::string Percent(int64_t part, int64_t whole) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%",
                whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buffer;
}

void AppendFormat(std::string& out, const char* format, ...) __attribute__((format(printf, 2, 3)));
void AppendFormat(std::string& out, const char* format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  out += buffer;
}

// Sums the counts; pools the response times when every brand that answered lists its
// own, which gives the overall median and p90.
BrandFigures Total(const std::vector<const BrandFigures*>& brands) {
  BrandFigures total;
  total.name = "total";
  bool has_all_times = true;
  for (const BrandFigures* brand : brands) {
    total.threads += brand->threads;
    total.answered += brand->answered;
    if (static_cast<int64_t>(brand->response_times_s.size()) != brand->answered) {
      has_all_times = false;
    }
    total.response_times_s.insert(total.response_times_s.end(), brand->response_times_s.begin(),
                                  brand->response_times_s.end());
  }
  std::sort(total.response_times_s.begin(), total.response_times_s.end());
  if (has_all_times) {
    total.first_response_median_s = NearestRankPercentile(total.response_times_s, 50);
    total.first_response_p90_s = NearestRankPercentile(total.response_times_s, 90);
  } else {
    total.response_times_s.clear();
  }
  return total;
}

void AppendBrandRow(const std::string& name, const BrandFigures* truth, const BrandFigures* ecoute,
                    std::string& out) {
  const auto count = [](const BrandFigures* f, int64_t BrandFigures::*field) {
    return f == nullptr ? std::string("-") : std::to_string(f->*field);
  };
  const auto diff = [&](int64_t BrandFigures::*field) {
    return truth == nullptr || ecoute == nullptr ? std::string("-")
                                                 : FormatSigned(ecoute->*field - truth->*field);
  };
  const std::optional<double> none;
  const auto& truth_median = truth ? truth->first_response_median_s : none;
  const auto& ecoute_median = ecoute ? ecoute->first_response_median_s : none;
  const auto& truth_p90 = truth ? truth->first_response_p90_s : none;
  const auto& ecoute_p90 = ecoute ? ecoute->first_response_p90_s : none;
  AppendFormat(
      out, "%-24.24s %7s %6s %6s  %8s %9s %6s  %7s %7s %7s  %7s %7s %7s\n", name.c_str(),
      count(truth, &BrandFigures::threads).c_str(), count(ecoute, &BrandFigures::threads).c_str(),
      diff(&BrandFigures::threads).c_str(), count(truth, &BrandFigures::answered).c_str(),
      count(ecoute, &BrandFigures::answered).c_str(), diff(&BrandFigures::answered).c_str(),
      FormatDuration(truth_median).c_str(), FormatDuration(ecoute_median).c_str(),
      FormatDuration(AbsDiff(truth_median, ecoute_median)).c_str(),
      FormatDuration(truth_p90).c_str(), FormatDuration(ecoute_p90).c_str(),
      FormatDuration(AbsDiff(truth_p90, ecoute_p90)).c_str());
}

void AppendFiguresJson(const BrandFigures* figures, std::string_view threads_key,
                       std::string_view answered_key, std::string& out) {
  if (figures == nullptr) {
    out += "null";
    return;
  }
  out += "{\"";
  out += threads_key;
  out += "\": " + std::to_string(figures->threads) + ", \"";
  out += answered_key;
  out += "\": " + std::to_string(figures->answered) + ", \"first_response_median_s\": ";
  AppendOptional(figures->first_response_median_s, out);
  out += ", \"first_response_p90_s\": ";
  AppendOptional(figures->first_response_p90_s, out);
  out += '}';
}

void AppendComparisonJson(const std::string& name, const BrandFigures* truth,
                          const BrandFigures* ecoute, std::string& out) {
  out += "{\"name\": ";
  AppendJsonString(name, out);
  out += ", \"truth\": ";
  AppendFiguresJson(truth, "threads", "answered", out);
  out += ", \"ecoute\": ";
  AppendFiguresJson(ecoute, "cases", "responded", out);
  out += ", \"diff\": ";
  if (truth == nullptr || ecoute == nullptr) {
    out += "null}";
    return;
  }
  out += "{\"cases_minus_threads\": " + std::to_string(ecoute->threads - truth->threads);
  out += ", \"responded_minus_answered\": " + std::to_string(ecoute->answered - truth->answered);
  out += ", \"first_response_median_abs_s\": ";
  AppendOptional(AbsDiff(truth->first_response_median_s, ecoute->first_response_median_s), out);
  out += ", \"first_response_p90_abs_s\": ";
  AppendOptional(AbsDiff(truth->first_response_p90_s, ecoute->first_response_p90_s), out);
  out += "}}";
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Reading

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

// ---------------------------------------------------------------------------------------
// Conversion

Post ToPost(const Tweet& tweet) {
  Post post;
  post.id = std::to_string(tweet.id);
  post.source = "twitter";
  post.text = tweet.text;
  post.author.handle = "@" + tweet.author_id;
  post.author.name = tweet.author_id;
  post.published_at = FormatRfc3339(tweet.created_at);
  if (tweet.parent_id) post.parent_id = std::to_string(*tweet.parent_id);
  post.content_hash = ContentHash(tweet.text);
  return post;
}

std::string BrandName(std::string_view account) {
  const BrandEntry* entry = FindBrand(account);
  return std::string(entry == nullptr ? account : entry->name);
}

std::vector<std::string> BrandAccounts(const std::vector<Tweet>& tweets) {
  std::set<std::string> accounts;
  for (const Tweet& tweet : tweets) {
    if (!tweet.is_inbound) accounts.insert(tweet.author_id);
  }
  return {accounts.begin(), accounts.end()};
}

std::string FormatCatalogToml(const std::vector<std::string>& accounts) {
  std::string out =
      "# Brand catalog of the TWCS sample, written by twcs_to_jsonl (docs/TWCS.md): one brand\n"
      "# per support account, found by its handle. No aliases: customers address the brand by\n"
      "# handle, and names such as \"Apple\" or \"Delta\" are also common words.\n";
  const std::vector<std::string> names = UniqueNames(accounts);
  for (size_t i = 0; i < accounts.size(); ++i) {
    out += "\n[[brand]]\nname = ";
    AppendTomlString(names[i], out);
    out += "\nhandles = [";
    AppendTomlString("@" + accounts[i], out);
    out += "]\n";
    const BrandEntry* entry = FindBrand(accounts[i]);
    if (entry != nullptr && entry->is_common_word && names[i] == entry->name) {
      out += "common_word = true\n";
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Ground truth

std::vector<Thread> FindThreads(const std::vector<Tweet>& tweets) {
  std::vector<size_t> order(tweets.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::pair(tweets[a].created_at, tweets[a].id) <
           std::pair(tweets[b].created_at, tweets[b].id);
  });
  std::unordered_map<int64_t, size_t> index_of;
  for (size_t i = 0; i < tweets.size(); ++i) index_of.emplace(tweets[i].id, i);

  std::vector<size_t> parent(tweets.size());
  std::iota(parent.begin(), parent.end(), size_t{0});
  const auto find = [&](size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  const auto join = [&](size_t a, int64_t other_id) {
    const auto it = index_of.find(other_id);
    if (it != index_of.end()) parent[find(a)] = find(it->second);
  };
  for (size_t i = 0; i < tweets.size(); ++i) {
    if (tweets[i].parent_id) join(i, *tweets[i].parent_id);
    for (const int64_t response : tweets[i].response_ids) join(i, response);
  }

  std::vector<Thread> threads;
  std::vector<std::vector<size_t>> members;
  std::unordered_map<size_t, size_t> thread_of_root;
  for (const size_t i : order) {
    const auto [it, is_new] = thread_of_root.emplace(find(i), threads.size());
    if (is_new) {
      threads.emplace_back();
      members.emplace_back();
    }
    threads[it->second].tweet_ids.push_back(tweets[i].id);
    members[it->second].push_back(i);
  }
  // Brand accounts by lower-case handle, for threads the brand never tweets in.
  std::unordered_map<std::string, std::string> account_of_handle;
  for (const Tweet& tweet : tweets) {
    if (!tweet.is_inbound) account_of_handle.emplace(ToLower(tweet.author_id), tweet.author_id);
  }
  for (size_t t = 0; t < threads.size(); ++t) {
    Thread& thread = threads[t];
    size_t start_position = members[t].size();
    for (size_t k = 0; k < members[t].size(); ++k) {
      const Tweet& tweet = tweets[members[t][k]];
      if (!tweet.is_inbound && thread.brand_account.empty()) thread.brand_account = tweet.author_id;
      if (tweet.is_inbound && !thread.start) {
        thread.start = tweet.created_at;
        start_position = k;
      }
    }
    for (size_t k = 0; k < members[t].size() && thread.brand_account.empty(); ++k) {
      const Tweet& tweet = tweets[members[t][k]];
      if (!tweet.is_inbound) continue;
      thread.brand_account = FirstAddressedAccount(tweet.text, account_of_handle);
      thread.is_brand_from_mention = !thread.brand_account.empty();
    }
    for (size_t k = start_position + 1; k < members[t].size(); ++k) {
      const Tweet& tweet = tweets[members[t][k]];
      if (!tweet.is_inbound && tweet.author_id == thread.brand_account) {
        thread.first_response_s = tweet.created_at - *thread.start;
        break;
      }
    }
  }
  return threads;
}

std::optional<double> NearestRankPercentile(const std::vector<int64_t>& sorted, int percent) {
  if (sorted.empty() || percent < 1 || percent > 100) return std::nullopt;
  // Integer arithmetic: ceil(percent * n / 100) without floating-point rounding.
  const size_t n = sorted.size();
  const size_t rank = (static_cast<size_t>(percent) * n + 99) / 100;
  return static_cast<double>(sorted[std::max<size_t>(rank, 1) - 1]);
}

Truth ComputeTruth(const std::vector<Tweet>& tweets) {
  Truth truth;
  truth.threads = FindThreads(tweets);
  const std::vector<std::string> accounts = BrandAccounts(tweets);
  const std::vector<std::string> names = UniqueNames(accounts);
  std::map<std::string, BrandTruth> by_account;
  for (size_t i = 0; i < accounts.size(); ++i) {
    BrandTruth& brand = by_account[accounts[i]];
    brand.name = names[i];
    brand.handle = "@" + accounts[i];
  }
  for (const Thread& thread : truth.threads) {
    if (thread.brand_account.empty()) {
      ++truth.threads_without_brand;
      continue;
    }
    if (!thread.start) {
      ++truth.threads_without_customer;
      continue;
    }
    if (thread.is_brand_from_mention) ++truth.threads_brand_from_mention;
    BrandTruth& brand = by_account[thread.brand_account];
    ++brand.threads;
    brand.tweets += static_cast<int64_t>(thread.tweet_ids.size());
    if (thread.first_response_s) {
      ++brand.answered;
      brand.response_times_s.push_back(*thread.first_response_s);
    }
  }
  for (auto& [account, brand] : by_account) {
    std::sort(brand.response_times_s.begin(), brand.response_times_s.end());
    brand.first_response_median_s = NearestRankPercentile(brand.response_times_s, 50);
    brand.first_response_p90_s = NearestRankPercentile(brand.response_times_s, 90);
    truth.brands.push_back(std::move(brand));
  }
  std::sort(truth.brands.begin(), truth.brands.end(), [](const BrandTruth& a, const BrandTruth& b) {
    return a.threads != b.threads ? a.threads > b.threads : a.name < b.name;
  });
  return truth;
}

std::string FormatTruthJson(const Truth& truth) {
  std::string out = "{\"threads\": [";
  size_t threads_of_two = 0;
  for (size_t t = 0; t < truth.threads.size(); ++t) {
    const Thread& thread = truth.threads[t];
    if (thread.tweet_ids.size() >= 2) ++threads_of_two;
    out += t == 0 ? "\n  [" : ",\n  [";
    for (size_t i = 0; i < thread.tweet_ids.size(); ++i) {
      if (i > 0) out += ", ";
      AppendJsonString(std::to_string(thread.tweet_ids[i]), out);
    }
    out += ']';
  }
  out += "\n],\n\"brands\": [";
  for (size_t b = 0; b < truth.brands.size(); ++b) {
    const BrandTruth& brand = truth.brands[b];
    out += b == 0 ? "\n  {\"name\": " : ",\n  {\"name\": ";
    AppendJsonString(brand.name, out);
    out += ", \"handle\": ";
    AppendJsonString(brand.handle, out);
    out += ", \"threads\": " + std::to_string(brand.threads);
    out += ", \"answered\": " + std::to_string(brand.answered);
    out += ", \"first_response_median_s\": ";
    AppendOptional(brand.first_response_median_s, out);
    out += ", \"first_response_p90_s\": ";
    AppendOptional(brand.first_response_p90_s, out);
    out += ", \"tweets\": " + std::to_string(brand.tweets);
    out += ", \"response_times_s\": ";
    AppendIntArray(brand.response_times_s, out);
    out += '}';
  }
  out += "\n],\n\"summary\": {\"threads\": " + std::to_string(truth.threads.size());
  out += ", \"threads_of_two_or_more\": " + std::to_string(threads_of_two);
  out += ", \"threads_without_customer\": " + std::to_string(truth.threads_without_customer);
  out += ", \"threads_without_brand\": " + std::to_string(truth.threads_without_brand);
  out += ", \"threads_brand_from_mention\": " + std::to_string(truth.threads_brand_from_mention);
  out += ", \"percentile\": \"nearest-rank: the value at rank ceil(p/100 * n)\"}}\n";
  return out;
}

// ---------------------------------------------------------------------------------------
// Comparison

Result<TruthFile> ParseTruthJson(std::string_view json) {
  dom::parser parser;
  const simdjson::padded_string padded(json);
  dom::element root;
  if (const auto error = parser.parse(padded).get(root)) {
    return InvalidArgumentError(std::string("not valid JSON: ") + simdjson::error_message(error));
  }
  TruthFile truth;
  dom::array threads;
  if (root["threads"].get(threads) != simdjson::SUCCESS) {
    return InvalidArgumentError("no \"threads\" array at the top level");
  }
  size_t t = 0;
  for (dom::element thread : threads) {
    const std::string where = "threads[" + std::to_string(t++) + "]";
    dom::array ids;
    if (thread.get(ids) != simdjson::SUCCESS) {
      return InvalidArgumentError(where + " is " + std::string(DescribeJsonType(thread.type())) +
                                  ", not an array");
    }
    std::vector<std::string>& out = truth.threads.emplace_back();
    for (dom::element id : ids) {
      std::string_view s;
      if (id.get(s) == simdjson::SUCCESS) {
        out.emplace_back(s);
      } else if (id.type() == dom::element_type::INT64 || id.type() == dom::element_type::UINT64) {
        out.push_back(std::to_string(static_cast<int64_t>(*ReadNumber(id))));
      } else {
        return InvalidArgumentError(where + " holds " + std::string(DescribeJsonType(id.type())) +
                                    ", not a tweet id");
      }
    }
  }
  dom::array brands;
  if (root["brands"].get(brands) != simdjson::SUCCESS) {
    return InvalidArgumentError("no \"brands\" array at the top level");
  }
  size_t b = 0;
  for (dom::element item : brands) {
    const std::string where = "brands[" + std::to_string(b++) + "]";
    dom::object brand;
    std::string_view name;
    if (item.get(brand) != simdjson::SUCCESS || brand["name"].get(name) != simdjson::SUCCESS) {
      return InvalidArgumentError(where + ": not an object with a \"name\"");
    }
    BrandFigures& figures = truth.brands.emplace_back();
    figures.name = std::string(name);
    ECOUTE_RETURN_IF_ERROR(ReadCount(brand, "threads", where, figures.threads));
    ECOUTE_RETURN_IF_ERROR(ReadCount(brand, "answered", where, figures.answered));
    ECOUTE_RETURN_IF_ERROR(
        ReadField(brand, "first_response_median_s", where, figures.first_response_median_s, true));
    ECOUTE_RETURN_IF_ERROR(
        ReadField(brand, "first_response_p90_s", where, figures.first_response_p90_s, true));
    ECOUTE_RETURN_IF_ERROR(ReadTimes(brand, where, figures.response_times_s));
  }
  return truth;
}

Result<std::vector<BrandFigures>> ParseReportJson(std::string_view json) {
  dom::parser parser;
  const simdjson::padded_string padded(json);
  ECOUTE_ASSIGN_OR_RETURN(dom::array brands, ParseBrandsArray(parser, padded));
  std::vector<BrandFigures> out;
  size_t b = 0;
  for (dom::element item : brands) {
    const std::string where = "brands[" + std::to_string(b++) + "]";
    dom::object brand;
    std::string_view name;
    if (item.get(brand) != simdjson::SUCCESS || brand["brand"].get(name) != simdjson::SUCCESS) {
      return InvalidArgumentError(where + ": not an object with a \"brand\"");
    }
    BrandFigures& figures = out.emplace_back();
    figures.name = std::string(name);
    ECOUTE_RETURN_IF_ERROR(ReadCount(brand, "cases", where, figures.threads));
    ECOUTE_RETURN_IF_ERROR(ReadCount(brand, "responded", where, figures.answered));
    ECOUTE_RETURN_IF_ERROR(
        ReadField(brand, "first_response_median_s", where, figures.first_response_median_s, true));
    ECOUTE_RETURN_IF_ERROR(
        ReadField(brand, "first_response_p90_s", where, figures.first_response_p90_s, true));
    ECOUTE_RETURN_IF_ERROR(ReadTimes(brand, where, figures.response_times_s));
  }
  return out;
}

Result<CaseMembership> ReadCaseMembership(const std::string& db_path) {
  ECOUTE_ASSIGN_OR_RETURN(const sqlite::Connection db, sqlite::Connection::OpenReadOnly(db_path));
  for (const std::string_view table : {"case_posts", "posts"}) {
    ECOUTE_ASSIGN_OR_RETURN(const bool has_table, HasTable(db.get(), db_path, table));
    if (!has_table) {
      return Status(StatusCode::kFailedPrecondition, db_path + ": no table " + std::string(table) +
                                                         ": ingest with `ecoute ingest` first");
    }
  }
  sqlite::Statement statement(db.get(),
                              "SELECT p.ext_id, cp.case_id FROM case_posts AS cp "
                              "JOIN posts AS p ON p.id = cp.post_id");
  if (!statement.ok()) return InvalidArgumentError(db_path + ": " + sqlite3_errmsg(db.get()));
  CaseMembership membership;
  while (statement.Step()) {
    if (statement.IsNull(0) || statement.IsNull(1)) continue;
    membership[std::string(statement.Text(0))].push_back(statement.Int(1));
  }
  if (!statement.status().ok()) {
    return InvalidArgumentError(db_path + ": " + sqlite3_errmsg(db.get()));
  }
  for (auto& [ext_id, cases] : membership) {
    std::sort(cases.begin(), cases.end());
    cases.erase(std::unique(cases.begin(), cases.end()), cases.end());
  }
  return membership;
}

ThreadScores ScoreThreads(const std::vector<std::vector<std::string>>& threads,
                          const CaseMembership& membership) {
  ThreadScores scores;
  // The evaluated tweets, each with its thread and its cases.
  std::unordered_map<std::string, size_t> index_of;
  std::vector<size_t> thread_of;
  std::vector<const std::vector<int64_t>*> cases_of;
  std::vector<std::vector<size_t>> members;  // per evaluated thread
  for (const std::vector<std::string>& thread : threads) {
    if (thread.size() < 2) continue;
    std::vector<size_t>& tweets = members.emplace_back();
    for (const std::string& id : thread) {
      if (!index_of.emplace(id, thread_of.size()).second) continue;  // listed twice
      tweets.push_back(thread_of.size());
      thread_of.push_back(members.size() - 1);
      const auto it = membership.find(id);
      cases_of.push_back(it == membership.end() ? nullptr : &it->second);
    }
  }
  scores.threads = static_cast<int64_t>(members.size());
  scores.tweets = static_cast<int64_t>(thread_of.size());

  std::unordered_map<int64_t, std::vector<size_t>> tweets_of_case;
  for (size_t i = 0; i < cases_of.size(); ++i) {
    if (cases_of[i] == nullptr || cases_of[i]->empty()) continue;
    ++scores.tweets_in_cases;
    for (const int64_t c : *cases_of[i]) tweets_of_case[c].push_back(i);
  }
  // Pairs sharing at least one case, counted once each even when a tweet is in several.
  std::vector<size_t> together;
  for (size_t i = 0; i < cases_of.size(); ++i) {
    if (cases_of[i] == nullptr) continue;
    together.clear();
    for (const int64_t c : *cases_of[i]) {
      for (const size_t j : tweets_of_case[c]) {
        if (j > i) together.push_back(j);
      }
    }
    std::sort(together.begin(), together.end());
    together.erase(std::unique(together.begin(), together.end()), together.end());
    scores.predicted_pairs += static_cast<int64_t>(together.size());
    for (const size_t j : together) {
      if (thread_of[j] == thread_of[i]) ++scores.correct_pairs;
    }
  }
  for (size_t t = 0; t < members.size(); ++t) {
    const auto k = static_cast<int64_t>(members[t].size());
    scores.true_pairs += k * (k - 1) / 2;
    std::set<int64_t> cases;
    bool is_every_tweet_in_a_case = true;
    for (const size_t i : members[t]) {
      if (cases_of[i] == nullptr || cases_of[i]->empty()) {
        is_every_tweet_in_a_case = false;
        continue;
      }
      cases.insert(cases_of[i]->begin(), cases_of[i]->end());
    }
    if (cases.empty()) continue;
    ++scores.threads_touched;
    if (cases.size() >= 2) ++scores.threads_split;
    if (cases.size() != 1 || !is_every_tweet_in_a_case) continue;
    ++scores.threads_whole;
    const std::vector<size_t>& in_case = tweets_of_case[*cases.begin()];
    if (std::all_of(in_case.begin(), in_case.end(), [&](size_t i) { return thread_of[i] == t; })) {
      ++scores.threads_exact;
    }
  }
  if (scores.predicted_pairs > 0) {
    scores.precision =
        static_cast<double>(scores.correct_pairs) / static_cast<double>(scores.predicted_pairs);
  }
  if (scores.true_pairs > 0) {
    scores.recall =
        static_cast<double>(scores.correct_pairs) / static_cast<double>(scores.true_pairs);
  }
  if (scores.precision + scores.recall > 0) {
    scores.f1 = 2 * scores.precision * scores.recall / (scores.precision + scores.recall);
  }
  return scores;
}

void CompareBrands(const std::vector<BrandFigures>& truth, const std::vector<BrandFigures>& report,
                   Comparison& comparison) {
  comparison.has_report = true;
  comparison.brands.clear();
  std::map<std::string, size_t> row_of;
  for (const BrandFigures& brand : truth) {
    row_of[brand.name] = comparison.brands.size();
    comparison.brands.push_back({brand.name, brand, std::nullopt});
  }
  for (const BrandFigures& brand : report) {
    const auto [it, is_new] = row_of.emplace(brand.name, comparison.brands.size());
    if (is_new) comparison.brands.push_back({brand.name, std::nullopt, std::nullopt});
    comparison.brands[it->second].ecoute = brand;
  }
  std::stable_sort(comparison.brands.begin(), comparison.brands.end(),
                   [](const BrandComparison& a, const BrandComparison& b) {
                     const int64_t a_truth = a.truth ? a.truth->threads : -1;
                     const int64_t b_truth = b.truth ? b.truth->threads : -1;
                     if (a_truth != b_truth) return a_truth > b_truth;
                     const int64_t a_cases = a.ecoute ? a.ecoute->threads : -1;
                     const int64_t b_cases = b.ecoute ? b.ecoute->threads : -1;
                     if (a_cases != b_cases) return a_cases > b_cases;
                     return a.name < b.name;
                   });
  std::vector<const BrandFigures*> truth_brands;
  std::vector<const BrandFigures*> report_brands;
  for (const BrandFigures& brand : truth) truth_brands.push_back(&brand);
  for (const BrandFigures& brand : report) report_brands.push_back(&brand);
  comparison.truth_total = Total(truth_brands);
  comparison.ecoute_total = Total(report_brands);
}

std::string FormatComparisonText(const Comparison& comparison) {
  const ThreadScores& s = comparison.scores;
  std::string out;
  AppendFormat(out, "Threads: %lld truth threads of 2+ tweets, %lld tweets\n",
               static_cast<long long>(s.threads), static_cast<long long>(s.tweets));
  AppendFormat(out,
               "  pairs     precision %.3f  recall %.3f  F1 %.3f  (predicted %lld, true %lld, "
               "both %lld)\n",
               s.precision, s.recall, s.f1, static_cast<long long>(s.predicted_pairs),
               static_cast<long long>(s.true_pairs), static_cast<long long>(s.correct_pairs));
  AppendFormat(out, "  coverage  tweets in a case %lld/%lld (%s), threads touched %lld/%lld (%s)\n",
               static_cast<long long>(s.tweets_in_cases), static_cast<long long>(s.tweets),
               Percent(s.tweets_in_cases, s.tweets).c_str(),
               static_cast<long long>(s.threads_touched), static_cast<long long>(s.threads),
               Percent(s.threads_touched, s.threads).c_str());
  AppendFormat(out,
               "  threads   whole (one case, every tweet) %lld (%s), exact (and nothing else) "
               "%lld (%s), split over 2+ cases %lld (%s)\n",
               static_cast<long long>(s.threads_whole), Percent(s.threads_whole, s.threads).c_str(),
               static_cast<long long>(s.threads_exact), Percent(s.threads_exact, s.threads).c_str(),
               static_cast<long long>(s.threads_split),
               Percent(s.threads_split, s.threads).c_str());
  if (!comparison.has_report) return out;
  out += "\nBrands: truth vs ecoute (diff: ecoute - truth for counts, absolute for times)\n";
  AppendFormat(out, "%-24s %7s %6s %6s  %8s %9s %6s  %7s %7s %7s  %7s %7s %7s\n", "brand",
               "threads", "cases", "diff", "answered", "responded", "diff", "median", "ecoute",
               "|diff|", "p90", "ecoute", "|diff|");
  for (const BrandComparison& row : comparison.brands) {
    AppendBrandRow(row.name, row.truth ? &*row.truth : nullptr, row.ecoute ? &*row.ecoute : nullptr,
                   out);
  }
  AppendBrandRow("total", &comparison.truth_total, &comparison.ecoute_total, out);
  return out;
}

std::string FormatComparisonJson(const Comparison& comparison) {
  const ThreadScores& s = comparison.scores;
  std::string out = "{\"threads\": {";
  out += "\"threads\": " + std::to_string(s.threads);
  out += ", \"tweets\": " + std::to_string(s.tweets);
  out += ", \"predicted_pairs\": " + std::to_string(s.predicted_pairs);
  out += ", \"true_pairs\": " + std::to_string(s.true_pairs);
  out += ", \"correct_pairs\": " + std::to_string(s.correct_pairs);
  out += ", \"precision\": ";
  AppendRatio(s.precision, out);
  out += ", \"recall\": ";
  AppendRatio(s.recall, out);
  out += ", \"f1\": ";
  AppendRatio(s.f1, out);
  out += ", \"tweets_in_cases\": " + std::to_string(s.tweets_in_cases);
  out += ", \"threads_touched\": " + std::to_string(s.threads_touched);
  out += ", \"threads_whole\": " + std::to_string(s.threads_whole);
  out += ", \"threads_exact\": " + std::to_string(s.threads_exact);
  out += ", \"threads_split\": " + std::to_string(s.threads_split);
  out += '}';
  if (comparison.has_report) {
    out += ",\n\"brands\": [";
    for (size_t i = 0; i < comparison.brands.size(); ++i) {
      const BrandComparison& row = comparison.brands[i];
      out += i == 0 ? "\n  " : ",\n  ";
      AppendComparisonJson(row.name, row.truth ? &*row.truth : nullptr,
                           row.ecoute ? &*row.ecoute : nullptr, out);
    }
    out += "\n],\n\"total\": ";
    AppendComparisonJson("total", &comparison.truth_total, &comparison.ecoute_total, out);
  }
  out += "}\n";
  return out;
}

}  // namespace ecoute::twcs

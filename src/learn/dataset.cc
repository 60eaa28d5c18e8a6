#include "ecoute/dataset.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <csv.h>
#include <simdjson.h>

#include "ecoute/sources.h"
#include "ecoute/status.h"

#include "util/json.h"
#include "util/utf8.h"

namespace ecoute {
namespace {

namespace dom = simdjson::dom;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kFastTextPrefix = "__label__";

// A file that is all bad rows (another format, a broken export) must not turn into millions
// of problems; past this many, the rest are only counted.
constexpr size_t kMaxProblems = 1000;

// libcsv is fed this much at a time, so that a missing column stops the reading early.
constexpr size_t kCsvChunkSize = size_t{1} << 20;

// A missing-key message lists the keys seen; a file with thousands of distinct keys (an
// object used as a map) would otherwise make it unreadable.
constexpr size_t kMaxKeysListed = 64;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

bool IsBlank(std::string_view s) { return std::all_of(s.begin(), s.end(), IsSpace); }

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view Trim(std::string_view s) {
  s = TrimLeft(s);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string Quote(std::string_view s) {
  std::string quoted = "\"";
  quoted.append(s);
  quoted.push_back('"');
  return quoted;
}

std::string QuoteList(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string list;
  for (const std::string& name : names) {
    if (!list.empty()) list += ", ";
    list += Quote(name);
  }
  return list;
}

bool Contains(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// The lowercased extension of the last path component, without its dot ("" if none).
std::string Extension(std::string_view name) {
  const size_t slash = name.find_last_of('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  const size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos) return "";
  std::string extension(name.substr(dot + 1));
  for (char& c : extension) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return extension;
}

// Splits `bytes` into lines without their "\n" or "\r\n". Trailing blank lines are dropped:
// an editor's extra newline at the end of one of two parallel files must not make their
// line counts differ.
std::vector<std::string_view> SplitLines(std::string_view bytes) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view line = bytes.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = end + 1;
  }
  while (!lines.empty() && IsBlank(lines.back())) lines.pop_back();
  return lines;
}

// Decodes &amp; &lt; &gt; &quot; &#39; in one pass, so that "&amp;lt;" becomes "&lt;" as
// its author wrote it, not "<".
void AppendDecodedEntities(std::string_view text, std::string& out) {
  struct Entity {
    std::string_view name;
    char c;
  };
  constexpr Entity kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''},
  };
  out.reserve(out.size() + text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, amp - pos));
    pos = amp + 1;
    char decoded = '&';
    for (const Entity& entity : kEntities) {
      if (text.substr(amp, entity.name.size()) == entity.name) {
        decoded = entity.c;
        pos = amp + entity.name.size();
        break;
      }
    }
    out.push_back(decoded);
  }
}

// One row as a format reader found it, before filtering, checks and mapping.
struct Row {
  std::string_view text;
  std::string text_problem;  // non-empty: no usable text, says why
  std::string label;
  std::string label_problem;  // non-empty: no usable label, says why
  std::string filter_value;
  std::string_view brand;
  std::vector<std::string> topics;
};

// What every format shares once a row is read: the filter, the checks of text and label,
// the label map and the problem count. Appends to a Dataset of its own, which the caller
// merges only when the whole file succeeds.
class DatasetBuilder {
 public:
  DatasetBuilder(std::string_view name, const DatasetOptions& options, Dataset& out)
      : name_(name), options_(options), out_(out) {}

  std::string_view Name() const { return name_; }

  std::string Where(std::string_view kind, size_t number) const {
    std::string where(name_);
    where.push_back(':');
    where.append(kind);
    where.append(std::to_string(number));
    return where;
  }

  void AddProblem(std::string where, std::string message, bool is_fatal = false) {
    if (!is_fatal && ++row_problem_count_ > kMaxProblems) return;
    out_.problems.push_back({std::move(where), std::move(message), is_fatal});
  }

  void AddFatal(std::string message) { AddProblem(std::string(name_), std::move(message), true); }

  // `decode_entities`: CSV texts have their HTML entities decoded (see dataset.h).
  void AddRow(Row& row, std::string where, bool decode_entities) {
    if (!options_.filter_column.empty() &&
        Contains(options_.filter_values, row.filter_value) == options_.exclude_filter) {
      ++out_.skipped_filtered;
      return;
    }
    if (!row.text_problem.empty()) return AddProblem(std::move(where), row.text_problem);
    if (IsBlank(row.text)) return AddProblem(std::move(where), "empty text");
    if (!row.label_problem.empty()) return AddProblem(std::move(where), row.label_problem);
    std::string_view label = Trim(row.label);
    // With a map, an empty label is one the map does not cover (a complaint reason left
    // blank on a positive tweet), not a broken row.
    if (label.empty() && options_.label_map.empty()) {
      return AddProblem(std::move(where), "empty label");
    }
    if (!options_.label_map.empty()) {
      const auto mapped = std::find_if(
          options_.label_map.begin(), options_.label_map.end(),
          [&](const std::pair<std::string, std::string>& p) { return p.first == label; });
      if (mapped == options_.label_map.end()) {
        ++out_.skipped_unmapped;
        return;
      }
      label = mapped->second;
    }
    Example& example = out_.examples.emplace_back();
    if (decode_entities) {
      AppendDecodedEntities(row.text, example.text);
    } else {
      example.text.assign(row.text);
    }
    example.label.assign(label);
    example.brand.assign(row.brand);
    example.topics = std::move(row.topics);
    example.where = std::move(where);
  }

  void Finish() {
    if (row_problem_count_ > kMaxProblems) {
      out_.problems.push_back({std::string(name_),
                               std::to_string(row_problem_count_ - kMaxProblems) +
                                   " more rows were skipped (only the first " +
                                   std::to_string(kMaxProblems) + " problems are listed)",
                               false});
    }
  }

 private:
  std::string_view name_;
  const DatasetOptions& options_;
  Dataset& out_;
  size_t row_problem_count_ = 0;
};

// ---------------------------------------------------------------------------------------
// CSV (libcsv)

// RFC 4180: spaces are part of a field. libcsv trims them by default.
int IsNeverSpace(unsigned char) { return 0; }

class CsvReader {
 public:
  CsvReader(DatasetBuilder& builder, const DatasetOptions& options)
      : builder_(builder), options_(options) {}

  Status Read(std::string_view bytes);

 private:
  // libcsv's callbacks. They run inside C code, which an exception must not cross.
  static void OnField(void* data, size_t size, void* self) noexcept;
  static void OnRow(int terminator, void* self) noexcept;

  void AddField(std::string_view field);
  void EndRow();
  void ReadHeader();
  // Starts a fresh parser after an error, at the start of a line.
  void ResetParser(csv_parser& parser);

  DatasetBuilder& builder_;
  const DatasetOptions& options_;
  // Reused from row to row; only the first field_count_ belong to the current row.
  std::vector<std::string> fields_;
  size_t field_count_ = 0;
  std::vector<std::string> header_;
  bool has_header_ = false;
  size_t text_index_ = 0;
  size_t label_index_ = 0;
  size_t filter_index_ = 0;
  size_t row_number_ = 0;  // data rows, the header excluded
  bool stop_ = false;      // set with status_ (missing column) or a fatal problem
  Status status_;
};

void CsvReader::OnField(void* data, size_t size, void* self) noexcept {
  auto* reader = static_cast<CsvReader*>(self);
  reader->AddField(size == 0 ? std::string_view()
                             : std::string_view(static_cast<const char*>(data), size));
}

void CsvReader::OnRow(int /*terminator*/, void* self) noexcept {
  static_cast<CsvReader*>(self)->EndRow();
}

void CsvReader::AddField(std::string_view field) {
  if (stop_) return;
  if (field_count_ == fields_.size()) fields_.emplace_back();
  fields_[field_count_++].assign(field);
}

void CsvReader::ReadHeader() {
  header_.assign(fields_.begin(), fields_.begin() + static_cast<std::ptrdiff_t>(field_count_));
  has_header_ = true;
  std::vector<std::string> missing;
  const auto find = [&](const std::string& column, size_t& index) {
    const auto it = std::find(header_.begin(), header_.end(), column);
    if (it == header_.end()) {
      missing.push_back(column);
    } else {
      index = static_cast<size_t>(it - header_.begin());
    }
  };
  find(options_.text_column, text_index_);
  find(options_.label_column, label_index_);
  if (!options_.filter_column.empty()) find(options_.filter_column, filter_index_);
  if (missing.empty()) return;
  std::string message(builder_.Name());
  message += missing.size() == 1 ? ": missing column " : ": missing columns ";
  message += QuoteList(missing) + " (columns: " + QuoteList(header_) + ")";
  status_ = InvalidArgumentError(std::move(message));
  stop_ = true;
}

void CsvReader::EndRow() {
  if (stop_) return;
  const size_t count = field_count_;
  field_count_ = 0;
  if (!has_header_) {
    field_count_ = count;
    ReadHeader();
    field_count_ = 0;
    return;
  }
  ++row_number_;
  std::string where = builder_.Where("row ", row_number_);
  if (count != header_.size()) {
    builder_.AddProblem(std::move(where), std::to_string(count) + " fields, header has " +
                                              std::to_string(header_.size()));
    return;
  }
  Row row;
  row.text = fields_[text_index_];
  row.label = fields_[label_index_];
  if (!options_.filter_column.empty()) row.filter_value = fields_[filter_index_];
  builder_.AddRow(row, std::move(where), /*decode_entities=*/true);
}

void CsvReader::ResetParser(csv_parser& parser) {
  csv_free(&parser);
  csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI);
  csv_set_space_func(&parser, IsNeverSpace);
  field_count_ = 0;
}

Status CsvReader::Read(std::string_view bytes) {
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    return InternalError("cannot start the CSV parser");
  }
  csv_set_space_func(&parser, IsNeverSpace);
  size_t pos = 0;
  while (pos < bytes.size() && !stop_) {
    const size_t chunk = std::min(kCsvChunkSize, bytes.size() - pos);
    const size_t parsed = csv_parse(&parser, bytes.data() + pos, chunk, OnField, OnRow, this);
    if (parsed == chunk) {
      pos += chunk;
      continue;
    }
    const int error = csv_error(&parser);
    if (error != CSV_EPARSE) {
      builder_.AddFatal(std::string("CSV parser failed (") + csv_strerror(error) + ")");
      stop_ = true;
      break;
    }
    if (!has_header_) {
      builder_.AddFatal("header: a quote inside an unquoted field, or text after a closing quote");
      stop_ = true;
      break;
    }
    // Strict RFC 4180: the fields of a row with broken quoting cannot be trusted to line up
    // with the header. The row is dropped and reading resumes at the next line, which is
    // where the next record starts unless the break was inside a quoted field; then the
    // rest of that field fails the same way and is dropped too.
    ++row_number_;
    builder_.AddProblem(builder_.Where("row ", row_number_),
                        "a quote inside an unquoted field, or text after a closing quote, at "
                        "byte " +
                            std::to_string(pos + parsed) + "; the row was skipped");
    const size_t newline = bytes.find('\n', pos + parsed);
    pos = newline == std::string_view::npos ? bytes.size() : newline + 1;
    ResetParser(parser);
  }
  if (!stop_ && csv_fini(&parser, OnField, OnRow, this) != 0) {
    ++row_number_;
    builder_.AddProblem(builder_.Where("row ", row_number_),
                        "a quoted field is never closed; the rest of the file was skipped");
  }
  csv_free(&parser);
  if (!status_.ok()) return status_;
  if (!has_header_) builder_.AddFatal("no header row, nothing to read");
  return OkStatus();
}

// ---------------------------------------------------------------------------------------
// JSON lines and JSON arrays (simdjson DOM, error codes only)

// Reads a string, or an integer as its decimal form, into `out`; false for any other type.
bool ReadScalar(dom::element value, std::string& out) {
  switch (value.type()) {
    case dom::element_type::STRING: {
      std::string_view s;
      if (value.get_string().get(s)) return false;
      out.assign(s);
      return true;
    }
    case dom::element_type::INT64: {
      int64_t n = 0;
      if (value.get_int64().get(n)) return false;
      out = std::to_string(n);
      return true;
    }
    case dom::element_type::UINT64: {
      uint64_t n = 0;
      if (value.get_uint64().get(n)) return false;
      out = std::to_string(n);
      return true;
    }
    default:
      return false;
  }
}

// Parses each non-blank line of JSON lines `bytes` with `parser` and calls
// `on_line(line_number, error, element)`; `element` holds the line's document when `error`
// is SUCCESS. simdjson reads up to SIMDJSON_PADDING bytes past a document: one buffer,
// grown as needed, serves every line.
template <typename OnLine>
void ForEachJsonLine(std::string_view bytes, dom::parser& parser, std::string& buffer,
                     OnLine on_line) {
  size_t line_number = 0;
  size_t pos = 0;
  while (pos < bytes.size()) {
    ++line_number;
    size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) end = bytes.size();
    const std::string_view line = bytes.substr(pos, end - pos);
    pos = end + 1;
    if (IsBlank(line)) continue;
    const size_t needed = line.size() + simdjson::SIMDJSON_PADDING;
    if (buffer.size() < needed) buffer.resize(std::max(needed, 2 * buffer.size()));
    std::memcpy(buffer.data(), line.data(), line.size());
    std::memset(buffer.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);
    dom::element element;
    const simdjson::error_code error =
        parser.parse(buffer.data(), line.size(), /*realloc_if_needed=*/false).get(element);
    on_line(line_number, error, element);
  }
}

class JsonReader {
 public:
  JsonReader(DatasetBuilder& builder, const DatasetOptions& options)
      : builder_(builder), options_(options) {}

  void ReadLines(std::string_view bytes);
  void ReadArray(std::string_view bytes);
  // Fails when a required key appeared in no object at all: a wrong --text-column, not a
  // few bad rows.
  Status CheckKeys() const;

 private:
  void ReadObject(dom::element element, std::string where);
  void NoteKey(std::string_view key);

  DatasetBuilder& builder_;
  const DatasetOptions& options_;
  dom::parser parser_;
  std::string buffer_;                  // one line and simdjson's padding
  std::vector<std::string> keys_seen_;  // in first-seen order, at most kMaxKeysListed
  size_t object_count_ = 0;
  bool saw_text_ = false;
  bool saw_label_ = false;
  bool saw_filter_ = false;
};

void JsonReader::NoteKey(std::string_view key) {
  if (keys_seen_.size() < kMaxKeysListed && !Contains(keys_seen_, key)) {
    keys_seen_.emplace_back(key);
  }
}

void JsonReader::ReadObject(dom::element element, std::string where) {
  dom::object object;
  if (element.get_object().get(object)) {
    builder_.AddProblem(std::move(where),
                        "not a JSON object but " + std::string(DescribeJsonType(element.type())));
    return;
  }
  ++object_count_;
  Row row;
  bool has_text = false;
  bool has_label = false;
  bool has_filter = false;
  bool has_brand = false;
  bool has_topics = false;
  for (const dom::key_value_pair field : object) {
    const std::string_view key = field.key;
    const dom::element value = field.value;
    NoteKey(key);
    // Independent tests: the same key may serve as text and label, or text and filter.
    // With duplicate keys, the first one counts.
    if (key == options_.text_column && !has_text) {
      has_text = true;
      if (value.get_string().get(row.text)) {
        row.text_problem =
            Quote(key) + " is " + std::string(DescribeJsonType(value.type())) + ", not a string";
      }
    }
    if (key == options_.label_column && !has_label) {
      has_label = true;
      dom::array list;
      if (value.is_null()) {
        row.label_problem = Quote(key) + " is null";
      } else if (!value.get_array().get(list)) {
        // A list of labels (a post's topics, main one first) counts by its first.
        std::string_view first;
        if (list.size() > 0 && list.at(0).get_string().get(first)) {
          row.label_problem = Quote(key) + " is a list whose first item is not a string";
        }
        row.label = first;
      } else if (!ReadScalar(value, row.label)) {
        row.label_problem = Quote(key) + " is " + std::string(DescribeJsonType(value.type())) +
                            ", not a string or an integer";
      }
    }
    if (!options_.filter_column.empty() && key == options_.filter_column && !has_filter) {
      has_filter = true;
      if (!ReadScalar(value, row.filter_value)) row.filter_value.clear();
    }
    // Optional fields of correction files; another type is ignored, as the post readers do.
    if (key == "brand" && !has_brand) {
      has_brand = true;
      if (value.get_string().get(row.brand)) row.brand = {};
    }
    if (key == "topics" && !has_topics) {
      has_topics = true;
      dom::array topics;
      if (!value.get_array().get(topics)) {
        for (const dom::element topic : topics) {
          std::string_view s;
          if (!topic.get_string().get(s)) row.topics.emplace_back(s);
        }
      }
    }
  }
  saw_text_ |= has_text;
  saw_label_ |= has_label;
  saw_filter_ |= has_filter;
  if (!has_text) row.text_problem = "no " + Quote(options_.text_column);
  if (!has_label) row.label_problem = "no " + Quote(options_.label_column);
  builder_.AddRow(row, std::move(where), /*decode_entities=*/false);
}

void JsonReader::ReadLines(std::string_view bytes) {
  ForEachJsonLine(bytes, parser_, buffer_,
                  [&](size_t line_number, simdjson::error_code error, dom::element element) {
                    if (error) {
                      builder_.AddProblem(
                          builder_.Where("", line_number),
                          std::string("not valid JSON (") + simdjson::error_message(error) + ")");
                      return;
                    }
                    ReadObject(element, builder_.Where("", line_number));
                  });
  if (object_count_ == 0) builder_.AddFatal("no JSON object in the file");
}

void JsonReader::ReadArray(std::string_view bytes) {
  const simdjson::padded_string padded(bytes);
  dom::element root;
  if (const simdjson::error_code error = parser_.parse(padded).get(root)) {
    builder_.AddFatal(std::string("not valid JSON (") + simdjson::error_message(error) +
                      "); the file was not read");
    return;
  }
  dom::array items;
  if (root.get_array().get(items)) {
    builder_.AddFatal("the file holds " + std::string(DescribeJsonType(root.type())) +
                      ", not an array of objects");
    return;
  }
  size_t item_number = 0;
  for (const dom::element item : items) {
    ++item_number;
    ReadObject(item, builder_.Where("item ", item_number));
  }
  if (object_count_ == 0) builder_.AddFatal("no JSON object in the array");
}

Status JsonReader::CheckKeys() const {
  if (object_count_ == 0) return OkStatus();
  std::vector<std::string> missing;
  if (!saw_text_) missing.push_back(options_.text_column);
  if (!saw_label_ && !Contains(missing, options_.label_column)) {
    missing.push_back(options_.label_column);
  }
  if (!options_.filter_column.empty() && !saw_filter_ &&
      !Contains(missing, options_.filter_column)) {
    missing.push_back(options_.filter_column);
  }
  if (missing.empty()) return OkStatus();
  std::string message(builder_.Name());
  message += missing.size() == 1 ? ": no object has the key " : ": no object has the keys ";
  message += QuoteList(missing) + " (keys: " + QuoteList(keys_seen_);
  if (keys_seen_.size() == kMaxKeysListed) message += ", ...";
  message += ")";
  return InvalidArgumentError(std::move(message));
}

// ---------------------------------------------------------------------------------------
// fastText and parallel lines

void ReadFastText(std::string_view bytes, DatasetBuilder& builder) {
  size_t line_number = 0;
  size_t pos = 0;
  while (pos < bytes.size()) {
    ++line_number;
    size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view rest = Trim(bytes.substr(pos, end - pos));
    pos = end + 1;
    if (rest.empty()) continue;
    if (rest.substr(0, kFastTextPrefix.size()) != kFastTextPrefix) {
      builder.AddProblem(builder.Where("", line_number), "no __label__ at the start of the line");
      continue;
    }
    Row row;
    // fastText reads every leading __label__ token as a label; training here is single-label,
    // so the first one is the label and the others are dropped from the text.
    bool is_first = true;
    while (rest.substr(0, kFastTextPrefix.size()) == kFastTextPrefix) {
      size_t token_end = 0;
      while (token_end < rest.size() && !IsSpace(rest[token_end])) ++token_end;
      if (is_first)
        row.label.assign(rest.substr(kFastTextPrefix.size(), token_end - kFastTextPrefix.size()));
      is_first = false;
      rest = TrimLeft(rest.substr(token_end));
    }
    row.text = rest;
    builder.AddRow(row, builder.Where("", line_number), /*decode_entities=*/false);
  }
}

Status ReadParallelLines(std::string_view bytes, std::string_view labels_bytes,
                         std::string_view labels_name, DatasetBuilder& builder) {
  const std::vector<std::string_view> texts = SplitLines(bytes);
  const std::vector<std::string_view> labels = SplitLines(labels_bytes);
  if (texts.size() != labels.size()) {
    return InvalidArgumentError(std::string(builder.Name()) + " has " +
                                std::to_string(texts.size()) + " lines but " +
                                std::string(labels_name) + " has " + std::to_string(labels.size()) +
                                "; they must pair line by line");
  }
  for (size_t i = 0; i < texts.size(); ++i) {
    Row row;
    row.text = texts[i];
    row.label.assign(labels[i]);
    builder.AddRow(row, builder.Where("", i + 1), /*decode_entities=*/false);
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------------------

DatasetFormat DetectFormat(std::string_view bytes, std::string_view name,
                           const DatasetOptions& options) {
  const std::string extension = Extension(name);
  if (extension == "csv") return DatasetFormat::kCsv;
  if (extension == "jsonl" || extension == "ndjson") return DatasetFormat::kJsonLines;
  if (extension == "json") {
    const std::string_view start = TrimLeft(bytes);
    return !start.empty() && start.front() == '[' ? DatasetFormat::kJsonArray
                                                  : DatasetFormat::kJsonLines;
  }
  if (extension == "ft" || extension == "fasttext") return DatasetFormat::kFastText;
  if (!options.labels_path.empty()) return DatasetFormat::kLines;
  if (TrimLeft(bytes).substr(0, kFastTextPrefix.size()) == kFastTextPrefix) {
    return DatasetFormat::kFastText;
  }
  return DatasetFormat::kAuto;
}

// Repairs invalid UTF-8 in a copy kept in `storage`, so that every text read from `bytes`
// is valid; one note says where the first bad byte was. Repairing before parsing is safe:
// every delimiter the formats use is ASCII, which repair never touches.
std::string_view RepairInput(std::string_view bytes, std::string_view name, std::string& storage,
                             std::vector<Problem>& problems) {
  if (IsValidUtf8(bytes)) return bytes;
  storage.assign(bytes);
  size_t first_bad = 0;
  const size_t count = RepairUtf8(storage, first_bad);
  problems.push_back({std::string(name),
                      "invalid UTF-8 at byte " + std::to_string(first_bad) +
                          " replaced with U+FFFD (" + std::to_string(count) +
                          (count == 1 ? " sequence" : " sequences") + "); the rows were kept",
                      false});
  return storage;
}

std::string_view DropBom(std::string_view bytes) {
  if (bytes.substr(0, kUtf8Bom.size()) == kUtf8Bom) bytes.remove_prefix(kUtf8Bom.size());
  return bytes;
}

Status ParseInto(std::string_view bytes, std::string_view name, const DatasetOptions& options,
                 std::string_view labels_bytes, Dataset& local) {
  DatasetFormat format = options.format;
  if (format == DatasetFormat::kAuto) {
    format = DetectFormat(DropBom(bytes), name, options);
    if (format == DatasetFormat::kAuto) {
      return InvalidArgumentError(
          std::string(name) +
          ": cannot tell the dataset format from the name or the first line; give it "
          "(csv, jsonl, json, fasttext, lines)");
    }
  }
  if (!options.filter_column.empty() &&
      (format == DatasetFormat::kFastText || format == DatasetFormat::kLines)) {
    return InvalidArgumentError(std::string(name) + ": cannot filter on " +
                                Quote(options.filter_column) +
                                ": fastText and lines files have no columns");
  }
  const std::string labels_name = options.labels_path.empty() ? "labels" : options.labels_path;
  if (format == DatasetFormat::kLines && options.labels_path.empty() && labels_bytes.empty()) {
    return InvalidArgumentError(std::string(name) +
                                ": a lines dataset needs a labels file, one label per line");
  }

  DatasetBuilder builder(name, options, local);
  if (IsBlank(DropBom(bytes)) &&
      (format != DatasetFormat::kLines || IsBlank(DropBom(labels_bytes)))) {
    builder.AddFatal("empty input, no examples");
    return OkStatus();
  }
  // No text dataset holds NUL bytes or many control characters; a compressed file gets one
  // clear problem instead of a thousand bad rows (or a note on its invalid UTF-8).
  if (LooksBinary(bytes)) {
    builder.AddFatal("looks like binary data, not a dataset (a compressed file? decompress it)");
    return OkStatus();
  }
  std::string storage;
  std::string labels_storage;
  bytes = DropBom(RepairInput(bytes, name, storage, local.problems));
  if (format == DatasetFormat::kLines) {
    labels_bytes = DropBom(RepairInput(labels_bytes, labels_name, labels_storage, local.problems));
  }

  switch (format) {
    case DatasetFormat::kCsv: {
      CsvReader reader(builder, options);
      ECOUTE_RETURN_IF_ERROR(reader.Read(bytes));
      break;
    }
    case DatasetFormat::kJsonLines:
    case DatasetFormat::kJsonArray: {
      JsonReader reader(builder, options);
      if (format == DatasetFormat::kJsonLines) {
        reader.ReadLines(bytes);
      } else {
        reader.ReadArray(bytes);
      }
      ECOUTE_RETURN_IF_ERROR(reader.CheckKeys());
      break;
    }
    case DatasetFormat::kFastText:
      ReadFastText(bytes, builder);
      break;
    case DatasetFormat::kLines:
      ECOUTE_RETURN_IF_ERROR(ReadParallelLines(bytes, labels_bytes, labels_name, builder));
      break;
    case DatasetFormat::kAuto:
      break;
  }
  builder.Finish();
  return OkStatus();
}

Status ReadFile(const std::string& path, std::string& out) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int error = errno;
    const StatusCode code = error == ENOENT                     ? StatusCode::kNotFound
                            : error == EACCES || error == EPERM ? StatusCode::kPermissionDenied
                                                                : StatusCode::kUnavailable;
    return Status(code, "cannot open " + path + ": " + std::strerror(error));
  }
  char chunk[1 << 16];
  size_t read = 0;
  while ((read = std::fread(chunk, 1, sizeof(chunk), file)) > 0) out.append(chunk, read);
  const int error = std::ferror(file) ? errno : 0;
  std::fclose(file);
  if (error != 0) {
    // A directory opens but does not read (EISDIR).
    return Status(error == EISDIR ? StatusCode::kInvalidArgument : StatusCode::kUnavailable,
                  "cannot read " + path + ": " + std::strerror(error));
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------------------
// Pair labels and pools: JSON lines of flat records

// Reads JSON lines of objects for ParsePairLabels and ParsePool: repairs invalid UTF-8
// first (as datasets do), gives each object to the caller's reader, and keeps the problems
// of one file to kMaxProblems.
class RecordLines {
 public:
  RecordLines(std::string_view name, std::vector<Problem>& problems)
      : name_(name), problems_(problems) {}

  std::string Where(size_t line_number) const {
    return std::string(name_) + ":" + std::to_string(line_number);
  }

  void AddProblem(size_t line_number, std::string message) {
    if (++problem_count_ > kMaxProblems) return;
    problems_.push_back({Where(line_number), std::move(message), false});
  }

  // Calls `read(object, line_number)` for each object, in file order.
  template <typename ReadObject>
  void Read(std::string_view bytes, ReadObject read) {
    std::string storage;
    bytes = DropBom(RepairInput(DropBom(bytes), name_, storage, problems_));
    if (IsBlank(bytes)) {
      problems_.push_back({std::string(name_), "empty input, no records", true});
      return;
    }
    std::string buffer;
    ForEachJsonLine(bytes, parser_, buffer,
                    [&](size_t line_number, simdjson::error_code error, dom::element element) {
                      if (error) {
                        return AddProblem(line_number, std::string("not valid JSON (") +
                                                           simdjson::error_message(error) + ")");
                      }
                      dom::object object;
                      if (element.get_object().get(object)) {
                        return AddProblem(line_number,
                                          "not a JSON object but " +
                                              std::string(DescribeJsonType(element.type())));
                      }
                      read(object, line_number);
                    });
    if (problem_count_ > kMaxProblems) {
      problems_.push_back({std::string(name_),
                           std::to_string(problem_count_ - kMaxProblems) +
                               " more lines were skipped (only the first " +
                               std::to_string(kMaxProblems) + " problems are listed)",
                           false});
    }
  }

 private:
  std::string_view name_;
  std::vector<Problem>& problems_;
  dom::parser parser_;
  size_t problem_count_ = 0;
};

// The value of `key` (the first, if repeated) when it is a string or an integer, trimmed;
// empty otherwise.
std::string StringField(dom::object object, std::string_view key) {
  std::string value;
  for (const dom::key_value_pair field : object) {
    if (field.key != key) continue;
    if (!ReadScalar(field.value, value)) value.clear();
    break;
  }
  return std::string(Trim(value));
}

}  // namespace

bool ParseDatasetFormat(std::string_view name, DatasetFormat& out) {
  struct Name {
    std::string_view name;
    DatasetFormat format;
  };
  constexpr Name kNames[] = {
      {"auto", DatasetFormat::kAuto},         {"csv", DatasetFormat::kCsv},
      {"jsonl", DatasetFormat::kJsonLines},   {"json", DatasetFormat::kJsonArray},
      {"fasttext", DatasetFormat::kFastText}, {"lines", DatasetFormat::kLines},
  };
  for (const Name& n : kNames) {
    if (n.name == name) {
      out = n.format;
      return true;
    }
  }
  return false;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseLabelMap(std::string_view spec) {
  if (IsBlank(spec)) return InvalidArgumentError("label map is empty (expected source=label,...)");
  std::vector<std::pair<std::string, std::string>> map;
  size_t item_number = 0;
  size_t pos = 0;
  while (true) {
    const size_t comma = spec.find(',', pos);
    const std::string_view item = Trim(
        spec.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    ++item_number;
    const std::string what = "label map item " + std::to_string(item_number);
    if (item.empty()) return InvalidArgumentError(what + " is empty (expected source=label)");
    const std::string which = what + " " + Quote(item);
    const size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      return InvalidArgumentError(which + ": no '=' (expected source=label)");
    }
    if (item.find('=', equals + 1) != std::string_view::npos) {
      return InvalidArgumentError(which + ": more than one '='");
    }
    const std::string_view source = Trim(item.substr(0, equals));
    const std::string_view target = Trim(item.substr(equals + 1));
    if (source.empty()) return InvalidArgumentError(which + ": the source label is empty");
    if (target.empty()) return InvalidArgumentError(which + ": the target label is empty");
    const auto same_source = std::find_if(
        map.begin(), map.end(),
        [&](const std::pair<std::string, std::string>& p) { return p.first == source; });
    if (same_source == map.end()) {
      map.emplace_back(source, target);
    } else if (same_source->second != target) {
      return InvalidArgumentError(which + ": " + Quote(source) + " is already mapped to " +
                                  Quote(same_source->second));
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return map;
}

Status ParseDataset(std::string_view bytes, std::string_view name, const DatasetOptions& options,
                    std::string_view labels_bytes, Dataset& out) {
  Dataset local;
  ECOUTE_RETURN_IF_ERROR(ParseInto(bytes, name, options, labels_bytes, local));
  out.examples.insert(out.examples.end(), std::make_move_iterator(local.examples.begin()),
                      std::make_move_iterator(local.examples.end()));
  out.problems.insert(out.problems.end(), std::make_move_iterator(local.problems.begin()),
                      std::make_move_iterator(local.problems.end()));
  out.skipped_unmapped += local.skipped_unmapped;
  out.skipped_filtered += local.skipped_filtered;
  return OkStatus();
}

Status ReadDataset(const std::string& path, const DatasetOptions& options, Dataset& out) {
  std::string bytes;
  ECOUTE_RETURN_IF_ERROR(ReadFile(path, bytes));
  std::string labels_bytes;
  const bool needs_labels =
      options.format == DatasetFormat::kLines ||
      (options.format == DatasetFormat::kAuto && !options.labels_path.empty() &&
       DetectFormat(DropBom(bytes), path, options) == DatasetFormat::kLines);
  if (needs_labels && !options.labels_path.empty()) {
    ECOUTE_RETURN_IF_ERROR(ReadFile(options.labels_path, labels_bytes));
  }
  return ParseDataset(bytes, path, options, labels_bytes, out);
}

void ParsePairLabels(std::string_view bytes, std::string_view name, std::vector<PairLabel>& out,
                     std::vector<Problem>& problems) {
  RecordLines lines(name, problems);
  lines.Read(bytes, [&](dom::object object, size_t line_number) {
    PairLabel label;
    label.id = StringField(object, "id");
    label.brand = StringField(object, "brand");
    label.stance = StringField(object, "stance");
    if (label.id.empty()) return lines.AddProblem(line_number, "no \"id\"");
    if (label.brand.empty()) return lines.AddProblem(line_number, "no \"brand\"");
    if (std::find(std::begin(kPairLabelStances), std::end(kPairLabelStances), label.stance) ==
        std::end(kPairLabelStances)) {
      return lines.AddProblem(line_number,
                              "\"stance\" " + Quote(label.stance) +
                                  " is not complaint, praise, resolution, question, neutral "
                                  "or skip");
    }
    label.source = StringField(object, "source");
    label.annotator = StringField(object, "annotator");
    label.note = StringField(object, "note");
    dom::array topics;
    if (!object["topics"].get_array().get(topics)) {
      for (const dom::element topic : topics) {
        std::string_view s;
        if (!topic.get_string().get(s)) label.topics.emplace_back(Trim(s));
      }
    }
    label.where = lines.Where(line_number);
    out.push_back(std::move(label));
  });
}

void ParsePool(std::string_view bytes, std::string_view name, std::vector<PoolPost>& out,
               std::vector<Problem>& problems) {
  RecordLines lines(name, problems);
  lines.Read(bytes, [&](dom::object object, size_t line_number) {
    PoolPost post;
    post.id = StringField(object, "id");
    if (post.id.empty()) return lines.AddProblem(line_number, "no \"id\"");
    std::string_view text;
    if (object["text"].get_string().get(text) || IsBlank(text)) {
      return lines.AddProblem(line_number, "no text");
    }
    post.text.assign(text);
    post.source = StringField(object, "source");
    post.account = StringField(object, "account");
    post.addressee = StringField(object, "addressee");
    post.lang = StringField(object, "lang");
    post.where = lines.Where(line_number);
    out.push_back(std::move(post));
  });
}

Status ReadPairLabels(const std::string& path, std::vector<PairLabel>& out,
                      std::vector<Problem>& problems) {
  std::string bytes;
  ECOUTE_RETURN_IF_ERROR(ReadFile(path, bytes));
  ParsePairLabels(bytes, path, out, problems);
  return OkStatus();
}

Status ReadPool(const std::string& path, std::vector<PoolPost>& out,
                std::vector<Problem>& problems) {
  std::string bytes;
  ECOUTE_RETURN_IF_ERROR(ReadFile(path, bytes));
  ParsePool(bytes, path, out, problems);
  return OkStatus();
}

}  // namespace ecoute
